// The ONNX importer: reads a ModelProto with Debian's generated ONNX classes (libonnx_proto),
// then builds each node with the public graph API. Tensors keep ONNX's NCHW layout, except
// that a convolution's or pooling's result stays NHWC (Sinter's image layout) until an op
// needs NCHW: elementwise ops, batch normalisation and chains of convolutions then run without
// transposes in between.
#include "sinter/onnx/Import.h"

#include "sinter/Ops.h"
#include "sinter/TensorLanguage.h"
#include "sinter/runtime/File.h"

#include "onnx/onnx_pb.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <set>

namespace sinter::onnx {

namespace {

using Proto = ::onnx::TensorProto;

/// A value of the ONNX graph: a Sinter tensor, NCHW unless `nhwc` (rank 4 only). An initializer
/// or a constant also has its `host` data (shapes, axes and weights are read from it) and gets
/// its tensor when a node first uses it as a graph value: a convolution's weight is only ever
/// a variable in Sinter's filter layout.
struct Value {
  std::optional<Tensor> tensor;
  bool nhwc = false;
  const HostTensor *host = nullptr;
};

class Importer {
public:
  Importer(Graph &g, std::string path) : g_(g), path_(std::move(path)) {}
  ImportedGraph run(const ::onnx::ModelProto &model);

private:
  [[noreturn]] void fail(const std::string &what) const { throw Error(path_ + ": " + what); }
  [[noreturn]] void failNode(const ::onnx::NodeProto &node, const std::string &what) const {
    fail("node '" + node.name() + "' (" + node.op_type() + "): " + what);
  }
  HostTensor hostTensor(const Proto &t) const;
  Tensor graphTensor(const std::string &name, const HostTensor &host);
  /// The node's input as a graph value (an initializer becomes a variable here).
  const Value &value(const ::onnx::NodeProto &node, int input);
  /// The node's input as it is (an initializer may have no graph tensor yet).
  Value &known(const ::onnx::NodeProto &node, int input);
  bool hasInput(const ::onnx::NodeProto &node, int input) const {
    return input < node.input_size() && !node.input(input).empty();
  }
  const HostTensor &hostInput(const ::onnx::NodeProto &node, int input);
  Tensor nchw(const Value &v) const {
    return v.nhwc ? transpose(*v.tensor, {0, 3, 1, 2}) : *v.tensor;
  }
  Tensor nhwc(const ::onnx::NodeProto &node, const Value &v) const;
  void importNode(const ::onnx::NodeProto &node);

  Graph &g_;
  std::string path_;
  std::map<std::string, Value> values_;
  std::map<std::string, HostTensor> hosts_;
  std::map<std::string, int> uses_; // how many node inputs name each value
  /// A weight stored in another layout than the file's (`permutation` of its axes): under its
  /// ONNX name when this node is its only user, else under `<name>/<suffix>`.
  Tensor relaidWeight(const ::onnx::NodeProto &node, int input,
                      const std::vector<int64_t> &permutation, const std::string &suffix);
};

// ---- attributes -------------------------------------------------------------------------------

const ::onnx::AttributeProto *attribute(const ::onnx::NodeProto &node, const std::string &name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t intAttr(const ::onnx::NodeProto &node, const std::string &name, int64_t fallback) {
  const auto *a = attribute(node, name);
  return a ? a->i() : fallback;
}

float floatAttr(const ::onnx::NodeProto &node, const std::string &name, float fallback) {
  const auto *a = attribute(node, name);
  return a ? a->f() : fallback;
}

std::string stringAttr(const ::onnx::NodeProto &node, const std::string &name,
                       const std::string &fallback) {
  const auto *a = attribute(node, name);
  return a ? a->s() : fallback;
}

std::vector<int64_t> intsAttr(const ::onnx::NodeProto &node, const std::string &name,
                              std::vector<int64_t> fallback) {
  const auto *a = attribute(node, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

// ---- tensors ----------------------------------------------------------------------------------

HostTensor Importer::hostTensor(const Proto &t) const {
  if (t.data_location() == Proto::EXTERNAL)
    fail("tensor '" + t.name() + "' keeps its data in an external file (not supported)");
  Shape shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0)
      fail("tensor '" + t.name() + "' has a negative dimension");
  DType dtype;
  size_t stored = 0; // elements in the typed field, when not in raw_data
  switch (t.data_type()) {
  case Proto::FLOAT:
    dtype = DType::F32;
    stored = static_cast<size_t>(t.float_data_size());
    break;
  case Proto::DOUBLE:
    dtype = DType::F64;
    stored = static_cast<size_t>(t.double_data_size());
    break;
  case Proto::INT64:
    dtype = DType::I64;
    stored = static_cast<size_t>(t.int64_data_size());
    break;
  case Proto::INT32:
    dtype = DType::I32;
    stored = static_cast<size_t>(t.int32_data_size());
    break;
  default:
    fail("tensor '" + t.name() + "' has ONNX data type " + std::to_string(t.data_type()) +
         " (supported: float, double, int64, int32)");
  }
  runtime::TensorSpec spec{t.name(), dtype, shape};
  size_t bytes = spec.byteSize(); // checked against overflow
  size_t count = bytes / runtime::dtypeSize(dtype);
  if (t.has_raw_data()) {
    if (t.raw_data().size() != bytes)
      fail("tensor '" + t.name() + "' holds " + std::to_string(t.raw_data().size()) +
           " bytes of data for " + std::to_string(count) + " elements");
  } else if (stored != count) {
    fail("tensor '" + t.name() + "' holds " + std::to_string(stored) + " values for " +
         std::to_string(count) + " elements");
  }
  HostTensor out(spec);
  if (t.has_raw_data()) {
    std::memcpy(out.data(), t.raw_data().data(), bytes); // little-endian, as this host
  } else {
    switch (dtype) {
    case DType::F32:
      std::copy(t.float_data().begin(), t.float_data().end(), out.as<float>().begin());
      break;
    case DType::F64:
      std::copy(t.double_data().begin(), t.double_data().end(), out.as<double>().begin());
      break;
    case DType::I64:
      std::copy(t.int64_data().begin(), t.int64_data().end(), out.as<int64_t>().begin());
      break;
    default:
      std::copy(t.int32_data().begin(), t.int32_data().end(), out.as<int32_t>().begin());
    }
  }
  return out;
}

/// The integers of a host tensor (int64 or int32), e.g. a Reshape's shape.
std::vector<int64_t> integers(const HostTensor &t) {
  if (t.dtype() == DType::I64)
    return {t.as<int64_t>().begin(), t.as<int64_t>().end()};
  if (t.dtype() == DType::I32)
    return {t.as<int32_t>().begin(), t.as<int32_t>().end()};
  throw Error("expected an integer tensor, got " + std::string(runtime::dtypeName(t.dtype())));
}

/// An initializer or constant as a graph value: float data becomes a variable (the model's
/// weights, kept under their ONNX names), integers a constant.
Tensor Importer::graphTensor(const std::string &name, const HostTensor &host) {
  std::vector<float> values(static_cast<size_t>(host.spec().numElements()));
  switch (host.dtype()) {
  case DType::F32:
    std::copy(host.as<float>().begin(), host.as<float>().end(), values.begin());
    break;
  case DType::F64:
    std::transform(host.as<double>().begin(), host.as<double>().end(), values.begin(),
                   [](double v) { return static_cast<float>(v); });
    break;
  default: {
    std::vector<int64_t> ints = integers(host);
    std::vector<int32_t> narrow(ints.begin(), ints.end());
    return constant(g_, narrow, host.shape());
  }
  }
  return g_.variable(name, constant(g_, values, host.shape()));
}

Value &Importer::known(const ::onnx::NodeProto &node, int input) {
  if (!hasInput(node, input))
    failNode(node, "input " + std::to_string(input) + " is missing");
  auto it = values_.find(node.input(input));
  if (it == values_.end())
    failNode(node, "input '" + node.input(input) + "' is not produced before this node");
  return it->second;
}

const Value &Importer::value(const ::onnx::NodeProto &node, int input) {
  Value &v = known(node, input);
  if (!v.tensor)
    v.tensor = graphTensor(node.input(input), *v.host);
  return v;
}

const HostTensor &Importer::hostInput(const ::onnx::NodeProto &node, int input) {
  const Value &v = known(node, input);
  if (!v.host)
    failNode(node, "input '" + node.input(input) +
                       "' must be an initializer or a constant (it is computed by the graph)");
  return *v.host;
}

Tensor Importer::nhwc(const ::onnx::NodeProto &node, const Value &v) const {
  if (v.nhwc)
    return *v.tensor;
  if (v.tensor->rank() != 4)
    failNode(node, "needs a 4-D NCHW input, got shape " + runtime::shapeString(v.tensor->shape()));
  return transpose(*v.tensor, {0, 2, 3, 1});
}

/// An ONNX convolution's or pooling's padding: pads are {top, left, bottom, right}.
Padding padding(const ::onnx::NodeProto &node, const std::function<void(std::string)> &fail) {
  std::string autoPad = stringAttr(node, "auto_pad", "NOTSET");
  if (autoPad == "VALID")
    return "valid";
  if (autoPad == "SAME_UPPER")
    return "same";
  if (autoPad != "NOTSET")
    fail("auto_pad " + autoPad + " is not supported (NOTSET, VALID, SAME_UPPER are)");
  std::vector<int64_t> pads = intsAttr(node, "pads", {0, 0, 0, 0});
  if (pads.size() != 4)
    fail("needs 4 pads for a 2-D window, got " + std::to_string(pads.size()));
  return Padding(pads[0], pads[2], pads[1], pads[3]);
}

Size2 pair(const ::onnx::NodeProto &node, const std::string &name,
           const std::function<void(std::string)> &fail) {
  std::vector<int64_t> v = intsAttr(node, name, {1, 1});
  if (v.size() != 2)
    fail(name + " must have 2 values (2-D images only), got " + std::to_string(v.size()));
  return {v[0], v[1]};
}

/// [a, b, c, d] data reordered as `perm` says (a host-side transpose of a weight).
HostTensor permuted(const HostTensor &t, const std::vector<int64_t> &perm) {
  Shape in = t.shape(), out(in.size());
  for (size_t i = 0; i < perm.size(); ++i)
    out[i] = in[static_cast<size_t>(perm[i])];
  HostTensor r(t.dtype(), out);
  std::vector<int64_t> inStride(in.size(), 1);
  for (size_t i = in.size() - 1; i-- > 0;)
    inStride[i] = inStride[i + 1] * in[i + 1];
  size_t elem = runtime::dtypeSize(t.dtype());
  auto *src = static_cast<const std::byte *>(t.data());
  auto *dst = static_cast<std::byte *>(r.data());
  std::vector<int64_t> index(out.size(), 0);
  int64_t total = r.spec().numElements();
  for (int64_t k = 0; k < total; ++k) {
    int64_t from = 0;
    for (size_t i = 0; i < out.size(); ++i)
      from += index[i] * inStride[static_cast<size_t>(perm[i])];
    std::memcpy(dst + static_cast<size_t>(k) * elem, src + static_cast<size_t>(from) * elem, elem);
    for (size_t i = out.size(); i-- > 0;) {
      if (++index[i] < out[i])
        break;
      index[i] = 0;
    }
  }
  return r;
}

Tensor Importer::relaidWeight(const ::onnx::NodeProto &node, int input,
                              const std::vector<int64_t> &permutation, const std::string &suffix) {
  const std::string &name = node.input(input);
  bool only = uses_[name] == 1 && !known(node, input).tensor;
  return graphTensor(only ? name : name + "/" + suffix,
                     permuted(hostInput(node, input), permutation));
}

// ---- nodes ------------------------------------------------------------------------------------

using Unary = Tensor (*)(const Tensor &, Loc);
const std::map<std::string, Unary> &unaryOps() {
  static const std::map<std::string, Unary> ops = {
      {"Relu", relu}, {"Sigmoid", sigmoid}, {"Tanh", tanh}, {"Exp", exp},     {"Log", log},
      {"Sqrt", sqrt}, {"Neg", neg},         {"Abs", abs},   {"Floor", floor}, {"Ceil", ceil}};
  return ops;
}

using Binary = Tensor (*)(const Tensor &, const Tensor &, Loc);
const std::map<std::string, Binary> &binaryOps() {
  static const std::map<std::string, Binary> ops = {{"Add", add},    {"Sub", sub}, {"Mul", mul},
                                                    {"Div", div},    {"Pow", pow}, {"Max", maximum},
                                                    {"Min", minimum}};
  return ops;
}

const std::vector<std::string> &structuralOps() {
  static const std::vector<std::string> ops = {"AveragePool",   "BatchNormalization",
                                               "Clip",          "Concat",
                                               "Constant",      "Conv",
                                               "Dropout",       "Flatten",
                                               "Gemm",          "GlobalAveragePool",
                                               "GlobalMaxPool", "Identity",
                                               "MatMul",        "MaxPool",
                                               "Reshape",       "Softmax",
                                               "Transpose"};
  return ops;
}

void Importer::importNode(const ::onnx::NodeProto &node) {
  const std::string &op = node.op_type();
  auto failHere = [&](const std::string &what) { failNode(node, what); };
  auto out = [&](Tensor t, bool isNhwc = false) {
    if (node.output_size() < 1)
      failHere("has no output");
    values_[node.output(0)] = Value{t, isNhwc};
  };
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    failHere("op domain '" + node.domain() + "' is not supported (only the default ONNX domain)");

  if (auto it = unaryOps().find(op); it != unaryOps().end()) {
    const Value &x = value(node, 0);
    out(it->second(*x.tensor, Loc::current()), x.nhwc); // elementwise: any layout
    return;
  }
  if (auto it = binaryOps().find(op); it != binaryOps().end()) {
    const Value &a = value(node, 0), &b = value(node, 1);
    if (a.nhwc && b.nhwc) // e.g. a residual Add of two convolutions
      return out(it->second(*a.tensor, *b.tensor, Loc::current()), true);
    return out(it->second(nchw(a), nchw(b), Loc::current()));
  }
  if (op == "Identity" || op == "Dropout") { // inference: Dropout passes its input through
    values_[node.output(0)] = Value(value(node, 0));
    return;
  }
  if (op == "Constant") {
    const auto *a = attribute(node, "value");
    if (!a || !a->has_t())
      failHere("only the 'value' (tensor) form of Constant is supported");
    HostTensor &h = hosts_[node.output(0)] = hostTensor(a->t());
    values_[node.output(0)] = Value{std::nullopt, false, &h};
    return;
  }
  if (op == "Gemm" || op == "MatMul") {
    bool ta = op == "Gemm" && intAttr(node, "transA", 0);
    bool tb = op == "Gemm" && intAttr(node, "transB", 0);
    Tensor a = nchw(value(node, 0)), b;
    if (tb && known(node, 1).host && known(node, 1).host->shape().size() == 2) {
      // A weight [out, in] (PyTorch's Linear) is stored [in, out]: the product is then the
      // plain x·W whose bias and activation join the matmul kernel as its epilogue.
      b = relaidWeight(node, 1, {1, 0}, "transposed");
      tb = false;
    } else {
      b = nchw(value(node, 1));
    }
    Tensor y = matmul(a, b, ta, tb);
    if (op == "Gemm") {
      float alpha = floatAttr(node, "alpha", 1.0f), beta = floatAttr(node, "beta", 1.0f);
      if (alpha != 1.0f)
        y = y * static_cast<double>(alpha);
      if (hasInput(node, 2)) {
        Tensor c = nchw(value(node, 2));
        y = y + (beta != 1.0f ? c * static_cast<double>(beta) : c);
      }
    }
    return out(y);
  }
  if (op == "Conv") {
    const HostTensor &w = hostInput(node, 1); // [out, in / groups, kh, kw]
    if (w.shape().size() != 4)
      failHere("only 2-D convolutions are supported (weight of rank " +
               std::to_string(w.shape().size()) + ")");
    Tensor filter = relaidWeight(node, 1, {2, 3, 1, 0}, "hwio");
    Tensor y = conv2d(nhwc(node, value(node, 0)), filter, pair(node, "strides", failHere),
                      padding(node, failHere), pair(node, "dilations", failHere),
                      intAttr(node, "group", 1));
    if (hasInput(node, 2))
      y = y + *value(node, 2).tensor; // [out]: the last (channel) axis of NHWC
    return out(y, true);
  }
  if (op == "MaxPool" || op == "AveragePool") {
    if (intAttr(node, "ceil_mode", 0))
      failHere("ceil_mode 1 is not supported");
    if (op == "MaxPool" && pair(node, "dilations", failHere) != Size2{1, 1})
      failHere("dilated pooling is not supported");
    if (node.output_size() > 1 && !node.output(1).empty())
      failHere("the Indices output is not supported");
    Padding pad = padding(node, failHere);
    if (op == "AveragePool" && intAttr(node, "count_include_pad", 0) &&
        (pad.mode != "explicit" || pad.amounts != std::array<int64_t, 4>{}))
      failHere("count_include_pad 1 with padding is not supported (padded positions are not "
               "counted)");
    Tensor x = nhwc(node, value(node, 0));
    Size2 window = pair(node, "kernel_shape", failHere), strides = pair(node, "strides", failHere);
    return out(op == "MaxPool" ? maxPool2d(x, window, strides, pad)
                               : avgPool2d(x, window, strides, pad),
               true);
  }
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    const Value &x = value(node, 0);
    std::vector<int64_t> axes = x.nhwc ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{2, 3};
    Tensor y = op == "GlobalAveragePool" ? reduceMean(*x.tensor, axes, true)
                                         : reduceMax(*x.tensor, axes, true);
    return out(y, x.nhwc);
  }
  if (op == "BatchNormalization") {
    if (intAttr(node, "training_mode", 0))
      failHere("training_mode 1 is not supported (inference graphs only)");
    if (node.output_size() > 1)
      failHere("the running-statistics outputs are not supported (inference graphs only)");
    const Value &x = value(node, 0);
    Tensor scale = *value(node, 1).tensor, bias = *value(node, 2).tensor;
    Tensor mean = *value(node, 3).tensor, var = *value(node, 4).tensor;
    double eps = floatAttr(node, "epsilon", 1e-5f);
    Tensor k = scale / sqrt(var + eps), shift = bias - mean * k;
    if (!x.nhwc && x.tensor->rank() > 2) { // [C] along axis 1: [C, 1, ...]
      Shape s{k.shape()[0]};
      s.resize(static_cast<size_t>(x.tensor->rank() - 1), 1);
      k = reshape(k, s);
      shift = reshape(shift, s);
    }
    return out(*x.tensor * k + shift, x.nhwc);
  }
  if (op == "Flatten") {
    Tensor x = nchw(value(node, 0));
    int64_t axis = intAttr(node, "axis", 1), rank = x.rank();
    if (axis < 0)
      axis += rank;
    if (axis != 1)
      failHere("only axis 1 is supported (batch first), got " + std::to_string(axis));
    int64_t inner = 1;
    for (int64_t d = 1; d < rank; ++d)
      inner *= x.shape()[static_cast<size_t>(d)];
    return out(reshape(x, {x.shape()[0], inner}));
  }
  if (op == "Reshape") {
    Tensor x = nchw(value(node, 0));
    if (intAttr(node, "allowzero", 0))
      failHere("allowzero 1 is not supported");
    std::vector<int64_t> target = integers(hostInput(node, 1));
    Shape in = x.shape();
    bool batch = !in.empty() && in[0] < 0;
    int64_t known = 1, inferred = -1, total = 1;
    for (size_t i = batch ? 1 : 0; i < in.size(); ++i)
      total *= in[i];
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == 0) {
        if (i >= in.size())
          failHere("a 0 in the shape copies a dimension the input does not have");
        target[i] = in[i];
      }
      if (batch && i == 0) {
        if (target[0] != -1)
          failHere("the batch dimension must stay first (0 or -1 in the shape)");
        continue;
      }
      if (target[i] == -1) {
        if (inferred >= 0)
          failHere("more than one -1 in the shape");
        inferred = static_cast<int64_t>(i);
      } else if (target[i] < 0 || __builtin_mul_overflow(known, target[i], &known)) {
        failHere("the shape " + runtime::shapeString(target) + " is not a valid shape");
      }
    }
    if (inferred >= 0)
      target[static_cast<size_t>(inferred)] = known ? total / known : 0;
    return out(reshape(x, target));
  }
  if (op == "Transpose") {
    Tensor x = nchw(value(node, 0));
    std::vector<int64_t> perm = intsAttr(node, "perm", {});
    if (perm.empty())
      for (int64_t d = x.rank(); d-- > 0;)
        perm.push_back(d);
    return out(transpose(x, perm));
  }
  if (op == "Concat") {
    std::vector<Tensor> parts;
    for (int i = 0; i < node.input_size(); ++i)
      parts.push_back(nchw(value(node, i)));
    return out(concat(parts, intAttr(node, "axis", 0)));
  }
  if (op == "Pad") {
    if (stringAttr(node, "mode", "constant") != "constant")
      failHere("only mode 'constant' is supported");
    std::vector<int64_t> pads = integers(hostInput(node, 1));
    double fill = 0;
    if (hasInput(node, 2)) {
      const HostTensor &v = hostInput(node, 2);
      if (v.dtype() != DType::F32 || v.spec().numElements() != 1)
        failHere("the constant value must be one float");
      fill = v.as<float>()[0];
    }
    const Value &in = value(node, 0);
    size_t rank = static_cast<size_t>(in.tensor->rank());
    if (pads.size() != 2 * rank)
      failHere("needs " + std::to_string(2 * rank) + " pads, got " + std::to_string(pads.size()));
    if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })) {
      values_[node.output(0)] = Value(in); // no padding (PyTorch exports one before pools)
      return;
    }
    std::vector<std::pair<int64_t, int64_t>> paddings;
    for (size_t d = 0; d < rank; ++d)
      paddings.emplace_back(pads[d], pads[d + rank]);
    return out(pad(nchw(in), paddings, fill));
  }
  if (op == "Softmax") {
    Tensor x = nchw(value(node, 0));
    int64_t axis = intAttr(node, "axis", -1);
    if (axis != -1 && axis != x.rank() - 1)
      failHere("only the last axis is supported, got axis " + std::to_string(axis));
    return out(softmax(x));
  }
  if (op == "Clip") {
    const Value &x = value(node, 0);
    Tensor y = *x.tensor;
    if (hasInput(node, 1))
      y = maximum(y, *value(node, 1).tensor);
    if (hasInput(node, 2))
      y = minimum(y, *value(node, 2).tensor);
    return out(y, x.nhwc);
  }
  failHere("op type '" + op + "' is not supported (supported: see supportedOnnxOps())");
}

ImportedGraph Importer::run(const ::onnx::ModelProto &model) {
  for (const auto &opset : model.opset_import())
    if ((opset.domain().empty() || opset.domain() == "ai.onnx") && opset.version() < 13)
      fail("opset " + std::to_string(opset.version()) +
           " is older than 13 (supported: 13 and "
           "later; onnx.version_converter converts a model)");
  const ::onnx::GraphProto &graph = model.graph();
  for (const Proto &init : graph.initializer()) {
    HostTensor &h = hosts_[init.name()] = hostTensor(init);
    values_[init.name()] = Value{std::nullopt, false, &h};
  }
  ImportedGraph result;
  for (const ::onnx::ValueInfoProto &in : graph.input()) {
    if (values_.count(in.name()))
      continue; // an initializer listed as an input (older exporters)
    const auto &type = in.type().tensor_type();
    if (type.elem_type() != Proto::FLOAT)
      fail("input '" + in.name() + "' is not float32 (ONNX type " +
           std::to_string(type.elem_type()) + ")");
    Shape shape;
    for (int i = 0; i < type.shape().dim_size(); ++i) {
      const auto &d = type.shape().dim(i);
      bool symbolic = !d.has_dim_value() || d.dim_value() <= 0;
      if (symbolic && i != 0)
        fail("input '" + in.name() + "' has a symbolic dimension " + std::to_string(i) +
             " (only the first, the batch, may be)");
      shape.push_back(symbolic ? -1 : d.dim_value());
    }
    Tensor t = g_.input(in.name(), shape);
    values_[in.name()] = Value{t};
    result.inputs.push_back(t);
    result.inputNames.push_back(in.name());
  }
  for (const ::onnx::NodeProto &node : graph.node())
    for (const std::string &in : node.input())
      ++uses_[in];
  for (const ::onnx::NodeProto &node : graph.node())
    importNode(node);
  for (const ::onnx::ValueInfoProto &o : graph.output()) {
    auto it = values_.find(o.name());
    if (it == values_.end())
      fail("output '" + o.name() + "' is not produced by any node");
    result.outputs.push_back(nchw(it->second));
    result.outputNames.push_back(o.name());
  }
  return result;
}

} // namespace

ImportedGraph importOnnx(Graph &g, const std::string &path) {
  std::string bytes = runtime::readFile(path, "ONNX model");
  ::onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    throw Error(path + ": not an ONNX model (the protobuf does not parse)");
  if (!model.has_graph())
    throw Error(path + ": the ONNX model has no graph");
  return Importer(g, path).run(model);
}

void convertOnnx(const std::string &onnxPath, const std::string &sinterPath,
                 const std::string &entry) {
  Graph g; // saving reads the graph: it must outlive the program
  ImportedGraph imported = importOnnx(g, onnxPath);
  g.compile({Entry{entry, imported.inputs, imported.outputs, {}, imported.outputNames}})
      .save(sinterPath);
}

std::vector<std::string> supportedOnnxOps() {
  std::set<std::string> ops(structuralOps().begin(), structuralOps().end());
  for (const auto &[name, fn] : unaryOps())
    ops.insert(name);
  for (const auto &[name, fn] : binaryOps())
    ops.insert(name);
  return {ops.begin(), ops.end()};
}

} // namespace sinter::onnx
