// scan(): values against loops written out by hand, the dynamic batch, the book's unrolled
// style against the scan, the compiled size not growing with the sequence, and the errors.
#include "sinter/sinter.h"

#include "../../common/TestUtil.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace sinter;
using Catch::Matchers::Contains;
using sinter::testing::check;
using sinter::testing::eval;
using sinter::testing::randomTensor;
using sinter::testing::values;

namespace {

Tensor constantOf(Graph &g, const HostTensor &t) {
  auto v = t.as<float>();
  return constant(g, std::vector<float>(v.begin(), v.end()), t.shape());
}

} // namespace

TEST_CASE("scan: a cumulative sum forwards and backwards, with the carry and the outputs",
          "[scan]") {
  Graph g;
  Tensor xs = constant(g, std::vector<float>{1, 2, 3, 4, 5, 6}, {3, 2});
  auto cumsum = [](const std::vector<Tensor> &c, const std::vector<Tensor> &x) {
    Tensor s = c[0] + x[0];
    return ScanStep{{s}, {s, s * s}};
  };
  ScanResult forward = scan(cumsum, {zeros(g, {2})}, {xs});
  ScanResult backward = scan(cumsum, {zeros(g, {2})}, {xs}, 0, /*reverse=*/true);
  auto out =
      eval(g, {forward.carries[0], forward.outputs[0], forward.outputs[1], backward.outputs[0]});
  check(out[0], {2}, {9, 12});
  check(out[1], {3, 2}, {1, 2, 4, 6, 9, 12});
  check(out[2], {3, 2}, {1, 4, 16, 36, 81, 144});
  check(out[3], {3, 2}, {9, 12, 8, 10, 5, 6});
}

TEST_CASE("scan: an RNN over axis 1 of a dynamic batch equals the book's unrolled loop", "[scan]") {
  // h_t = tanh(x_t·U + h_{t-1}·W): once as a scan over a [?, 5, 3] input, once as the book's
  // C++ loop over unstack(x, 1) for a static batch; values and gradients agree.
  HostTensor xv = randomTensor({4, 5, 3}, 1), uv = randomTensor({3, 6}, 2),
             wv = randomTensor({6, 6}, 3);
  auto run = [&](bool useScan) {
    Graph g;
    Tensor x = g.input("x", {useScan ? -1 : 4, 5, 3});
    Variable U = g.variable("U", constantOf(g, uv)), W = g.variable("W", constantOf(g, wv));
    Tensor h0 = zeros(g, {4, 6});
    Tensor last, seq;
    if (useScan) {
      // The batch is dynamic: the initial state takes the batch size from x.
      Tensor h0dyn = matmul(x(S(), 0, S()), zeros(g, {3, 6}));
      ScanResult r = scan(
          [&](const std::vector<Tensor> &c, const std::vector<Tensor> &xt) {
            Tensor h = tanh(matmul(xt[0], U) + matmul(c[0], W));
            return ScanStep{{h}, {h}};
          },
          {h0dyn}, {x}, 1);
      last = r.carries[0];
      seq = r.outputs[0];
    } else {
      Tensor h = h0;
      std::vector<Tensor> hs;
      for (const Tensor &xt : unstack(x, 1)) {
        h = tanh(matmul(xt, U) + matmul(h, W));
        hs.push_back(h);
      }
      last = h;
      seq = stack(hs, 1);
    }
    Tensor loss = reduceSum(seq * seq) + reduceSum(last);
    std::vector<Tensor> grads = gradients(loss, {U, W});
    Program p = g.compile({{"f", {x}, {last, seq, grads[0], grads[1]}}});
    return p.run("f", {xv});
  };
  auto a = run(true), b = run(false);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("result " << i);
    check(a[i], b[i].shape(), values(b[i]), 1e-5);
  }
}

TEST_CASE("scan: the compiled program does not grow with the sequence length", "[scan]") {
  // A training step's saved program (graph, compiled code) for sequences of 8 and of 800.
  auto savedSize = [](int64_t length) {
    Graph g;
    Tensor x = g.input("x", {2, length, 4});
    Variable W = g.variable("W", random::normal(g, {4, 4}, 0, 0.5, 1));
    ScanResult r = scan(
        [&](const std::vector<Tensor> &c, const std::vector<Tensor> &xt) {
          Tensor h = tanh(matmul(xt[0] + c[0], W));
          return ScanStep{{h}};
        },
        {zeros(g, {2, 4})}, {x}, 1);
    Tensor loss = reduceSum(r.carries[0]);
    Program p = g.compile({{"step", {x}, {loss}, {{W, W - gradients(loss, {W})[0]}}}});
    std::string path = (std::filesystem::temp_directory_path() /
                        ("sinter_scan_" + std::to_string(length) + ".sinter"))
                           .string();
    p.save(path);
    auto size = std::filesystem::file_size(path);
    std::filesystem::remove(path);
    return static_cast<double>(size);
  };
  double short8 = savedSize(8), long800 = savedSize(800);
  INFO("saved program: " << short8 << " bytes for 8 steps, " << long800 << " for 800");
  CHECK(long800 < short8 * 1.05);
}

TEST_CASE("scan: bad bodies and values leaving the body get errors", "[scan]") {
  Graph g;
  Tensor xs = g.input("xs", {4, 3});
  Tensor inner;
  ScanResult r = scan(
      [&](const std::vector<Tensor> &c, const std::vector<Tensor> &x) {
        inner = c[0] * x[0];
        return ScanStep{{inner}};
      },
      {zeros(g, {3})}, {xs});
  CHECK_THROWS_WITH(inner + r.carries[0], Contains("inside a scan body"));
  CHECK_THROWS_WITH(g.compile({{"f", {xs}, {inner}}}), Contains("inside a scan body"));
  CHECK_THROWS_WITH(
      scan([&](const std::vector<Tensor> &c,
               const std::vector<Tensor> &) { return ScanStep{{concat({c[0], c[0]}, 0)}}; },
           {zeros(g, {3})}, {xs}),
      Contains("carry 0") && Contains("keeps its shape"));
  CHECK_THROWS_WITH(scan([&](const std::vector<Tensor> &c,
                             const std::vector<Tensor> &) { return ScanStep{{c[0], c[0]}}; },
                         {zeros(g, {3})}, {xs}),
                    Contains("returns 2 carries"));
  CHECK_THROWS_WITH(
      scan([&](const std::vector<Tensor> &c, const std::vector<Tensor> &) { return ScanStep{c}; },
           {zeros(g, {3})}, {xs}, 2),
      Contains("axis 2 is out of range"));
  CHECK_THROWS_WITH(
      scan([&](const std::vector<Tensor> &c, const std::vector<Tensor> &) { return ScanStep{c}; },
           {zeros(g, {3})}, {xs, g.input("ys", {5, 3})}),
      Contains("has length 5"));
  // A body that throws leaves the graph usable.
  CHECK_THROWS_WITH(
      scan(
          [&](const std::vector<Tensor> &c, const std::vector<Tensor> &x) -> ScanStep {
            (void)(c[0] + x[0]);
            throw Error("from the body");
          },
          {zeros(g, {3})}, {xs}),
      Contains("from the body"));
  auto out = g.compile({{"f", {xs}, {r.carries[0]}}}).run("f", {HostTensor(DType::F32, {4, 3})});
  check(out[0], {3}, {0, 0, 0});
}
