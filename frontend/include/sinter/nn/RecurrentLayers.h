// Recurrent cells and layers (chapter 11), with Keras' weights and layouts: `kernel`
// [input, gates·units], `recurrent_kernel` [units, gates·units], `bias`; LSTM gates in the order
// i, f, c, o and GRU gates z, r, h. A cell computes one time step and can be called in a C++
// loop over unstack(x, 1) (the book's style, which unrolls); a layer runs its cell in a
// `scan` over the time axis, so its compiled size does not grow with the sequence length.
#ifndef SINTER_NN_RECURRENTLAYERS_H
#define SINTER_NN_RECURRENTLAYERS_H

#include "sinter/nn/Layers.h"

namespace sinter::nn {

/// What a cell step gives: its output and its new states (Keras' `out, [h, c] = cell(x, s)`).
struct CellStep {
  Tensor output;
  std::vector<Tensor> states;
};

/// The options the cells share (Keras' constructor arguments).
struct CellOptions {
  std::string activation = "tanh";
  /// The gates' activation (LSTM, GRU).
  std::string recurrentActivation = "sigmoid";
  bool useBias = true;
  initializers::Initializer kernelInitializer = initializers::glorotUniform();
  initializers::Initializer recurrentInitializer = initializers::orthogonal();
  initializers::Initializer biasInitializer = initializers::zeros();
  /// Fraction of the inputs / of the recurrent state dropped in training. A mask depends on
  /// the cell's name and the training step (nn::rngStep), so every time step of a sequence
  /// uses the same one, as Keras does, in a recurrent layer and in a loop over the cell alike.
  double dropout = 0, recurrentDropout = 0;
  /// LSTM: the forget gate's bias starts at 1 (Keras' unit_forget_bias).
  bool unitForgetBias = true;
  /// GRU: the reset gate applies after the recurrent matrix product (Keras' default, as cuDNN);
  /// false: the book's classic formula, before it.
  bool resetAfter = true;
  /// The weights' dtype (float64 for finite-difference checks).
  DType dtype = DType::F32;
};

/// The base of the cells: one time step from x_t [batch, features] and the states.
class RecurrentCell : public Layer {
public:
  int64_t units() const { return units_; }
  /// Keras' state_size: the width of each state tensor.
  virtual std::vector<int64_t> stateSizes() const { return {units_}; }
  /// One step; builds the weights on the first call (from x_t's shape).
  CellStep operator()(const Tensor &x, const std::vector<Tensor> &states, bool training = false);
  /// The input's part of every gate, x·kernel + the input bias, for x [..., features]: a
  /// recurrent layer computes it for all time steps at once (one large matrix product)
  /// before its loop. Dropout applies to x before.
  Tensor projectInput(const Tensor &x) const;
  /// One step from the projected input x_t·kernel + bias [batch, gates·units], with the
  /// recurrent dropout mask `stateMask` (stateMask(), or an invalid Tensor for none).
  CellStep stepProjected(const Tensor &projected, const std::vector<Tensor> &states,
                         const Tensor &stateMask);
  /// Zero states for the batch of `x` (its leading dimension, which may be the dynamic one).
  std::vector<Tensor> zeroStates(const Tensor &x) const;
  /// The dropout masks of one training step for steps like `x` [batch, features], on the input
  /// and on the recurrent state (invalid Tensors when not training or the rate is 0).
  Tensor inputMask(const Tensor &x, bool training) const;
  Tensor stateMask(const Tensor &x, bool training) const;
  const Variable &kernel() const { return kernel_; }
  const Variable &recurrentKernel() const { return recurrentKernel_; }
  const Variable &bias() const { return bias_; }
  /// tanh activation and sigmoid gates (what cuDNN's and oneDNN's recurrent layers compute).
  bool usesStandardActivations() const {
    return options_.activation == "tanh" && options_.recurrentActivation == "sigmoid";
  }

protected:
  RecurrentCell(std::string typeName, int64_t units, CellOptions options, std::string name);
  /// The gates · units columns of the weights (1, 4 or 3).
  virtual int64_t gates() const = 0;
  virtual Shape biasShape() const { return {gates() * units_}; }
  virtual initializers::Initializer biasInitializer() const { return options_.biasInitializer; }
  /// The part of the bias added to the projected input (all of it but GRU's recurrent row).
  virtual Tensor inputBias() const { return bias_; }
  void build(Graph &g, const Shape &inputShape) override;
  /// The step from the projected input (dropout applied before the projection) and h_{t−1}
  /// after recurrent dropout (`hMasked`); `states` unmasked.
  virtual CellStep step(const Tensor &projected, const Tensor &hMasked,
                        const std::vector<Tensor> &states) = 0;
  /// A cell is called with its states; the one-tensor call throws saying so.
  Tensor call(const Tensor &x, bool training) override;

  int64_t units_;
  CellOptions options_;
  activations::Activation activation_, recurrentActivation_;
  Variable kernel_, recurrentKernel_, bias_;

private:
  friend class RNN;
  Tensor mask(const Tensor &like, double rate, int64_t salt) const;
};

/// h_t = activation(x_t·kernel + h_{t−1}·recurrent_kernel + bias); output h_t.
class SimpleRNNCell : public RecurrentCell {
public:
  explicit SimpleRNNCell(int64_t units, CellOptions options = {}, std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<SimpleRNNCell>(*this); }

protected:
  int64_t gates() const override { return 1; }
  CellStep step(const Tensor &projected, const Tensor &hMasked,
                const std::vector<Tensor> &states) override;
};

/// States [h, c]: i, f, o = σ(·), c_t = f·c + i·tanh(·), h_t = o·tanh(c_t); output h_t.
class LSTMCell : public RecurrentCell {
public:
  explicit LSTMCell(int64_t units, CellOptions options = {}, std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<LSTMCell>(*this); }
  std::vector<int64_t> stateSizes() const override { return {units_, units_}; }

protected:
  int64_t gates() const override { return 4; }
  initializers::Initializer biasInitializer() const override;
  CellStep step(const Tensor &projected, const Tensor &hMasked,
                const std::vector<Tensor> &states) override;
};

/// z, r = σ(·); h̃ = tanh(x·W_h + r ⊙ (h·U_h + b_rh)) (reset after, bias [2, 3·units]) or
/// tanh(x·W_h + (r ⊙ h)·U_h + b_h) (reset before); h_t = z·h + (1 − z)·h̃.
class GRUCell : public RecurrentCell {
public:
  explicit GRUCell(int64_t units, CellOptions options = {}, std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GRUCell>(*this); }
  bool resetAfter() const { return options_.resetAfter; }

protected:
  int64_t gates() const override { return 3; }
  Shape biasShape() const override;
  Tensor inputBias() const override;
  CellStep step(const Tensor &projected, const Tensor &hMasked,
                const std::vector<Tensor> &states) override;
};

/// What a recurrent layer returns besides its output (Keras' return_state).
struct RecurrentResult {
  Tensor output;
  std::vector<Tensor> states;
};

struct RecurrentOptions {
  /// The output at every step [batch, time, units] rather than the last one [batch, units].
  bool returnSequences = false;
  /// Processes the sequence from the last step to the first (the output sequence too).
  bool goBackwards = false;
  /// An LSTM or GRU layer runs as one call of oneDNN's RNN primitives (sinter.lstm,
  /// sinter.gru), as Keras runs cuDNN, where it can: float32, tanh and sigmoid activations, no
  /// recurrent dropout, library kernels enabled (not SINTER_GENERATED_ONLY=1). Off by default:
  /// with the oneDNN 2.6 of Debian 12 (reference backward pass) the scan is faster
  /// (docs/benchmarks.md). Its gradient cannot be differentiated again; the scan's can. Both
  /// give the same numbers.
  bool useLibrary = false;
};

/// Keras' RNN(cell): runs the cell over axis 1 of x [batch, time, features] in a scan. The
/// states start at zero unless given.
class RNN : public Layer {
public:
  RNN(std::shared_ptr<RecurrentCell> cell, RecurrentOptions options = {}, std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<RNN>(*this); }
  RecurrentCell &cell() const { return *cell_; }
  /// The output and the final states (Keras' return_state=True).
  RecurrentResult callWithState(const Tensor &x, bool training = false,
                                const std::vector<Tensor> &initialState = {});
  std::vector<Layer *> sublayers() const override { return {cell_.get()}; }

protected:
  RNN(std::string typeName, std::shared_ptr<RecurrentCell> cell, RecurrentOptions options,
      std::string name);
  Tensor call(const Tensor &x, bool training) override;

private:
  /// Whether this call runs as one sinter.lstm or sinter.gru (RecurrentOptions::useLibrary).
  bool runsOnLibrary(const Tensor &x, bool recurrentDropout) const;
  /// The layer as one fused op over x (dropout applied) from the states `init`.
  RecurrentResult callLibrary(const Tensor &x, const std::vector<Tensor> &init) const;
  std::shared_ptr<RecurrentCell> cell_;
  RecurrentOptions options_;
};

class SimpleRNN : public RNN {
public:
  explicit SimpleRNN(int64_t units, RecurrentOptions options = {}, CellOptions cell = {},
                     std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<SimpleRNN>(*this); }
};

class LSTM : public RNN {
public:
  explicit LSTM(int64_t units, RecurrentOptions options = {}, CellOptions cell = {},
                std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<LSTM>(*this); }
};

class GRU : public RNN {
public:
  explicit GRU(int64_t units, RecurrentOptions options = {}, CellOptions cell = {},
               std::string name = "");
  std::shared_ptr<Layer> clone() const override { return std::make_shared<GRU>(*this); }
};

} // namespace sinter::nn

#endif
