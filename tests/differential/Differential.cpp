// Differential test against PyTorch: random graphs of the public ops (elementwise with
// broadcasting, reductions with and without keepdims, reshapes, transposes, strided slices,
// gathers, matmuls, softmax, concatenation) are compiled and run by Sinter in float64 — the
// values of every node, the gradient of a weighted sum of them with respect to each input, and
// the second-order gradient (of the squared first-order gradients) — and replayed by PyTorch
// (torch_reference.py) on the same inputs; every number is compared. A failing case is
// minimised to its shortest failing prefix of ops and printed op by op.
//
// Usage: differential --reference torch_reference.py [--cases N] [--seed S] [--python PYTHON]
// Exit status 0 when every case agrees, 1 when one does not, 77 when PyTorch is not installed.
#include "sinter/sinter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace sinter;

namespace {

/// One node of a random graph: an input (`values` set) or an op over earlier nodes.
struct Node {
  std::string op;
  std::vector<int> args;
  std::vector<int64_t> ints; // axes, permutation, shape, slice bounds, gather indices
  bool flag = false;         // keepdims; transpose_b
  Shape shape;
  std::vector<double> values; // inputs only
};

struct Case {
  int id = 0;
  std::vector<Node> nodes;
};

int64_t count(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

using Unary = Tensor (*)(const Tensor &);
using Binary = Tensor (*)(const Tensor &, const Tensor &);

/// The elementwise ops by name (the same names as torch_reference.py). Where the op needs a
/// bounded or positive input, it gets one: exp of tanh, log and sqrt of x² + 1, a divisor
/// x² + 1.
const std::vector<std::pair<std::string, Unary>> &unaryOps() {
  static const std::vector<std::pair<std::string, Unary>> ops{
      {"neg", [](const Tensor &x) { return neg(x); }},
      {"tanh", [](const Tensor &x) { return tanh(x); }},
      {"sigmoid", [](const Tensor &x) { return sigmoid(x); }},
      {"relu", [](const Tensor &x) { return relu(x); }},
      {"square", [](const Tensor &x) { return square(x); }},
      {"abs", [](const Tensor &x) { return abs(x); }},
      {"exp_tanh", [](const Tensor &x) { return exp(tanh(x)); }},
      {"log1p_sq", [](const Tensor &x) { return log(square(x) + 1.0); }},
      {"sqrt1p_sq", [](const Tensor &x) { return sqrt(square(x) + 1.0); }}};
  return ops;
}

const std::vector<std::pair<std::string, Binary>> &binaryOps() {
  static const std::vector<std::pair<std::string, Binary>> ops{
      {"add", [](const Tensor &a, const Tensor &b) { return add(a, b); }},
      {"sub", [](const Tensor &a, const Tensor &b) { return sub(a, b); }},
      {"mul", [](const Tensor &a, const Tensor &b) { return mul(a, b); }},
      {"div", [](const Tensor &a, const Tensor &b) { return div(a, square(b) + 1.0); }},
      {"maximum", [](const Tensor &a, const Tensor &b) { return maximum(a, b); }}};
  return ops;
}

class Generator {
public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  Case make(int id) {
    Case c;
    c.id = id;
    nodes_ = &c.nodes;
    int inputs = pick(1, 2);
    for (int i = 0; i < inputs; ++i)
      input(randomShape());
    int ops = pick(2, 7);
    for (int tries = 0; static_cast<int>(opCount()) < ops && tries < 100; ++tries)
      addOp();
    return c;
  }

private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool coin() { return pick(0, 1) == 1; }

  size_t opCount() const {
    return static_cast<size_t>(std::count_if(nodes_->begin(), nodes_->end(),
                                             [](const Node &n) { return n.op != "input"; }));
  }

  Shape randomShape() {
    Shape s(pick(1, 3));
    for (int64_t &d : s)
      d = pick(1, 4);
    return s;
  }

  int input(const Shape &shape) {
    Node n{"input", {}, {}, false, shape, {}};
    std::uniform_real_distribution<double> u(-2, 2);
    for (int64_t i = 0; i < count(shape); ++i)
      n.values.push_back(u(rng_));
    nodes_->push_back(n);
    return static_cast<int>(nodes_->size()) - 1;
  }

  int add(Node n) {
    nodes_->push_back(std::move(n));
    return static_cast<int>(nodes_->size()) - 1;
  }

  /// A recent node (later nodes more often, so that chains grow).
  int operand() {
    int n = static_cast<int>(nodes_->size());
    return std::max(0, n - 1 - pick(0, std::min(n - 1, 2)));
  }

  /// A shape that broadcasts against `s`: some dimensions become 1, leading ones may go.
  Shape broadcastable(const Shape &s) {
    Shape b = s;
    for (int64_t &d : b)
      if (pick(0, 2) == 0)
        d = 1;
    while (!b.empty() && pick(0, 3) == 0)
      b.erase(b.begin());
    return b;
  }

  static Shape broadcastShape(Shape a, Shape b) {
    if (a.size() < b.size())
      std::swap(a, b);
    b.insert(b.begin(), a.size() - b.size(), 1);
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = std::max(a[i], b[i]);
    return a;
  }

  void addOp() {
    int x = operand();
    Shape s = (*nodes_)[x].shape;
    int64_t rank = static_cast<int64_t>(s.size());
    switch (pick(0, 11)) {
    case 0: { // unary
      const auto &ops = unaryOps();
      add({ops[pick(0, static_cast<int>(ops.size()) - 1)].first, {x}, {}, false, s, {}});
      return;
    }
    case 1:
    case 2: { // binary, with broadcasting against another node or a fresh input
      int y = -1;
      for (int k = 0; k < static_cast<int>(nodes_->size()); ++k)
        if (k != x && (*nodes_)[k].shape == s && coin())
          y = k;
      if (y < 0)
        y = input(broadcastable(s));
      if (coin())
        std::swap(x, y);
      const auto &ops = binaryOps();
      add({ops[pick(0, static_cast<int>(ops.size()) - 1)].first,
           {x, y},
           {},
           false,
           broadcastShape((*nodes_)[x].shape, (*nodes_)[y].shape),
           {}});
      return;
    }
    case 3:
    case 4: { // reduction over one axis or all (of a scalar: an identity)
      static const char *ops[] = {"sum", "mean", "max"};
      bool all = rank == 0 || pick(0, 3) == 0;
      bool keep = coin();
      int64_t axis = all ? 0 : pick(0, static_cast<int>(rank) - 1);
      Shape out;
      for (int64_t i = 0; i < rank; ++i)
        if (!all && i != axis)
          out.push_back(s[i]);
        else if (keep)
          out.push_back(1);
      add({ops[pick(0, 2)],
           {x},
           all ? std::vector<int64_t>{} : std::vector<int64_t>{axis},
           keep,
           out,
           {}});
      return;
    }
    case 5: { // reshape: flatten, or split the first dimension of a vector
      Shape out{count(s)};
      if (rank == 1 && s[0] % 2 == 0)
        out = {2, s[0] / 2};
      add({"reshape", {x}, out, false, out, {}});
      return;
    }
    case 6: { // transpose
      if (rank < 2)
        return;
      std::vector<int64_t> perm(rank);
      for (int64_t i = 0; i < rank; ++i)
        perm[i] = i;
      std::shuffle(perm.begin(), perm.end(), rng_);
      Shape out;
      for (int64_t p : perm)
        out.push_back(s[p]);
      add({"transpose", {x}, perm, false, out, {}});
      return;
    }
    case 7: { // strided slice along one axis: [start, dim) with stride 1 or 2
      if (rank == 0)
        return;
      int64_t axis = pick(0, static_cast<int>(rank) - 1);
      int64_t start = s[axis] > 1 ? pick(0, 1) : 0, stride = pick(1, 2);
      Shape out = s;
      out[axis] = (s[axis] - start + stride - 1) / stride;
      add({"slice", {x}, {axis, start, stride}, false, out, {}});
      return;
    }
    case 8: { // gather along axis 0, indices may repeat (the gradient adds them up)
      if (rank == 0)
        return;
      std::vector<int64_t> idx(pick(1, 4));
      for (int64_t &i : idx)
        i = pick(0, static_cast<int>(s[0]) - 1);
      Shape out = s;
      out[0] = static_cast<int64_t>(idx.size());
      add({"gather", {x}, idx, false, out, {}});
      return;
    }
    case 9: { // matmul of a matrix with a fresh [k, n] (or transposed [n, k]) input
      if (rank != 2)
        return;
      int64_t n = pick(1, 4);
      bool tb = coin();
      int w = input(tb ? Shape{n, s[1]} : Shape{s[1], n});
      add({"matmul", {x, w}, {}, tb, {s[0], n}, {}});
      return;
    }
    case 10: { // softmax over the last axis
      if (rank == 0)
        return;
      add({"softmax", {x}, {}, false, s, {}});
      return;
    }
    case 11: { // concatenation with itself or a fresh input along a random axis
      if (rank == 0)
        return;
      int64_t axis = pick(0, static_cast<int>(rank) - 1);
      Shape other = s;
      other[axis] = pick(1, 3);
      int y = coin() ? x : input(other);
      Shape out = s;
      out[axis] += (*nodes_)[y].shape[axis];
      add({"concat", {x, y}, {axis}, false, out, {}});
      return;
    }
    }
  }

  std::mt19937_64 rng_;
  std::vector<Node> *nodes_ = nullptr;
};

/// Deterministic weights of the loss terms, the same on both sides (written into the case).
std::vector<double> lossWeights(int node, const Shape &shape) {
  std::vector<double> w(count(shape));
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = std::sin(1.0 + 0.7 * static_cast<double>(i) + 1.3 * node);
  return w;
}

HostTensor tensorOf(const Shape &shape, const std::vector<double> &values) {
  HostTensor t(DType::F64, shape);
  std::copy(values.begin(), values.end(), t.as<double>().begin());
  return t;
}

Tensor build(Graph &g, const Node &n, const std::vector<Tensor> &t) {
  auto a = [&](int i) { return t[n.args[i]]; };
  const std::string &op = n.op;
  for (const auto &[name, fn] : unaryOps())
    if (op == name)
      return fn(a(0));
  for (const auto &[name, fn] : binaryOps())
    if (op == name)
      return fn(a(0), a(1));
  if (op == "sum")
    return reduceSum(a(0), n.ints, n.flag);
  if (op == "mean")
    return reduceMean(a(0), n.ints, n.flag);
  if (op == "max")
    return reduceMax(a(0), n.ints, n.flag);
  if (op == "reshape")
    return reshape(a(0), n.ints);
  if (op == "transpose")
    return transpose(a(0), n.ints);
  if (op == "slice") {
    Shape in = t[n.args[0]].shape(), start(in.size(), 0), strides(in.size(), 1);
    start[n.ints[0]] = n.ints[1];
    strides[n.ints[0]] = n.ints[2];
    return stridedSlice(a(0), start, in, strides);
  }
  if (op == "gather") {
    std::vector<int32_t> idx(n.ints.begin(), n.ints.end());
    return gather(a(0), constant(g, idx, {static_cast<int64_t>(idx.size())}), 0);
  }
  if (op == "matmul")
    return matmul(a(0), a(1), false, n.flag);
  if (op == "softmax")
    return softmax(a(0));
  if (op == "concat")
    return concat({a(0), a(1)}, n.ints[0]);
  throw Error("differential: unknown op " + op);
}

struct Result {
  std::vector<HostTensor> values; // each node, then d/d input, then d2/d input
};

/// How many nodes the first `ops` ops of `c` span (with the inputs they use).
size_t prefixEnd(const Case &c, size_t ops) {
  size_t used = 0;
  for (size_t i = 0; i < c.nodes.size(); ++i)
    if (c.nodes[i].op != "input" && used++ == ops)
      return i;
  return c.nodes.size();
}

/// Sinter's numbers for the first `ops` ops of `c` (the loss sums those nodes only).
Result runSinter(const Case &c, size_t ops) {
  Graph g;
  std::vector<Tensor> t, inputs;
  std::vector<HostTensor> feed;
  Tensor loss;
  const size_t end = prefixEnd(c, ops);
  for (size_t i = 0; i < end; ++i) {
    const Node &n = c.nodes[i];
    if (n.op == "input") {
      t.push_back(g.input("x" + std::to_string(i), n.shape, DType::F64));
      inputs.push_back(t.back());
      feed.push_back(tensorOf(n.shape, n.values));
      continue;
    }
    t.push_back(build(g, n, t));
    Tensor w = g.input("w" + std::to_string(i), n.shape, DType::F64);
    inputs.push_back(w);
    feed.push_back(tensorOf(n.shape, lossWeights(static_cast<int>(i), n.shape)));
    Tensor term = reduceSum(t.back() * w);
    loss = loss.valid() ? loss + term : term;
  }
  std::vector<Tensor> xs, outputs;
  for (size_t i = 0; i < end; ++i)
    (c.nodes[i].op == "input" ? xs : outputs).push_back(t[i]);
  std::vector<Tensor> first = gradients(loss, xs);
  Tensor squares;
  for (const Tensor &d : first) {
    Tensor s = reduceSum(square(d));
    squares = squares.valid() ? squares + s : s;
  }
  std::vector<Tensor> second = gradients(squares, xs);
  outputs.insert(outputs.end(), first.begin(), first.end());
  outputs.insert(outputs.end(), second.begin(), second.end());
  Program p = g.compile({{"case", inputs, outputs}});
  return {p.run("case", feed)};
}

void writeShape(std::ostream &os, const Shape &s) {
  os << "[";
  for (size_t i = 0; i < s.size(); ++i)
    os << (i ? "," : "") << s[i];
  os << "]";
}

void writeNumbers(std::ostream &os, const double *v, size_t n) {
  os << "[";
  char buf[40];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%.17g", v[i]);
    std::string s = buf;
    if (s == "nan" || s == "-nan")
      s = "NaN";
    else if (s == "inf")
      s = "Infinity";
    else if (s == "-inf")
      s = "-Infinity";
    os << (i ? "," : "") << s;
  }
  os << "]";
}

/// The case (its first `ops` ops) and Sinter's numbers as one JSON object.
void writeCase(std::ostream &os, const Case &c, size_t ops, const Result &r) {
  os << "{\"id\":" << c.id << ",\"nodes\":[";
  for (size_t i = 0; i < prefixEnd(c, ops); ++i) {
    const Node &n = c.nodes[i];
    os << (i ? "," : "") << "{\"op\":\"" << n.op << "\",\"args\":[";
    for (size_t k = 0; k < n.args.size(); ++k)
      os << (k ? "," : "") << n.args[k];
    os << "],\"ints\":";
    writeShape(os, n.ints);
    os << ",\"flag\":" << (n.flag ? "true" : "false") << ",\"shape\":";
    writeShape(os, n.shape);
    std::vector<double> v = n.op == "input" ? n.values : lossWeights(static_cast<int>(i), n.shape);
    os << (n.op == "input" ? ",\"values\":" : ",\"weights\":");
    writeNumbers(os, v.data(), v.size());
    os << "}";
  }
  os << "],\"sinter\":[";
  for (size_t k = 0; k < r.values.size(); ++k) {
    os << (k ? "," : "");
    writeNumbers(os, r.values[k].as<double>().data(),
                 static_cast<size_t>(r.values[k].numElements()));
  }
  os << "]}\n";
}

std::string describe(const Case &c, size_t ops) {
  std::ostringstream os;
  for (size_t i = 0; i < prefixEnd(c, ops); ++i) {
    const Node &n = c.nodes[i];
    os << "  %" << i << " = " << n.op << "(";
    for (size_t k = 0; k < n.args.size(); ++k)
      os << (k ? ", " : "") << "%" << n.args[k];
    os << ")";
    if (!n.ints.empty()) {
      os << " ints=";
      writeShape(os, n.ints);
    }
    if (n.flag)
      os << " flag";
    os << " shape=";
    writeShape(os, n.shape);
    os << "\n";
  }
  return os.str();
}

struct Options {
  std::string python = "python3", reference, work = "/tmp";
  int cases = 40;
  uint64_t seed = 1;
};

/// Runs the reference over the file of cases; returns its report, one line per failing case
/// ("FAIL <id> <what>"), and sets `ok`.
std::string runReference(const Options &o, const std::string &path, bool &ok) {
  std::string command = o.python + " " + o.reference + " " + path + " 2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    throw Error("differential: cannot run '" + command + "'");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe))
    out.append(buf, n);
  int status = pclose(pipe);
  ok = status == 0;
  if (!ok && out.find("FAIL ") == std::string::npos)
    throw Error("differential: the reference failed:\n" + out);
  return out;
}

size_t opsOf(const Case &c) {
  return static_cast<size_t>(
      std::count_if(c.nodes.begin(), c.nodes.end(), [](const Node &n) { return n.op != "input"; }));
}

/// Whether the first `ops` ops of `c` disagree with the reference.
bool fails(const Options &o, const Case &c, size_t ops, std::string &report) {
  std::string path = o.work + "/sinter_differential_min.jsonl";
  {
    std::ofstream f(path);
    writeCase(f, c, ops, runSinter(c, ops));
  }
  bool ok = false;
  report = runReference(o, path, ok);
  return !ok;
}

} // namespace

int main(int argc, char **argv) try {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        throw Error("differential: " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--cases")
      o.cases = std::stoi(value());
    else if (a == "--seed")
      o.seed = std::stoull(value());
    else if (a == "--python")
      o.python = value();
    else if (a == "--reference")
      o.reference = value();
    else if (a == "--work")
      o.work = value();
    else {
      std::fprintf(stderr,
                   "usage: %s --reference torch_reference.py [--cases N] [--seed S] "
                   "[--python PYTHON] [--work DIR]\n",
                   argv[0]);
      return 2;
    }
  }
  if (o.reference.empty())
    throw Error("differential: --reference torch_reference.py is required");
  if (std::system((o.python + " -c 'import torch' >/dev/null 2>&1").c_str()) != 0) {
    std::printf("SKIP: PyTorch is not installed (python3-torch)\n");
    return 77;
  }

  Generator gen(o.seed);
  std::vector<Case> cases;
  std::string path = o.work + "/sinter_differential.jsonl";
  size_t numbers = 0;
  {
    std::ofstream f(path);
    for (int i = 0; i < o.cases; ++i) {
      cases.push_back(gen.make(i));
      Result r = runSinter(cases.back(), opsOf(cases.back()));
      for (const HostTensor &t : r.values)
        numbers += static_cast<size_t>(t.numElements());
      writeCase(f, cases.back(), opsOf(cases.back()), r);
    }
    if (!f)
      throw Error("differential: cannot write " + path);
  }
  bool ok = false;
  std::string report = runReference(o, path, ok);
  std::printf("%s", report.c_str());
  if (ok) {
    std::printf("differential: %d cases (seed %llu), %zu numbers, all agree with PyTorch\n",
                o.cases, static_cast<unsigned long long>(o.seed), numbers);
    return 0;
  }
  // Minimise each failing case to its shortest failing prefix of ops.
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) {
    int id = -1;
    if (std::sscanf(line.c_str(), "FAIL %d", &id) != 1 || id < 0 || id >= o.cases)
      continue;
    const Case &c = cases[id];
    size_t shortest = opsOf(c);
    std::string why = line;
    for (size_t ops = 1; ops < opsOf(c); ++ops) {
      std::string r;
      if (fails(o, c, ops, r)) {
        shortest = ops, why = r;
        break;
      }
    }
    if (why.empty() || why.back() != '\n')
      why += '\n';
    std::printf("case %d (seed %llu) fails; minimised to %zu op(s):\n%s%s", id,
                static_cast<unsigned long long>(o.seed), shortest, describe(c, shortest).c_str(),
                why.c_str());
  }
  return 1;
} catch (const std::exception &e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
