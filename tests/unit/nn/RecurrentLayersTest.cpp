// Recurrent cells and layers (chapter 11): Keras' weight shapes, the cells' formulas against a
// host computation, the layer (a scan) against the book's loop over the cells (unrolled), with
// gradients; dropout; Embedding; a model that learns a sequence task with fit.
#include "sinter/nn/Model.h"

#include "sinter/CompileTool.h"
#include "sinter/TensorLanguage.h"

#include "../../common/TempFiles.h"
#include "../../common/TestUtil.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fcntl.h>
#include <random>
#include <unistd.h>

using namespace sinter;
using namespace sinter::nn;
using Catch::Matchers::Contains;
using sinter::testing::check;
using sinter::testing::randomTensor;
using sinter::testing::values;

namespace {

std::vector<double> valueOf(const Tensor &t) { return values(t.value()); }

/// Host matrix product of row-major a [n, k] and b [k, m].
std::vector<double> hostMatmul(const std::vector<double> &a, const std::vector<double> &b,
                               int64_t n, int64_t k, int64_t m) {
  std::vector<double> c(n * m, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < m; ++j)
        c[i * m + j] += a[i * k + p] * b[p * m + j];
  return c;
}

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

/// sinter-compile's main on `args`: its exit code and what it wrote to stderr (through `log`).
std::pair<int, std::string> compileTool(std::vector<std::string> args, const std::string &log) {
  std::vector<char *> argv{const_cast<char *>("sinter-compile")};
  for (std::string &a : args)
    argv.push_back(a.data());
  std::fflush(stderr);
  int saved = dup(2), fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 2);
  close(fd);
  int rc = compileToolMain(static_cast<int>(argv.size()), argv.data());
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  return {rc, testing::readFile(log)};
}

} // namespace

TEST_CASE("cells and layers have Keras' weights and output shapes (11.4, 11.9, 11.10)", "[rnn]") {
  Graph g;
  Tensor x = g.input("x", {4, 80, 100});
  std::vector<Tensor> steps = unstack(x, 1);
  SimpleRNNCell simple(64);
  Tensor h0 = zeros(g, {4, 64});
  CellStep s = simple(steps[0], {h0});
  CHECK(s.output.shape() == Shape{4, 64});
  CHECK(simple.kernel().shape() == Shape{100, 64});
  CHECK(simple.recurrentKernel().shape() == Shape{64, 64});
  CHECK(simple.bias().shape() == Shape{64});
  CHECK(simple.variables().size() == 3);
  CHECK(simple.kernel().name() == simple.name() + "/kernel");

  LSTMCell lstm(64);
  CellStep l = lstm(steps[0], {h0, h0});
  CHECK(l.states.size() == 2);
  CHECK(lstm.kernel().shape() == Shape{100, 256});
  CHECK(lstm.recurrentKernel().shape() == Shape{64, 256});
  CHECK(lstm.bias().shape() == Shape{256});
  // unit_forget_bias: the forget gate's quarter of the bias starts at one.
  std::vector<double> b = valueOf(lstm.bias());
  CHECK(b[0] == 0);
  CHECK(b[64] == 1);
  CHECK(b[127] == 1);
  CHECK(b[128] == 0);

  GRUCell gru(64);
  gru(steps[0], {h0});
  CHECK(gru.kernel().shape() == Shape{100, 192});
  CHECK(gru.bias().shape() == Shape{2, 192});
  GRUCell classic(64, {.resetAfter = false});
  classic(steps[0], {h0});
  CHECK(classic.bias().shape() == Shape{192});

  // The recurrent kernel starts orthogonal: Wᵀ·W = I.
  std::vector<double> w = valueOf(simple.recurrentKernel());
  for (int i = 0; i < 64; i += 21)
    for (int j = 0; j < 64; j += 13) {
      double dot = 0;
      for (int r = 0; r < 64; ++r)
        dot += w[r * 64 + i] * w[r * 64 + j];
      CHECK(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-5));
    }

  SimpleRNN seq(64, {.returnSequences = true});
  CHECK(seq(x).shape() == Shape{4, 80, 64});
  SimpleRNN last(64);
  CHECK(last(x).shape() == Shape{4, 64});
  // Stacked: the second layer reads the first one's sequence.
  SimpleRNN second(64);
  CHECK(second(seq(x)).shape() == Shape{4, 64});
  LSTM lstmLayer(32, {.returnSequences = false});
  RecurrentResult r = lstmLayer.callWithState(x);
  CHECK(r.output.shape() == Shape{4, 32});
  CHECK(r.states.size() == 2);
  CHECK(lstmLayer.countParams() == 4 * (100 * 32 + 32 * 32 + 32));
  GRU gruLayer(32);
  CHECK(gruLayer(x).shape() == Shape{4, 32});
  CHECK(gruLayer.countParams() == 3 * (100 * 32 + 32 * 32) + 2 * 3 * 32);

  CHECK_THROWS_WITH(simple(steps[0], {h0, h0}), Contains("takes 1 state"));
  CHECK_THROWS_WITH(simple(steps[0], {zeros(g, {4, 3})}), Contains("must be [batch, 64]"));
  CHECK_THROWS_WITH(last(steps[0]), Contains("[batch, time, features]"));
}

TEST_CASE("LSTM and GRU steps compute Keras' formulas", "[rnn]") {
  // One step from a non-zero state, checked against the formulas evaluated on the host.
  const int64_t n = 2, in = 3, u = 4;
  Graph g;
  HostTensor xv = randomTensor({n, in}, 11), hv = randomTensor({n, u}, 12),
             cv = randomTensor({n, u}, 13);
  auto constantOf = [&](const HostTensor &t) {
    auto v = t.as<float>();
    return constant(g, std::vector<float>(v.begin(), v.end()), t.shape());
  };
  Tensor x = constantOf(xv), h = constantOf(hv), c = constantOf(cv);
  std::vector<double> X = values(xv), H = values(hv), C = values(cv);
  CellOptions random{.biasInitializer = initializers::randomUniform(-0.5, 0.5)};

  SECTION("LSTM: gates i, f, c, o") {
    LSTMCell cell(u, random);
    CellStep s = cell(x, {h, c});
    auto z = hostMatmul(X, valueOf(cell.kernel()), n, in, 4 * u);
    auto zr = hostMatmul(H, valueOf(cell.recurrentKernel()), n, u, 4 * u);
    auto bias = valueOf(cell.bias());
    std::vector<double> hNew, cNew;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < u; ++j) {
        auto gate = [&](int k) {
          return z[i * 4 * u + k * u + j] + zr[i * 4 * u + k * u + j] + bias[k * u + j];
        };
        double cc = sigmoid(gate(1)) * C[i * u + j] + sigmoid(gate(0)) * std::tanh(gate(2));
        cNew.push_back(cc);
        hNew.push_back(sigmoid(gate(3)) * std::tanh(cc));
      }
    check(s.output.value(), {n, u}, hNew, 1e-5);
    check(s.states[1].value(), {n, u}, cNew, 1e-5);
  }
  SECTION("GRU: reset after (Keras' default) and before (the classic formula)") {
    for (bool resetAfter : {true, false}) {
      CellOptions options = random;
      options.resetAfter = resetAfter;
      GRUCell cell(u, options);
      CellStep s = cell(x, {h});
      auto zx = hostMatmul(X, valueOf(cell.kernel()), n, in, 3 * u);
      auto W = valueOf(cell.recurrentKernel());
      auto zh = hostMatmul(H, W, n, u, 3 * u);
      auto bias = valueOf(cell.bias());
      std::vector<double> expected;
      for (int64_t i = 0; i < n; ++i) {
        std::vector<double> r(u), z(u);
        for (int64_t j = 0; j < u; ++j) {
          double bz = bias[j], br = bias[u + j];
          double rz = resetAfter ? bias[3 * u + j] : 0, rr = resetAfter ? bias[4 * u + j] : 0;
          z[j] = sigmoid(zx[i * 3 * u + j] + bz + zh[i * 3 * u + j] + rz);
          r[j] = sigmoid(zx[i * 3 * u + u + j] + br + zh[i * 3 * u + u + j] + rr);
        }
        for (int64_t j = 0; j < u; ++j) {
          double candidate = zx[i * 3 * u + 2 * u + j] + bias[2 * u + j];
          if (resetAfter) {
            candidate += r[j] * (zh[i * 3 * u + 2 * u + j] + bias[5 * u + j]);
          } else {
            for (int64_t p = 0; p < u; ++p)
              candidate += r[p] * H[i * u + p] * W[p * 3 * u + 2 * u + j];
          }
          expected.push_back(z[j] * H[i * u + j] + (1 - z[j]) * std::tanh(candidate));
        }
      }
      INFO("reset after: " << resetAfter);
      check(s.output.value(), {n, u}, expected, 1e-5);
    }
  }
}

TEST_CASE("a recurrent layer equals the book's loop over its cell, with gradients", "[rnn]") {
  HostTensor xv = randomTensor({3, 6, 5}, 21);
  auto kinds = {"simple", "lstm", "gru", "gru_classic"};
  for (std::string kind : kinds) {
    INFO("cell " << kind);
    auto makeCell = [&]() -> std::shared_ptr<RecurrentCell> {
      CellOptions o{.biasInitializer = initializers::randomUniform(-0.3, 0.3)};
      if (kind == "simple")
        return std::make_shared<SimpleRNNCell>(4, o, "cell_" + kind);
      if (kind == "lstm")
        return std::make_shared<LSTMCell>(4, o, "cell_" + kind);
      o.resetAfter = kind == "gru";
      return std::make_shared<GRUCell>(4, o, "cell_" + kind);
    };
    auto run = [&](bool layer, bool backwards) {
      Graph g;
      Tensor x = g.input("x", {layer ? -1 : 3, 6, 5});
      auto cell = makeCell(); // the same name: the same initial weights
      Tensor seq, last;
      std::vector<Tensor> states;
      if (layer) {
        RNN rnn(cell, {.returnSequences = true, .goBackwards = backwards});
        RecurrentResult r = rnn.callWithState(x);
        seq = r.output;
        states = r.states;
      } else {
        std::vector<Tensor> steps = unstack(x, 1);
        if (backwards)
          std::reverse(steps.begin(), steps.end());
        states = cell->zeroStates(steps[0]);
        std::vector<Tensor> outs;
        for (const Tensor &xt : steps) {
          CellStep s = (*cell)(xt, states);
          outs.push_back(s.output);
          states = s.states;
        }
        seq = stack(outs, 1);
      }
      Tensor loss = reduceSum(seq * seq) + reduceSum(states.back());
      std::vector<Variable> vars = cell->trainableVariables();
      std::vector<Tensor> outputs{seq, states.back()};
      for (const Tensor &gr : gradients(loss, vars))
        outputs.push_back(gr);
      return g.compile({{"f", {x}, outputs}}).run("f", {xv});
    };
    for (bool backwards : {false, true}) {
      auto a = run(true, backwards), b = run(false, backwards);
      REQUIRE(a.size() == b.size());
      for (size_t i = 0; i < a.size(); ++i) {
        INFO("result " << i << (backwards ? " (go_backwards)" : ""));
        check(a[i], b[i].shape(), values(b[i]), 2e-5);
      }
    }
  }
}

TEST_CASE("LSTM and GRU on oneDNN's RNN primitives give the scan's outputs and gradients",
          "[rnn][library]") {
  // One network through both paths: a dynamic batch, given initial states, input dropout in
  // training, both directions, the sequence and the final states; gradients of everything.
  HostTensor xv = randomTensor({7, 9, 5}, 31), h0v = randomTensor({7, 6}, 32),
             c0v = randomTensor({7, 6}, 33);
  for (std::string kind : {"lstm", "gru", "gru_classic"}) {
    for (bool backwards : {false, true}) {
      bool lstm = kind == "lstm";
      auto run = [&](bool useLibrary) {
        uint64_t fallbacksBefore = runtime::libraryKernelFallbacks();
        Graph g;
        Tensor x = g.input("x", {-1, 9, 5}), h0 = g.input("h0", {-1, 6}),
               c0 = g.input("c0", {-1, 6});
        // The cell's name seeds its weights and dropout mask: the same in both runs.
        CellOptions o{.biasInitializer = initializers::randomUniform(-0.3, 0.3),
                      .dropout = 0.25,
                      .resetAfter = kind == "gru"};
        std::shared_ptr<RecurrentCell> cell;
        if (lstm)
          cell = std::make_shared<LSTMCell>(6, o, "paths_" + kind);
        else
          cell = std::make_shared<GRUCell>(6, o, "paths_" + kind);
        RNN layer(cell,
                  {.returnSequences = true, .goBackwards = backwards, .useLibrary = useLibrary});
        std::vector<Tensor> init{h0};
        if (lstm)
          init.push_back(c0);
        RecurrentResult r = layer.callWithState(x, /*training=*/true, init);
        Tensor loss = reduceSum(r.output * r.output) + reduceSum(sin(r.states[0]));
        if (lstm)
          loss = loss + reduceSum(r.states[1] * r.states[1]);
        std::vector<Tensor> wrt = init, outputs{r.output};
        wrt.insert(wrt.begin(), x);
        for (const Variable &v : layer.trainableVariables())
          wrt.push_back(v);
        for (const Tensor &s : r.states)
          outputs.push_back(s);
        for (const Tensor &gr : gradients(loss, wrt))
          outputs.push_back(gr);
        auto out = g.compile({{"f", {x, h0, c0}, outputs}}).run("f", {xv, h0v, c0v});
        CHECK(runtime::libraryKernelFallbacks() == fallbacksBefore);
        return out;
      };
      auto library = run(true), scan = run(false);
      REQUIRE(library.size() == scan.size());
      REQUIRE(library.size() == (lstm ? 9u : 7u));
      for (size_t i = 0; i < library.size(); ++i) {
        INFO(kind << " result " << i << (backwards ? " (go_backwards)" : ""));
        check(library[i], scan[i].shape(), values(scan[i]), 3e-5);
      }
    }
  }
}

TEST_CASE("LSTM on oneDNN: a second-order gradient is a clear error; the scan path has one",
          "[rnn][library]") {
  auto secondOrder = [](bool useLibrary) {
    Graph g;
    Tensor x = g.input("x", {2, 4, 3});
    LSTM layer(3, {.useLibrary = useLibrary}, {}, "lstm_second");
    Tensor y = layer(x);
    Tensor gx = gradients(reduceSum(y * y), {x})[0];
    Tensor gg = gradients(reduceSum(gx * gx), {x})[0];
    return g.compile({{"f", {x}, {gg}}}).run("f", {randomTensor({2, 4, 3}, 41)});
  };
  CHECK(secondOrder(false).size() == 1);
  try {
    secondOrder(true);
    FAIL("expected an error");
  } catch (const Error &e) {
    CHECK_THAT(e.what(), Contains("sinter.lstm_grad"));
  }
}

TEST_CASE("a library LSTM compiled --standalone is a clear error; the scan compiles",
          "[rnn][library]") {
  testing::TempDir dir;
  for (bool useLibrary : {false, true}) {
    Graph g;
    Tensor x = g.input("x", {2, 4, 3});
    LSTM layer(3, {.useLibrary = useLibrary}, {}, "lstm_standalone");
    std::string model = dir.file(useLibrary ? "library.sinter" : "scan.sinter");
    g.compile({{"predict", {x}, {layer(x)}}}).save(model);
    auto [rc, log] = compileTool({model, "--emit=llvm", "--standalone", "-o", dir.file("out.ll")},
                                 dir.file("log"));
    INFO(log);
    if (useLibrary) {
      CHECK(rc == 1);
      CHECK_THAT(log, Contains("'sinter.lstm' runs only on the library (oneDNN) kernel") &&
                          Contains("--standalone") && Contains("useLibrary = false"));
    } else {
      CHECK(rc == 0);
    }
  }
}

TEST_CASE("recurrent dropout: only in training, one mask per sequence", "[rnn]") {
  Graph g;
  Tensor x = g.input("x", {2, 5, 3});
  LSTM layer(4, {}, {.dropout = 0.5, .recurrentDropout = 0.5});
  Tensor train = layer(x, true), infer = layer(x, false);
  Tensor loss = reduceSum(train * train);
  std::vector<Update> updates;
  addRngStepUpdate(g, updates);
  auto vars = layer.trainableVariables();
  std::vector<Tensor> outs{train, infer};
  for (const Tensor &gr : gradients(loss, vars))
    outs.push_back(gr);
  Program p = g.compile({{"f", {x}, outs, updates}});
  HostTensor xv = randomTensor({2, 5, 3}, 5);
  auto first = p.run("f", {xv}), second = p.run("f", {xv});
  // Inference is deterministic; training draws other masks on the next step.
  CHECK(values(first[1]) == values(second[1]));
  CHECK(values(first[0]) != values(second[0]));
  CHECK(values(first[0]) != values(first[1]));
  for (size_t i = 2; i < first.size(); ++i)
    for (double v : values(first[i]))
      REQUIRE(std::isfinite(v));
  // Recurrent dropout alone changes the training output too (2 × 16 mask elements: all kept
  // with probability 2^-32), so it is not input dropout doing all of the above.
  Graph g2;
  Tensor x2 = g2.input("x", {2, 5, 3});
  LSTM recurrentOnly(16, {}, {.recurrentDropout = 0.5});
  auto both =
      g2.compile({{"f", {x2}, {recurrentOnly(x2, true), recurrentOnly(x2, false)}}}).run("f", {xv});
  CHECK(values(both[0]) != values(both[1]));
}

TEST_CASE("Embedding: rows of the weight, gradient into the used rows", "[rnn]") {
  Graph g;
  Tensor ids = constant(g, std::vector<int32_t>{1, 3, 3, 0}, {2, 2});
  Embedding emb(5, 3);
  Tensor y = emb(ids);
  CHECK(y.shape() == Shape{2, 2, 3});
  CHECK(emb.embeddings().shape() == Shape{5, 3});
  std::vector<double> w = valueOf(emb.embeddings()), got = valueOf(y);
  std::vector<int> order{1, 3, 3, 0};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      CHECK(got[i * 3 + j] == w[order[i] * 3 + j]);
  std::vector<double> grad = valueOf(gradients(reduceSum(y), {emb.embeddings()})[0]);
  std::vector<double> counts{1, 1, 0, 2, 0};
  for (int r = 0; r < 5; ++r)
    CHECK(grad[r * 3] == counts[r]);
  CHECK_THROWS_WITH(Embedding(5, 3)(zeros(g, {2, 2})), Contains("int32 or int64 ids"));
}

TEST_CASE("Embedding + LSTM + Dense learns a sequence task with fit", "[rnn][fit]") {
  // Label 1 when token 7 occurs in a sequence of 12 tokens from a vocabulary of 10.
  const int64_t n = 512, T = 12;
  HostTensor x(DType::I32, {n, T}), y(DType::F32, {n, 1});
  std::mt19937 rng(3);
  for (int64_t i = 0; i < n; ++i) {
    bool has = i % 2 == 0;
    for (int64_t t = 0; t < T; ++t) {
      int v = static_cast<int>(rng() % 9);
      x.as<int32_t>()[i * T + t] = v == 7 ? 9 : v;
    }
    if (has)
      x.as<int32_t>()[i * T + rng() % T] = 7;
    y.as<float>()[i] = has ? 1.0f : 0.0f;
  }
  for (std::string kind : {"lstm", "gru", "simple"}) {
    INFO("layer " << kind);
    Sequential model({Embedding(10, 8),
                      kind == "lstm"  ? Sequential::LayerRef(LSTM(16))
                      : kind == "gru" ? Sequential::LayerRef(GRU(16))
                                      : Sequential::LayerRef(SimpleRNN(16)),
                      Dense(1, "sigmoid")});
    model.compile(optim::Adam(0.01), losses::binaryCrossentropy(), {"accuracy"});
    // 512 = 6·80 + 32: the partial last batch goes through the same entry.
    History h = model.fit(x, y, {.batchSize = 80, .epochs = 12, .verbose = 0, .seed = 1});
    CHECK(h["accuracy"].back() > 0.95);
    CHECK(model.compilations() == 1);
    // An id outside the vocabulary is an error naming the layer, not a clamped lookup.
    HostTensor bad = x.clone();
    bad.as<int32_t>()[5 * T + 3] = 10;
    CHECK_THROWS_WITH(model.predict(bad), Contains("input id 10") && Contains("row 5") &&
                                              Contains("outside [0, 10)") &&
                                              Contains("Embedding input_dim"));
  }
}
