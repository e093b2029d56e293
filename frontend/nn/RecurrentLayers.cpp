// Recurrent cells (one time step) and the RNN layer that scans a cell over the time axis
// (see sinter/nn/RecurrentLayers.h).
#include "sinter/nn/RecurrentLayers.h"

#include "sinter/Scan.h"
#include "sinter/TensorLanguage.h"

namespace sinter::nn {

// ---------------------------------------------------------------------------------------------
// Cells

RecurrentCell::RecurrentCell(std::string type, int64_t units, CellOptions options, std::string name)
    : Layer(std::move(type), std::move(name)), units_(units), options_(std::move(options)),
      activation_(activations::byName(options_.activation)),
      recurrentActivation_(activations::byName(options_.recurrentActivation)) {
  if (units <= 0)
    throw Error(typeName() + ": units must be positive, got " + std::to_string(units));
  for (double rate : {options_.dropout, options_.recurrentDropout})
    if (!(rate >= 0 && rate < 1))
      throw Error(typeName() + ": dropout rates must be in [0, 1), got " + std::to_string(rate));
}

void RecurrentCell::build(Graph &g, const Shape &inputShape) {
  if (inputShape.size() != 2)
    throw Error("layer '" + name() + "' (" + typeName() +
                "): a cell takes one time step [batch, features], got shape " +
                shapeString(inputShape));
  int64_t columns = gates() * units_;
  DType dt = options_.dtype;
  kernel_ = addWeight(g, "kernel", {inputShape[1], columns}, options_.kernelInitializer, true,
                      nullptr, dt);
  recurrentKernel_ = addWeight(g, "recurrent_kernel", {units_, columns},
                               options_.recurrentInitializer, true, nullptr, dt);
  if (options_.useBias)
    bias_ = addWeight(g, "bias", biasShape(), biasInitializer(), true, nullptr, dt);
}

Tensor RecurrentCell::call(const Tensor &, bool) {
  throw Error("layer '" + name() + "' (" + typeName() +
              ") is a cell: call it with its states, cell(x_t, states, training), or run it "
              "over a sequence in an RNN layer");
}

Tensor RecurrentCell::mask(const Tensor &like, double rate, int64_t salt) const {
  Graph &g = like.graph();
  Tensor u =
      random::uniform(rngStep(g), like.shape(), 0.0, 1.0, nameSeed(name()) + salt, like.dtype());
  return cast(u >= rate, like.dtype()) * (1.0 / (1.0 - rate));
}

std::vector<Tensor> RecurrentCell::zeroStates(const Tensor &x) const {
  Graph &g = x.graph();
  std::vector<Tensor> states;
  for (int64_t width : stateSizes()) {
    if (x.shape().front() >= 0) {
      states.push_back(zeros(g, {x.shape().front(), width}, x.dtype()));
      continue;
    }
    // A dynamic batch: [batch, 1] zeros from x, broadcast to the width.
    Tensor column = reduceSum(zerosLike(x), {1}, /*keepdims=*/true);
    states.push_back(column * zeros(g, {1, width}, x.dtype()));
  }
  return states;
}

// A mask depends only on the cell's name, the step counter and the shape, so every time step
// of one training step gets the same numbers (Keras' one mask per sequence), whether it is drawn
// once before a loop (RNN) or at each call of the cell.
Tensor RecurrentCell::inputMask(const Tensor &x, bool training) const {
  return training && options_.dropout > 0 ? mask(x, options_.dropout, 1) : Tensor();
}

Tensor RecurrentCell::stateMask(const Tensor &x, bool training) const {
  return training && options_.recurrentDropout > 0
             ? mask(zeroStates(x).front(), options_.recurrentDropout, 2)
             : Tensor();
}

Tensor RecurrentCell::projectInput(const Tensor &x) const {
  Tensor projected = matmulLastAxis(x, kernel_);
  Tensor bias = options_.useBias ? inputBias() : Tensor();
  return bias.valid() ? projected + bias : projected;
}

CellStep RecurrentCell::operator()(const Tensor &x, const std::vector<Tensor> &states,
                                   bool training) {
  if (!x.valid())
    throw Error("layer '" + name() + "': called on an empty tensor");
  ensureBuilt(x);
  Tensor m = inputMask(x, training);
  return stepProjected(projectInput(m.valid() ? x * m : x), states, stateMask(x, training));
}

CellStep RecurrentCell::stepProjected(const Tensor &projected, const std::vector<Tensor> &states,
                                      const Tensor &stateMask) {
  std::vector<int64_t> sizes = stateSizes();
  if (states.size() != sizes.size())
    throw Error("layer '" + name() + "' (" + typeName() + ") takes " +
                std::to_string(sizes.size()) + " state tensor(s), got " +
                std::to_string(states.size()));
  for (size_t i = 0; i < states.size(); ++i)
    if (states[i].rank() != 2 || states[i].shape()[1] != sizes[i])
      throw Error("layer '" + name() + "' (" + typeName() + "): state " + std::to_string(i) +
                  " must be [batch, " + std::to_string(sizes[i]) + "], got " +
                  shapeString(states[i].shape()));
  return step(projected, stateMask.valid() ? states.front() * stateMask : states.front(), states);
}

SimpleRNNCell::SimpleRNNCell(int64_t units, CellOptions options, std::string name)
    : RecurrentCell("SimpleRNNCell", units, std::move(options), std::move(name)) {}

CellStep SimpleRNNCell::step(const Tensor &projected, const Tensor &hMasked,
                             const std::vector<Tensor> &) {
  Tensor h = activation_(projected + matmul(hMasked, recurrentKernel_));
  return {h, {h}};
}

LSTMCell::LSTMCell(int64_t units, CellOptions options, std::string name)
    : RecurrentCell("LSTMCell", units, std::move(options), std::move(name)) {}

initializers::Initializer LSTMCell::biasInitializer() const {
  if (!options_.unitForgetBias)
    return options_.biasInitializer;
  // Keras: [init(units), ones(units), init(2·units)].
  initializers::Initializer init = options_.biasInitializer;
  int64_t u = units_;
  return [init, u](Graph &g, const Shape &, int64_t seed, DType dtype) {
    return concat(
        {init(g, {u}, seed, dtype), ones(g, {u}, dtype), init(g, {2 * u}, seed + 1, dtype)}, 0);
  };
}

CellStep LSTMCell::step(const Tensor &projected, const Tensor &hMasked,
                        const std::vector<Tensor> &states) {
  Tensor z = projected + matmul(hMasked, recurrentKernel_);
  std::vector<Tensor> parts = split(z, 4, 1); // i, f, c, o
  Tensor i = recurrentActivation_(parts[0]), f = recurrentActivation_(parts[1]);
  Tensor c = f * states[1] + i * activation_(parts[2]);
  Tensor h = recurrentActivation_(parts[3]) * activation_(c);
  return {h, {h, c}};
}

GRUCell::GRUCell(int64_t units, CellOptions options, std::string name)
    : RecurrentCell("GRUCell", units, std::move(options), std::move(name)) {}

Shape GRUCell::biasShape() const {
  return options_.resetAfter ? Shape{2, 3 * units_} : Shape{3 * units_};
}

Tensor GRUCell::inputBias() const { return options_.resetAfter ? bias_(0) : Tensor(bias_); }

CellStep GRUCell::step(const Tensor &projected, const Tensor &hMasked,
                       const std::vector<Tensor> &states) {
  const Tensor &h = states[0];
  int64_t u = units_;
  std::vector<Tensor> xs = split(projected, 3, 1); // z, r, h
  Tensor hh;
  Tensor z, r;
  if (options_.resetAfter) {
    Tensor rec = matmul(hMasked, recurrentKernel_);
    if (options_.useBias)
      rec = rec + bias_(1);
    std::vector<Tensor> rs = split(rec, 3, 1);
    z = recurrentActivation_(xs[0] + rs[0]);
    r = recurrentActivation_(xs[1] + rs[1]);
    hh = activation_(xs[2] + r * rs[2]);
  } else {
    Tensor rec = matmul(hMasked, recurrentKernel_(S(), S(0, 2 * u)));
    std::vector<Tensor> rs = split(rec, 2, 1);
    z = recurrentActivation_(xs[0] + rs[0]);
    r = recurrentActivation_(xs[1] + rs[1]);
    hh = activation_(xs[2] + matmul(r * hMasked, recurrentKernel_(S(), S(2 * u, 3 * u))));
  }
  Tensor hNew = z * h + (1.0 - z) * hh;
  return {hNew, {hNew}};
}

// ---------------------------------------------------------------------------------------------
// The recurrent layer

RNN::RNN(std::shared_ptr<RecurrentCell> cell, RecurrentOptions options, std::string name)
    : RNN("RNN", std::move(cell), options, std::move(name)) {}

RNN::RNN(std::string type, std::shared_ptr<RecurrentCell> cell, RecurrentOptions options,
         std::string name)
    : Layer(std::move(type), std::move(name)), cell_(std::move(cell)), options_(options) {
  if (!cell_)
    throw Error("layer '" + this->name() + "': needs a cell");
}

RecurrentResult RNN::callWithState(const Tensor &x, bool training,
                                   const std::vector<Tensor> &initialState) {
  if (!x.valid())
    throw Error("layer '" + name() + "': called on an empty tensor");
  if (x.rank() != 3)
    throw Error("layer '" + name() + "' (" + typeName() +
                ") takes sequences [batch, time, features], got shape " + shapeString(x.shape()));
  ensureBuilt(x);
  Tensor first = x(S(), 0, S());
  RecurrentCell &cell = *cell_;
  cell.ensureBuilt(first);
  std::vector<Tensor> init = initialState.empty() ? cell.zeroStates(first) : initialState;
  // The masks and the input's part of every gate for all time steps, then the loop.
  Tensor inMask = cell.inputMask(first, training), hMask = cell.stateMask(first, training);
  Tensor dropped = inMask.valid() ? x * expandDims(inMask, 1) : x;
  if (runsOnLibrary(x, hMask.valid())) {
    RecurrentResult r = callLibrary(dropped, init);
    if (options_.returnSequences && options_.goBackwards)
      r.output = reverse(r.output, {1});
    return r;
  }
  Tensor projected = cell.projectInput(dropped);
  ScanResult r = scan(
      [&](const std::vector<Tensor> &states, const std::vector<Tensor> &xt) {
        CellStep s = cell.stepProjected(xt[0], states, hMask);
        return ScanStep{s.states, options_.returnSequences ? std::vector<Tensor>{s.output}
                                                           : std::vector<Tensor>{}};
      },
      init, {projected}, 1, options_.goBackwards);
  // Every cell here outputs its first state, so the last output is the final first state.
  Tensor output = r.carries.front();
  if (options_.returnSequences)
    output = options_.goBackwards ? reverse(r.outputs.front(), {1}) : r.outputs.front();
  return {output, r.carries};
}

Tensor RNN::call(const Tensor &x, bool training) { return callWithState(x, training).output; }

bool RNN::runsOnLibrary(const Tensor &x, bool recurrentDropout) const {
  bool fusable =
      dynamic_cast<const LSTMCell *>(cell_.get()) || dynamic_cast<const GRUCell *>(cell_.get());
  return options_.useLibrary && fusable && !recurrentDropout && x.dtype() == DType::F32 &&
         cell_->usesStandardActivations() && runtime::libraryKernelsEnabled();
}

RecurrentResult RNN::callLibrary(const Tensor &x, const std::vector<Tensor> &init) const {
  const RecurrentCell &cell = *cell_;
  const Variable &bias = cell.bias();
  int64_t u = cell.units();
  auto outputOf = [&](const Tensor &sequence, const Tensor &h) {
    return options_.returnSequences ? sequence : h;
  };
  if (dynamic_cast<const LSTMCell *>(&cell)) {
    FusedLstm r =
        fusedLstm(x, init[0], init[1], cell.kernel(), cell.recurrentKernel(),
                  bias.valid() ? Tensor(bias) : zeros(x.graph(), {4 * u}), options_.goBackwards);
    return {outputOf(r.sequence, r.h), {r.h, r.c}};
  }
  bool resetAfter = static_cast<const GRUCell &>(cell).resetAfter();
  Tensor b = zeros(x.graph(), {(resetAfter ? 4 : 3) * u});
  if (bias.valid() && resetAfter) // Keras' [input; recurrent] rows → oneDNN's four gates
    b = concat({bias(0, S(0, 2 * u)) + bias(1, S(0, 2 * u)), bias(0, S(2 * u, 3 * u)),
                bias(1, S(2 * u, 3 * u))},
               0);
  else if (bias.valid())
    b = bias;
  FusedGru r = fusedGru(x, init[0], cell.kernel(), cell.recurrentKernel(), b, resetAfter,
                        options_.goBackwards);
  return {outputOf(r.sequence, r.h), {r.h}};
}

SimpleRNN::SimpleRNN(int64_t units, RecurrentOptions options, CellOptions cell, std::string name)
    : RNN("SimpleRNN", std::make_shared<SimpleRNNCell>(units, std::move(cell)), options,
          std::move(name)) {}

LSTM::LSTM(int64_t units, RecurrentOptions options, CellOptions cell, std::string name)
    : RNN("LSTM", std::make_shared<LSTMCell>(units, std::move(cell)), options, std::move(name)) {}

GRU::GRU(int64_t units, RecurrentOptions options, CellOptions cell, std::string name)
    : RNN("GRU", std::make_shared<GRUCell>(units, std::move(cell)), options, std::move(name)) {}

} // namespace sinter::nn
