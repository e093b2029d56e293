// Book chapter 11.1.1, 11.4, 11.9 and 11.10: the embedding layer, the recurrent cells and
// layers — their variables (Keras' names and shapes), the outputs of the book's loops over
// unstack(x, 1) and of the layers (return_sequences, stacking) — and that a layer (one scan)
// computes what the book's unrolled loop over its cell computes. Prints each check; the last
// line is
//   checks=N failed=F
// and the exit status is 1 when a check fails.
#include "sinter/nn/Model.h"

#include "sinter/TensorLanguage.h"

#include "../common/Checks.h"
#include "../common/Cli.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using namespace sinter;
using models::checkShape;
using models::report;
using namespace sinter::nn;

namespace {

void checkVariables(const std::string &what, const Layer &layer,
                    const std::vector<std::pair<std::string, Shape>> &want) {
  std::vector<Variable> vars = layer.variables();
  bool ok = vars.size() == want.size();
  std::string got;
  for (size_t i = 0; i < vars.size(); ++i) {
    std::string name = vars[i].name().substr(vars[i].name().rfind('/') + 1);
    ok = ok && i < want.size() && name == want[i].first && vars[i].shape() == want[i].second;
    got += (i ? ", " : "") + name + " " + shapeString(vars[i].shape());
  }
  report(what, ok, got);
}

double maxDifference(const HostTensor &a, const HostTensor &b) {
  if (a.shape() != b.shape())
    return INFINITY;
  double d = 0;
  for (size_t i = 0; i < a.as<float>().size(); ++i)
    d = std::max(d, static_cast<double>(std::fabs(a.as<float>()[i] - b.as<float>()[i])));
  return d;
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

} // namespace

int main(int argc, char **argv) {
  models::Cli cli(argc, argv, {}, "");
  try {
    Graph g;
    // 11.1.1: Embedding(10, 4) on a shuffled range(10).
    std::vector<int32_t> shuffled{3, 7, 0, 9, 1, 5, 2, 8, 6, 4};
    Embedding embedding(10, 4);
    Tensor vectors = embedding(constant(g, shuffled, {10}));
    checkShape("11.1.1 Embedding(10, 4)(shuffle(range(10)))", vectors, {10, 4});
    report("11.1.1 net.embeddings: a trainable variable [10, 4]",
           embedding.embeddings().shape() == Shape{10, 4} && embedding.embeddings().trainable(),
           embedding.embeddings().name());
    HostTensor rows = vectors.value(), table = embedding.embeddings().value();
    bool lookup = true;
    for (int i = 0; i < 10; ++i)
      for (int j = 0; j < 4; ++j)
        lookup = lookup && rows.as<float>()[i * 4 + j] == table.as<float>()[shuffled[i] * 4 + j];
    report("11.1.1 row i of the output is table[id_i]", lookup, "");

    // 11.4: SimpleRNNCell(3) built for inputs of 4 features.
    SimpleRNNCell small(3);
    small(zeros(g, {1, 4}), {zeros(g, {1, 3})});
    checkVariables("11.4 SimpleRNNCell(3), input 4: variables", small,
                   {{"kernel", {4, 3}}, {"recurrent_kernel", {3, 3}}, {"bias", {3}}});
    HostTensor biasValue = small.bias().value();
    auto bias = biasValue.as<float>();
    report("11.4 the bias starts at zeros",
           std::all_of(bias.begin(), bias.end(), [](float v) { return v == 0; }), "");

    // SimpleRNNCell(64) over x [4, 80, 100], the book's loop over unstack(x, 1).
    Tensor x = random::normal(g, {4, 80, 100}, 0, 1, 7);
    SimpleRNNCell cell(64);
    std::vector<Tensor> h{zeros(g, {4, 64})};
    CellStep first = cell(unstack(x, 1)[0], h);
    checkShape("11.4 out, h1 = cell(x[:, 0], [h0]): out", first.output, {4, 64});
    checkShape("11.4 h1[0]", first.states[0], {4, 64});
    report("11.4 out is h1[0]", maxDifference(first.output.value(), first.states[0].value()) == 0,
           "");
    Tensor out;
    for (const Tensor &xt : unstack(x, 1)) {
      CellStep s = cell(xt, h);
      out = s.output;
      h = s.states;
    }
    checkShape("11.4 the loop over 80 steps: last out", out, {4, 64});

    // Two stacked cells, per time step through both layers and layer by layer: the same.
    SimpleRNNCell cell0(64), cell1(64);
    std::vector<Tensor> s0{zeros(g, {4, 64})}, s1 = s0;
    Tensor out1;
    for (const Tensor &xt : unstack(x, 1)) {
      CellStep a = cell0(xt, s0);
      s0 = a.states;
      CellStep b = cell1(a.output, s1);
      s1 = b.states;
      out1 = b.output;
    }
    std::vector<Tensor> middle, t0{zeros(g, {4, 64})}, t1 = t0;
    for (const Tensor &xt : unstack(x, 1)) {
      CellStep a = cell0(xt, t0);
      t0 = a.states;
      middle.push_back(a.output);
    }
    Tensor out2;
    for (const Tensor &m : middle) {
      CellStep b = cell1(m, t1);
      t1 = b.states;
      out2 = b.output;
    }
    double stackedDiff = maxDifference(out1.value(), out2.value());
    report("11.4 two stacked cells: both loop orders agree", stackedDiff < 1e-6,
           "max |difference| " + number(stackedDiff));

    checkShape("11.4 SimpleRNN(64)(x)", SimpleRNN(64)(x), {4, 64});
    checkShape("11.4 SimpleRNN(64, return_sequences=True)(x)",
               SimpleRNN(64, {.returnSequences = true})(x), {4, 80, 64});
    Sequential stacked({SimpleRNN(64, {.returnSequences = true}), SimpleRNN(64)});
    checkShape("11.4 Sequential([SimpleRNN(64, rs=True), SimpleRNN(64)])(x)", stacked(x), {4, 64});

    // The layer runs its cell in one scan: the same numbers as the book's loop.
    auto sharedCell = std::make_shared<SimpleRNNCell>(64);
    RNN layer(sharedCell, {.returnSequences = true});
    Tensor layerSeq = layer(x);
    std::vector<Tensor> hs{zeros(g, {4, 64})}, outs;
    for (const Tensor &xt : unstack(x, 1)) {
      CellStep s = (*sharedCell)(xt, hs);
      hs = s.states;
      outs.push_back(s.output);
    }
    double layerDiff = maxDifference(layerSeq.value(), stack(outs, 1).value());
    report("11.4 RNN(cell, return_sequences) = the loop over the cell", layerDiff < 1e-5,
           "max |difference| " + number(layerDiff));

    // 11.9: LSTMCell(64) on x [2, 80, 100], states [h, c].
    Tensor x2 = random::normal(g, {2, 80, 100}, 0, 1, 8);
    LSTMCell lstmCell(64);
    std::vector<Tensor> state{zeros(g, {2, 64}), zeros(g, {2, 64})};
    CellStep l = lstmCell(unstack(x2, 1)[0], state);
    checkShape("11.9 out, state = LSTMCell(64)(xt, [h, c]): out", l.output, {2, 64});
    report("11.9 out is state[0], state[1] is c",
           maxDifference(l.output.value(), l.states[0].value()) == 0 &&
               maxDifference(l.output.value(), l.states[1].value()) > 0,
           "");
    checkVariables("11.9 LSTMCell(64), input 100: variables", lstmCell,
                   {{"kernel", {100, 256}}, {"recurrent_kernel", {64, 256}}, {"bias", {256}}});
    for (const Tensor &xt : unstack(x2, 1))
      state = lstmCell(xt, state).states;
    checkShape("11.9 the loop over 80 steps: h", state[0], {2, 64});
    checkShape("11.9 LSTM(64)(x)", LSTM(64)(x2), {2, 64});
    checkShape("11.9 LSTM(64, return_sequences=True)(x)", LSTM(64, {.returnSequences = true})(x2),
               {2, 80, 64});
    Sequential lstmStack({LSTM(64, {.returnSequences = true}), LSTM(64)});
    checkShape("11.9 Sequential([LSTM(64, rs=True), LSTM(64)])(x)", lstmStack(x2), {2, 64});

    // 11.10: GRUCell(64), GRU layers.
    GRUCell gruCell(64);
    std::vector<Tensor> gh{zeros(g, {2, 64})};
    for (const Tensor &xt : unstack(x2, 1))
      gh = gruCell(xt, gh).states;
    checkShape("11.10 GRUCell(64) over 80 steps: h", gh[0], {2, 64});
    checkVariables("11.10 GRUCell(64) (reset_after): variables", gruCell,
                   {{"kernel", {100, 192}}, {"recurrent_kernel", {64, 192}}, {"bias", {2, 192}}});
    GRUCell classic(64, {.resetAfter = false});
    classic(unstack(x2, 1)[0], {zeros(g, {2, 64})});
    checkVariables("11.10 GRUCell(64, reset_after=False) (the book's formula)", classic,
                   {{"kernel", {100, 192}}, {"recurrent_kernel", {64, 192}}, {"bias", {192}}});
    checkShape("11.10 GRU(64, return_sequences=True)(x)", GRU(64, {.returnSequences = true})(x2),
               {2, 80, 64});
    Sequential gruStack({GRU(64, {.returnSequences = true}), GRU(64)});
    checkShape("11.10 Sequential([GRU(64, rs=True), GRU(64)])(x)", gruStack(x2), {2, 64});
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return models::finishChecks();
}
