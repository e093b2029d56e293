#ifndef SINTER_OPS_TD
#define SINTER_OPS_TD

include "sinter/Compiler/Dialect/SinterDialect.td"
include "sinter/Compiler/Dialect/DifferentiableOpInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Sinter_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sinter_Dialect, mnemonic, traits>;

def Sinter_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Sinter_Tensor : RankedTensorOf<[AnyType]>;
def Sinter_BoolTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Sources and state
//===----------------------------------------------------------------------===//

def Sinter_ConstantOp : Sinter_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "constant tensor";
  let description = [{
    A tensor of fixed values. Any dtype. No gradient (a constant is not a function of
    anything).
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Sinter_InputOp : Sinter_Op<"input", [Pure, InferTypeOpAdaptor]> {
  let summary = "named program input (a placeholder)";
  let description = [{
    A value fed by the caller of an entry point. When an entry point is extracted from the
    graph, each input becomes an argument of its function. Any dtype.
  }];
  let arguments = (ins StrAttr:$name, TypeAttr:$type);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` $type";
}

def Sinter_VariableOp : Sinter_Op<"variable", [Symbol]> {
  let summary = "a named variable shared by the entry points of a program";
  let description = [{
    Declares state that outlives a call: weights, optimizer slots, statistics. Lives at module
    level; read with `sinter.read`, written with `sinter.assign`.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttr:$type, UnitAttr:$trainable);
  let assemblyFormat = "$sym_name attr-dict `:` $type";
}

def Sinter_ReadOp : Sinter_Op<"read",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "value of a variable at the start of the call";
  let description = [{
    Reads are pure: every read in one call sees the value the variable had when the call
    started, whatever `sinter.assign`s the call makes. Gradients flow to the read value
    (that is how `sinter.grad` differentiates with respect to a variable).
  }];
  let arguments = (ins FlatSymbolRefAttr:$variable);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$variable attr-dict `:` type($result)";
}

def Sinter_AssignOp : Sinter_Op<"assign",
    [MemoryEffects<[MemWrite]>, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "value of a variable after the call";
  let description = [{
    Sets the variable's value for the next call. At most one assign per variable per entry
    point; it takes effect when the call returns.
  }];
  let arguments = (ins FlatSymbolRefAttr:$variable, Sinter_Tensor:$value);
  let assemblyFormat = "$variable `,` $value attr-dict `:` type($value)";
}

def Sinter_RandomOp : Sinter_Op<"random", [Pure]> {
  let summary = "counter-based random tensor";
  let description = [{
    Element i is a pure function of (seed, counter) with counter = offset·N + i (N the element
    count; `offset` an optional int64 scalar operand, 0 if absent) — a Philox-style counter
    hash — so the same seed gives the same numbers on every run and every backend, and a
    training step that feeds a step counter as `offset` (dropout) draws fresh numbers each step.
    `distribution` is one of `uniform` (in [a, b)), `normal` (mean a, stddev b) or
    `truncated_normal` (mean a, stddev b, redrawn outside two standard deviations, as
    TensorFlow does). Float dtypes. No gradient.
  }];
  let arguments = (ins Optional<RankedTensorOf<[I64]>>:$offset, StrAttr:$distribution,
                   I64Attr:$seed, F64Attr:$a, F64Attr:$b);
  let results = (outs Sinter_FloatTensor:$result);
  let assemblyFormat = "$distribution (`offset` $offset^ `:` type($offset))? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// The lowering of an elementwise op that is one scalar op per element, by element type:
// `scalarOp` for floats (and for every type when the integer ones are empty), `scalarIntOp`
// for signed integers, `scalarUnsignedOp` for unsigned ones (default: scalarIntOp). Set in a
// def's body; the lowering (SinterToLinalg.cpp) reads the generated kScalarOps and needs no
// case of its own. Ops without it are lowered by hand.
class Sinter_ScalarMapped {
  string scalarOp = "";
  string scalarIntOp = "";
  string scalarUnsignedOp = "";
  string scalarOpsDeclaration = !if(!empty(scalarOp), "",
      "static constexpr ::llvm::StringLiteral kScalarOps[3] = {\"" # scalarOp # "\", \"" #
      !if(!empty(scalarIntOp), scalarOp, scalarIntOp) # "\", \"" #
      !if(!empty(scalarUnsignedOp), !if(!empty(scalarIntOp), scalarOp, scalarIntOp),
          scalarUnsignedOp) # "\"};");
}

class Sinter_UnaryOp<string mnemonic, string summ, string grad,
                     Type type = Sinter_FloatTensor>
    : Sinter_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface,
                           DeclareOpInterfaceMethods<DifferentiableOpInterface>]>,
      Sinter_ScalarMapped {
  let extraClassDeclaration = scalarOpsDeclaration;
  let summary = summ;
  let description = "Elementwise. Gradient: " # grad # ".";
  let arguments = (ins type:$operand);
  let results = (outs type:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
}

def Sinter_NegOp : Sinter_UnaryOp<"neg", "-x", "-g", Sinter_Tensor>;
def Sinter_ExpOp : Sinter_UnaryOp<"exp", "e^x", "g·y"> {
  let scalarOp = "math.exp";
}
def Sinter_LogOp : Sinter_UnaryOp<"log", "natural logarithm", "g/x"> {
  let scalarOp = "math.log";
}
def Sinter_SqrtOp : Sinter_UnaryOp<"sqrt", "square root", "g/(2y)"> {
  let scalarOp = "math.sqrt";
}
def Sinter_TanhOp : Sinter_UnaryOp<"tanh", "hyperbolic tangent", "g·(1−y²)"> {
  let scalarOp = "math.tanh";
}
def Sinter_SigmoidOp : Sinter_UnaryOp<"sigmoid", "logistic 1/(1+e^−x)", "g·y·(1−y)">;
def Sinter_ReluOp : Sinter_UnaryOp<"relu", "max(x, 0)", "g where x > 0, else 0">;
def Sinter_AbsOp : Sinter_UnaryOp<"abs", "|x|", "g·sign(x)", Sinter_Tensor> {
  let scalarOp = "math.absf";
  let scalarIntOp = "math.absi";
}
def Sinter_SinOp : Sinter_UnaryOp<"sin", "sine", "g·cos(x)"> {
  let scalarOp = "math.sin";
}
def Sinter_CosOp : Sinter_UnaryOp<"cos", "cosine", "−g·sin(x)"> {
  let scalarOp = "math.cos";
}
def Sinter_TanOp : Sinter_UnaryOp<"tan", "tangent", "g·(1 + y²)"> {
  let scalarOp = "math.tan";
}
def Sinter_FloorOp : Sinter_UnaryOp<"floor", "largest integer ≤ x", "0"> {
  let scalarOp = "math.floor";
}
def Sinter_CeilOp : Sinter_UnaryOp<"ceil", "smallest integer ≥ x", "0"> {
  let scalarOp = "math.ceil";
}
def Sinter_RoundOp : Sinter_UnaryOp<"round", "nearest integer, ties to even (as tf.round)", "0"> {
  let scalarOp = "math.roundeven";
}
def Sinter_SignOp : Sinter_UnaryOp<"sign", "−1, 0 or 1 (0 for NaN)", "0", Sinter_Tensor>;
// The identity to everything but the autodiff: a constant to gradients (tf.stop_gradient). The
// decompose pass replaces it by its operand once the gradients are taken.
def Sinter_StopGradientOp : Sinter_UnaryOp<"stop_gradient",
    "x, seen by gradients as a constant (tf.stop_gradient)", "0", Sinter_Tensor>;

def Sinter_IsNanOp : Sinter_Op<"is_nan", [Pure, InferTypeOpAdaptor]> {
  let summary = "elementwise NaN test";
  let description = "Bool result. Not differentiable.";
  let arguments = (ins Sinter_FloatTensor:$operand);
  let results = (outs Sinter_BoolTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
}

def Sinter_NotOp : Sinter_Op<"not", [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "logical not of a bool tensor";
  let description = "Not differentiable.";
  let arguments = (ins Sinter_BoolTensor:$operand);
  let results = (outs Sinter_BoolTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
}

class Sinter_BinaryOp<string mnemonic, string summ, string grad,
                      Type type = Sinter_Tensor>
    : Sinter_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface,
                           DeclareOpInterfaceMethods<DifferentiableOpInterface>]>,
      Sinter_ScalarMapped {
  let extraClassDeclaration = scalarOpsDeclaration;
  let summary = summ;
  let description = "Elementwise on operands of one shape and dtype (broadcasting is "
                    "explicit). Gradient: " # grad # ".";
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs)";
}

def Sinter_AddOp : Sinter_BinaryOp<"add", "a + b", "(g, g)"> {
  let scalarOp = "arith.addf";
  let scalarIntOp = "arith.addi";
}
def Sinter_SubOp : Sinter_BinaryOp<"sub", "a − b", "(g, −g)"> {
  let scalarOp = "arith.subf";
  let scalarIntOp = "arith.subi";
}
def Sinter_MulOp : Sinter_BinaryOp<"mul", "a · b", "(g·b, g·a)"> {
  let scalarOp = "arith.mulf";
  let scalarIntOp = "arith.muli";
}
def Sinter_DivOp : Sinter_BinaryOp<"div", "a / b (floats; integers truncate)",
                                   "(g/b, −g·a/b²)"> {
  let scalarOp = "arith.divf";
  let scalarIntOp = "arith.divsi";
  let scalarUnsignedOp = "arith.divui";
}
def Sinter_PowOp : Sinter_BinaryOp<"pow", "a^b (integers: exact while the result fits)",
                                   "(g·b·a^(b−1), g·log(a)·a^b)">;
def Sinter_MaximumOp : Sinter_BinaryOp<"maximum", "max(a, b)",
                                       "g to the larger operand, split evenly on ties"> {
  let scalarOp = "arith.maximumf";
  let scalarIntOp = "arith.maxsi";
  let scalarUnsignedOp = "arith.maxui";
}
def Sinter_MinimumOp : Sinter_BinaryOp<"minimum", "min(a, b)",
                                       "g to the smaller operand, split evenly on ties"> {
  let scalarOp = "arith.minimumf";
  let scalarIntOp = "arith.minsi";
  let scalarUnsignedOp = "arith.minui";
}

def Sinter_FloorDivOp : Sinter_BinaryOp<"floordiv", "⌊a / b⌋ (Python's //)", "0 for both operands">;
def Sinter_ModOp : Sinter_BinaryOp<"mod",
    "a − ⌊a / b⌋·b: the remainder with the divisor's sign (Python's %)", "(g, −g·⌊a/b⌋)">;

class Sinter_LogicalOp<string mnemonic, string summ>
    : Sinter_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface]>,
      Sinter_ScalarMapped {
  let extraClassDeclaration = scalarOpsDeclaration;
  let summary = summ;
  let description = "Elementwise on bool tensors of one shape. Not differentiable.";
  let arguments = (ins Sinter_BoolTensor:$lhs, Sinter_BoolTensor:$rhs);
  let results = (outs Sinter_BoolTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs)";
}
def Sinter_AndOp : Sinter_LogicalOp<"and", "logical and"> {
  let scalarOp = "arith.andi";
}
def Sinter_OrOp : Sinter_LogicalOp<"or", "logical or"> {
  let scalarOp = "arith.ori";
}

def Sinter_CompareOp : Sinter_Op<"compare", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "elementwise comparison";
  let description = [{
    `direction` is one of eq, ne, lt, le, gt, ge. Result is a bool (i1) tensor of the operands'
    shape. Not differentiable.
  }];
  let arguments = (ins StrAttr:$direction, Sinter_Tensor:$lhs, Sinter_Tensor:$rhs);
  let results = (outs Sinter_BoolTensor:$result);
  let assemblyFormat = "$direction `,` $lhs `,` $rhs attr-dict `:` type($lhs)";
}

def Sinter_SelectOp : Sinter_Op<"select", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["lhs", "rhs"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "elementwise choice: cond ? a : b";
  let description = "Gradient: (none, select(c, g, 0), select(c, 0, g)).";
  let arguments = (ins Sinter_BoolTensor:$cond, Sinter_Tensor:$lhs, Sinter_Tensor:$rhs);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$cond `,` $lhs `,` $rhs attr-dict `:` type($cond) `,` type($lhs)";
}

def Sinter_CastOp : Sinter_Op<"cast", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "elementwise dtype conversion";
  let description = [{
    Converts each element to the result's dtype with TensorFlow's semantics (float → int
    truncates toward zero, int → narrower int wraps, bool is 0/1). Gradient: cast back for
    float → float; none when either side is an integer or bool.
  }];
  let arguments = (ins Sinter_Tensor:$operand);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contraction and reductions
//===----------------------------------------------------------------------===//

def Sinter_MatmulOp : Sinter_Op<"matmul", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "batched matrix product";
  let description = [{
    op(a) · op(b) over the last two dimensions, where op transposes them when
    `transpose_a`/`transpose_b` is set; leading (batch) dimensions must be equal (the
    frontend broadcasts them). Float dtypes; runs on the oneDNN (CPU) / cuBLAS (GPU) kernel.
    Gradient: (g · op(b)ᵀ, op(a)ᵀ · g), expressed with the transpose flags.
  }];
  let arguments = (ins Sinter_FloatTensor:$lhs, Sinter_FloatTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_a,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_b);
  let results = (outs Sinter_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
}

class Sinter_ReduceOp<string mnemonic, string summ, string grad>
    : Sinter_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                           DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = summ;
  let description = "Reduces over `axes` (non-negative, distinct); `keepdims` keeps them as "
                    "size 1. Gradient: " # grad # ".";
  let arguments = (ins Sinter_Tensor:$operand, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
}

def Sinter_ReduceSumOp : Sinter_ReduceOp<"reduce_sum", "sum over axes", "g broadcast back">;
def Sinter_ReduceMeanOp : Sinter_ReduceOp<"reduce_mean", "mean over axes (floats)",
                                          "g/n broadcast back">;
def Sinter_ReduceMaxOp : Sinter_ReduceOp<"reduce_max", "maximum over axes",
    "g to the positions equal to the maximum, split evenly on ties">;
def Sinter_ReduceMinOp : Sinter_ReduceOp<"reduce_min", "minimum over axes",
    "g to the positions equal to the minimum, split evenly on ties">;
def Sinter_ReduceProdOp : Sinter_ReduceOp<"reduce_prod", "product over axes",
    "g·y/x broadcast back (inputs must be non-zero for the gradient)">;

class Sinter_ArgOp<string mnemonic, string summ>
    : Sinter_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = summ;
  let description = "Index (int64) along `axis` of the extreme value; the first one on ties. "
                    "The axis is removed. Not differentiable.";
  let arguments = (ins Sinter_Tensor:$operand, I64Attr:$axis);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
}
def Sinter_ArgMaxOp : Sinter_ArgOp<"argmax", "position of the maximum along an axis">;
def Sinter_ArgMinOp : Sinter_ArgOp<"argmin", "position of the minimum along an axis">;

def Sinter_TopKOp : Sinter_Op<"top_k", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "the k largest entries along the last axis";
  let description = [{
    `values` sorted in decreasing order and their `indices` (int32) along the last axis; equal
    values keep their order (as tf.math.top_k). Gradient: g of each value to its position.
  }];
  let arguments = (ins Sinter_Tensor:$operand, I64Attr:$k);
  let results = (outs Sinter_Tensor:$values, RankedTensorOf<[I32]>:$indices);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($values) `,` type($indices)";
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (NHWC images)
//===----------------------------------------------------------------------===//

// The geometry every convolution op shares: `strides` and `dilations` are [h, w] (positive);
// `padding` is [top, bottom, left, right] (non-negative, zeros); channels split into `groups`
// (depthwise: groups = input channels). Filters are [kh, kw, in_channels / groups,
// out_channels]; out channel o belongs to group o / (out_channels / groups).
class Sinter_ConvOp<string mnemonic, string summ, string desc, list<Trait> traits = []>
    : Sinter_Op<mnemonic, !listconcat([Pure,
        DeclareOpInterfaceMethods<DifferentiableOpInterface>], traits)> {
  let summary = summ;
  let description = desc;
  let arguments = (ins Sinter_FloatTensor:$lhs, Sinter_FloatTensor:$rhs,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$padding, DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Sinter_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
}

def Sinter_Conv2DOp : Sinter_ConvOp<"conv2d", "2-D convolution (cross-correlation)", [{
    y[n, i, j, o] = Σ x_padded[n, i·sh + a·dh, j·sw + b·dw, c] · w[a, b, c, o] over the
    filter window and the input channels of o's group; x is [n, h, w, in_channels] (`lhs`),
    w is [kh, kw, in_channels / groups, out_channels] (`rhs`). Output size per spatial
    dimension: (size + padding − dilation·(k − 1) − 1) / stride + 1. Gradient:
    (conv2d_backprop_input(g, w), conv2d_backprop_filter(x, g)).
  }], [InferTypeOpAdaptor]>;

def Sinter_Conv2DBackpropInputOp : Sinter_ConvOp<"conv2d_backprop_input",
    "gradient of conv2d with respect to its input (the transposed convolution)", [{
    The adjoint of conv2d in its input: for an output gradient g (`lhs`, conv2d's result
    shape) and filter w (`rhs`), the input-shaped result (its type is given: several input
    sizes give one output size) is Σ over the positions each input element was read from.
    With g any image, this is conv2d_transpose. Linear in both operands; gradient:
    (conv2d(gz, w), conv2d_backprop_filter(gz, g)) for a result gradient gz.
  }]> {
  let hasVerifier = 1;
}

def Sinter_Conv2DBackpropFilterOp : Sinter_ConvOp<"conv2d_backprop_filter",
    "gradient of conv2d with respect to its filter", [{
    For conv2d's input x (`lhs`) and an output gradient g (`rhs`), the filter-shaped result
    (its type is given) is Σ over batch and output positions of x at the window position
    times g. Gradient for a result gradient gw: (conv2d_backprop_input(g, gw), conv2d(x, gw)).
  }]> {
  let hasVerifier = 1;
}

class Sinter_PoolOp<string mnemonic, string summ, string grad>
    : Sinter_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                           DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = summ;
  let description = "Over [kh, kw] `window`s of an NHWC image, moved by `strides` [h, w], "
                    "after `padding` [top, bottom, left, right]; padded positions never "
                    "count. Gradient: " # grad # ".";
  let arguments = (ins Sinter_FloatTensor:$operand, DenseI64ArrayAttr:$window,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs Sinter_FloatTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
}

def Sinter_MaxPool2DOp : Sinter_PoolOp<"max_pool2d", "maximum over each window",
    "max_pool2d_grad(x, g): g to the first position (row-major in the window) holding the "
    "maximum">;
def Sinter_AvgPool2DOp : Sinter_PoolOp<"avg_pool2d",
    "mean over each window (of the positions inside the image)",
    "avg_pool2d_grad(g): g/count spread over each window">;

// The pooling gradients, and the ops their own gradients need (so gradients of gradients
// through a pooling work). Run by the runtime's pooling kernels (Abi.h).
class Sinter_PoolGradOp<string mnemonic, string summ, string desc, dag operands,
                        list<Trait> traits = []>
    : Sinter_Op<mnemonic, !listconcat([Pure,
        DeclareOpInterfaceMethods<DifferentiableOpInterface>], traits)> {
  let summary = summ;
  let description = desc # " The window geometry is that of the pooling.";
  let arguments = !con(operands, (ins DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
                                      DenseI64ArrayAttr:$padding));
  let results = (outs Sinter_FloatTensor:$result);
}

def Sinter_MaxPool2DGradOp : Sinter_PoolGradOp<"max_pool2d_grad",
    "gradient of max_pool2d with respect to its input", [{
    For the pooling's input x and a gradient g of its result: each g goes to the first
    position (row-major in its window) of x holding the window's maximum; positions that are
    no window's maximum get 0. Linear in g; gradient: (none, max_pool2d_select(x, gz)).
  }], (ins Sinter_FloatTensor:$operand, Sinter_FloatTensor:$grad), [InferTypeOpAdaptor]> {
  let assemblyFormat = "$operand `,` $grad attr-dict `:` type($operand) `,` type($grad) `->` type($result)";
}

def Sinter_MaxPool2DSelectOp : Sinter_PoolGradOp<"max_pool2d_select",
    "the values at each window's maximum", [{
    For the pooling's input x and a tensor v of x's shape, the pooling-shaped result holds,
    per window, v at the first position of x holding the window's maximum (the adjoint of
    max_pool2d_grad). Linear in v; gradient: (none, max_pool2d_grad(x, gy)).
  }], (ins Sinter_FloatTensor:$operand, Sinter_FloatTensor:$values), [InferTypeOpAdaptor]> {
  let assemblyFormat = "$operand `,` $values attr-dict `:` type($operand) `,` type($values) `->` type($result)";
}

def Sinter_AvgPool2DGradOp : Sinter_PoolGradOp<"avg_pool2d_grad",
    "gradient of avg_pool2d with respect to its input", [{
    The input-shaped result (its type is given) holds, at each position, the sum of g/count
    over the windows covering it. Linear; gradient: avg_pool2d(gx).
  }], (ins Sinter_FloatTensor:$grad)> {
  let assemblyFormat = "$grad attr-dict `:` type($grad) `->` type($result)";
  let hasVerifier = 1;
}

// Batch normalisation in training mode (statistics of the batch). Run by the runtime's
// oneDNN kernels for float32 (Abi.h); otherwise sinter-decompose writes them as primitives.
def Sinter_BatchNormOp : Sinter_Op<"batch_norm", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "batch normalisation with the batch's statistics (training mode)";
  let description = [{
    Over every axis but the last (the channels, C): `mean` and biased `variance` of x per
    channel, and y = (x − mean) / sqrt(variance + epsilon) · gamma + beta, as
    `tf.nn.fused_batch_norm(is_training=True)` but with the biased variance (Keras' moving
    statistics use it). gamma and beta are [C]. Gradient: batch_norm_grad for y; the
    statistics' gradients (if any) through their definitions.
  }];
  let arguments = (ins Sinter_FloatTensor:$operand, Sinter_FloatTensor:$gamma,
                   Sinter_FloatTensor:$beta, F64Attr:$epsilon);
  let results = (outs Sinter_FloatTensor:$result, Sinter_FloatTensor:$mean,
                      Sinter_FloatTensor:$variance);
  let assemblyFormat = "$operand `,` $gamma `,` $beta attr-dict `:` type($operand) `,` type($gamma) `,` type($beta) `->` type($result) `,` type($mean) `,` type($variance)";
}

def Sinter_BatchNormGradOp : Sinter_Op<"batch_norm_grad", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "gradient of batch_norm with respect to x, gamma and beta";
  let description = [{
    For batch_norm's x, gamma and statistics and a gradient g of y, with N positions per
    channel and x̂ = (x − mean) / sqrt(variance + epsilon): dbeta = Σ g, dgamma = Σ g·x̂ and
    dx = gamma / sqrt(variance + epsilon) · (g − dbeta / N − x̂ · dgamma / N) (the sums over
    every axis but the last). Gradient: that of the same formula written as primitives.
  }];
  let arguments = (ins Sinter_FloatTensor:$operand, Sinter_FloatTensor:$gamma,
                   Sinter_FloatTensor:$mean, Sinter_FloatTensor:$variance,
                   Sinter_FloatTensor:$grad, F64Attr:$epsilon);
  let results = (outs Sinter_FloatTensor:$result, Sinter_FloatTensor:$gamma_grad,
                      Sinter_FloatTensor:$beta_grad);
  let assemblyFormat = "$operand `,` $gamma `,` $mean `,` $variance `,` $grad attr-dict `:` type($operand) `,` type($gamma) `,` type($mean) `,` type($variance) `,` type($grad) `->` type($result) `,` type($gamma_grad) `,` type($beta_grad)";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Sinter_ReshapeOp : Sinter_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "same elements, new shape (row-major)";
  let description = [{
    Any dtype. A batch dimension (`?`) stays one dimension: operand and result have one each,
    and the other dimensions hold the same number of elements. Gradient: g reshaped back.
  }];
  let arguments = (ins Sinter_Tensor:$operand);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Sinter_TransposeOp : Sinter_Op<"transpose", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "permutes dimensions";
  let description = [{
    Result dimension i is operand dimension `permutation[i]`. Any dtype. Gradient: g
    transposed by the inverse permutation.
  }];
  let arguments = (ins Sinter_Tensor:$operand, DenseI64ArrayAttr:$permutation);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
}

def Sinter_IotaOp : Sinter_Op<"iota", [Pure]> {
  let summary = "element index along one dimension";
  let description = [{
    Element (i0, …, in) is i_dimension, converted to the result dtype. The source of range,
    linspace, eye, one_hot and meshgrid. No gradient.
  }];
  let arguments = (ins I64Attr:$dimension);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Sinter_DimSizeOp : Sinter_Op<"dim_size", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "the size of one dimension, as a scalar";
  let description = [{
    The size of dimension `dimension` of the operand, converted to the result's dtype (a
    rank-0 tensor). Static sizes fold to constants; the batch dimension of a program compiled
    with a dynamic batch (`?`) is known only when the entry runs. Gradient: none (a size
    does not change with the values).
  }];
  let arguments = (ins Sinter_Tensor:$operand, I64Attr:$dimension);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Sinter_SliceOp : Sinter_Op<"slice", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "strided slice";
  let description = [{
    Elements start[i], start[i] + stride[i], … below limit[i] along each dimension (strides
    positive; negative steps are a `sinter.reverse` first). Any dtype. Gradient: g padded back
    into place with zeros (`sinter.pad` with interior padding stride − 1).
  }];
  let arguments = (ins Sinter_Tensor:$operand, DenseI64ArrayAttr:$start_indices,
                   DenseI64ArrayAttr:$limit_indices, DenseI64ArrayAttr:$strides);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
}

def Sinter_ReverseOp : Sinter_Op<"reverse", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "reverses the order of elements along dimensions";
  let description = "Any dtype. Gradient: g reversed along the same dimensions.";
  let arguments = (ins Sinter_Tensor:$operand, DenseI64ArrayAttr:$dimensions);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
}

def Sinter_PadOp : Sinter_Op<"pad", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "pads with a value: low, high and interior (between elements) padding";
  let description = [{
    Padding amounts are non-negative; `padding_value` is a scalar of the operand's dtype.
    Gradient: the operand's is the strided slice of g at its positions; the padding value's is
    the sum of g over the padding.
  }];
  let arguments = (ins Sinter_Tensor:$operand, Sinter_Tensor:$padding_value,
                   DenseI64ArrayAttr:$edge_padding_low, DenseI64ArrayAttr:$edge_padding_high,
                   DenseI64ArrayAttr:$interior_padding);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand `,` $padding_value attr-dict `:` type($operand) `,` type($padding_value) `->` type($result)";
}

def Sinter_ConcatenateOp : Sinter_Op<"concatenate", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "joins tensors along an existing dimension";
  let description = [{
    All operands have one dtype and equal sizes except along `dimension`. Gradient: the
    slices of g that each operand filled.
  }];
  let arguments = (ins Variadic<Sinter_Tensor>:$inputs, I64Attr:$dimension);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs) `->` type($result)";
}

def Sinter_GatherNdOp : Sinter_Op<"gather_nd", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "gathers slices at index tuples (tf.gather_nd)";
  let description = [{
    `indices` (int32/int64) has shape [..., k]: each row is a position in the first k
    dimensions of `operand`; the result has shape indices.shape[:-1] + operand.shape[k:].
    Indices out of range are clamped (no out-of-bounds reads). `indices` may have a dynamic
    leading dimension (from `sinter.where`), and so has the result then. Gradient: for the
    operand, `sinter.scatter_nd` of g at the same indices.
  }];
  let arguments = (ins Sinter_Tensor:$operand, Sinter_Tensor:$indices);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand `,` $indices attr-dict `:` type($operand) `,` type($indices) `->` type($result)";
}

def Sinter_ScatterNdOp : Sinter_Op<"scatter_nd", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "adds slices into a zero tensor at index tuples (tf.scatter_nd)";
  let description = [{
    The result (its shape is the result type) starts at zero; slice j of `updates` is added at
    the position `indices[j]` (duplicates add up). Index tuples out of range are skipped.
    Gradient: for `updates`, `sinter.gather_nd` of g.
  }];
  let arguments = (ins Sinter_Tensor:$indices, Sinter_Tensor:$updates);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$indices `,` $updates attr-dict `:` type($indices) `,` type($updates) `->` type($result)";
  let hasVerifier = 1;
}

def Sinter_WhereOp : Sinter_Op<"where", [Pure, InferTypeOpAdaptor]> {
  let summary = "coordinates of the true elements (one-argument tf.where)";
  let description = [{
    Result: int64 [n, rank] in row-major order, where n — the number of true elements — is
    known only at run time (a dynamic dimension). Such a value may feed `sinter.gather_nd`
    (boolean_mask) or be an entry point's result; every other op rejects it. The mask needs
    a static shape (no batch dimension). Not differentiable.
  }];
  let arguments = (ins Sinter_BoolTensor:$mask);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$mask attr-dict `:` type($mask) `->` type($result)";
}

def Sinter_BroadcastInDimOp : Sinter_Op<"broadcast_in_dim", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "broadcasts to the result shape";
  let description = [{
    Operand dimension i becomes result dimension `broadcast_dimensions[i]` (increasing), whose
    size it must equal or be 1. Any dtype. Gradient: g summed over the broadcast dimensions.
  }];
  let arguments = (ins Sinter_Tensor:$operand, DenseI64ArrayAttr:$broadcast_dimensions);
  let results = (outs Sinter_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Composites: named so a backend can map them to a library kernel
//===----------------------------------------------------------------------===//

def Sinter_SoftmaxOp : Sinter_Op<"softmax", [Pure, SameOperandsAndResultType, InferTypeOpInterface,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "softmax over the last dimension";
  let description = [{
    exp(x − max(x)) / Σ exp(x − max(x)) along the last axis, numerically stable. Floats.
    Gradient: y·(g − Σ g·y).
  }];
  let arguments = (ins Sinter_FloatTensor:$operand);
  let results = (outs Sinter_FloatTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
}

def Sinter_SoftmaxCrossEntropyOp : Sinter_Op<"softmax_cross_entropy",
    [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "cross-entropy of softmax(logits) against label probabilities";
  let description = [{
    −Σ labels · log_softmax(logits) over the last axis; the result drops that axis (one loss
    per example), as `tf.nn.softmax_cross_entropy_with_logits`. Floats. Gradient:
    (g·(softmax(logits) − labels), g·(−log_softmax(logits))).
  }];
  let arguments = (ins Sinter_FloatTensor:$logits, Sinter_FloatTensor:$labels);
  let results = (outs Sinter_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` type($logits) `,` type($labels) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Collectives (data-parallel training across processes)
//===----------------------------------------------------------------------===//

def Sinter_AllReduceOp : Sinter_Op<"all_reduce", [Pure, SameOperandsAndResultType,
    InferTypeOpInterface, DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "sum or mean of a tensor over the processes of a distributed job";
  let description = [{
    Element by element, the `reduction` ("sum" or "mean") of x over every process (rank) of
    the job, the same result on each; in a process that is not part of a distributed job,
    x itself. Every rank runs the same program, so each makes the same all_reduce calls in
    the same order. Static shapes only (every rank's x has the same size). Lowered to a start
    (queues the reduction, on a communication thread where a core is free) and a wait before
    the result's first use, so the work between them overlaps it (MPI). Gradient: all_reduce
    of g with the same reduction.
  }];
  let arguments = (ins Sinter_FloatTensor:$operand,
                   DefaultValuedAttr<StrAttr, "\"sum\"">:$reduction);
  let results = (outs Sinter_FloatTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Differentiation
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Recurrent layers as one op (oneDNN's RNN primitives)
//===----------------------------------------------------------------------===//

def Sinter_LstmOp : Sinter_Op<"lstm", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "a whole LSTM layer over a sequence (Keras' LSTM, as cuDNN runs it)";
  let description = [{
    x [batch, time, features], initial states h0 and c0 [batch, units], Keras' `kernel`
    [features, 4·units], `recurrent_kernel` [units, 4·units] and `bias` [4·units], gates in
    the order i, f, c, o (sigmoid gates, tanh cell). Per step t (from the last one when
    `reverse`): z = x_t·kernel + h·recurrent_kernel + bias, c = σ(z_f)·c + σ(z_i)·tanh(z_c),
    h = σ(z_o)·tanh(c). Results: h of every step at its own time position [batch, time,
    units], and the final h and c. float32; run by the runtime's oneDNN kernel. Gradient:
    lstm_grad (which has no gradient itself: the scan-based layer covers second order).
  }];
  let arguments = (ins Sinter_FloatTensor:$operand, Sinter_FloatTensor:$h0,
                   Sinter_FloatTensor:$c0, Sinter_FloatTensor:$kernel,
                   Sinter_FloatTensor:$recurrent_kernel, Sinter_FloatTensor:$bias,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Sinter_FloatTensor:$sequence, Sinter_FloatTensor:$h,
                      Sinter_FloatTensor:$c);
  let assemblyFormat = "$operand `,` $h0 `,` $c0 `,` $kernel `,` $recurrent_kernel `,` $bias attr-dict `:` type($operand) `,` type($h0) `,` type($c0) `,` type($kernel) `,` type($recurrent_kernel) `,` type($bias) `->` type($sequence) `,` type($h) `,` type($c)";
}

def Sinter_LstmGradOp : Sinter_Op<"lstm_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of lstm with respect to its six operands";
  let description = [{
    For lstm's operands and gradients of its three results (the sequence, the final h and
    c): the gradients of x, h0, c0, kernel, recurrent_kernel and bias. The kernel runs the
    forward pass again (for oneDNN's workspace), then the backward pass.
  }];
  let arguments = (ins Sinter_FloatTensor:$operand, Sinter_FloatTensor:$h0,
                   Sinter_FloatTensor:$c0, Sinter_FloatTensor:$kernel,
                   Sinter_FloatTensor:$recurrent_kernel, Sinter_FloatTensor:$bias,
                   Sinter_FloatTensor:$sequence_grad, Sinter_FloatTensor:$h_grad,
                   Sinter_FloatTensor:$c_grad, DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Sinter_FloatTensor:$operand_grad, Sinter_FloatTensor:$h0_grad,
                      Sinter_FloatTensor:$c0_grad, Sinter_FloatTensor:$kernel_grad,
                      Sinter_FloatTensor:$recurrent_kernel_grad, Sinter_FloatTensor:$bias_grad);
  let assemblyFormat = "operands attr-dict `:` type(operands) `->` type(results)";
}

def Sinter_GruOp : Sinter_Op<"gru", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "a whole GRU layer over a sequence (Keras' GRU, as cuDNN runs it)";
  let description = [{
    x [batch, time, features], initial state h0 [batch, units], Keras' `kernel` [features,
    3·units] and `recurrent_kernel` [units, 3·units], gates z, r, h (sigmoid gates, tanh
    candidate). With `linear_before_reset` (Keras' reset_after), the `bias` is [4·units]: the
    summed input and recurrent biases of z and r, the input bias of h and its recurrent bias,
    and h̃ = tanh(x_t·W_h + b_h + r·(h·U_h + b'_h)); without, the bias is [3·units] and
    h̃ = tanh(x_t·W_h + (r·h)·U_h + b_h). h = z·h + (1 − z)·h̃, from the last step when
    `reverse`. Results: every step's h at its time position and the final h. float32; run by
    the runtime's oneDNN kernel. Gradient: gru_grad (which has no gradient itself).
  }];
  let arguments = (ins Sinter_FloatTensor:$operand, Sinter_FloatTensor:$h0,
                   Sinter_FloatTensor:$kernel, Sinter_FloatTensor:$recurrent_kernel,
                   Sinter_FloatTensor:$bias, BoolAttr:$linear_before_reset,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Sinter_FloatTensor:$sequence, Sinter_FloatTensor:$h);
  let assemblyFormat = "operands attr-dict `:` type(operands) `->` type(results)";
}

def Sinter_GruGradOp : Sinter_Op<"gru_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of gru with respect to its five operands";
  let description = [{
    For gru's operands and gradients of its two results: the gradients of x, h0, kernel,
    recurrent_kernel and bias. The kernel runs the forward pass again (for oneDNN's
    workspace), then the backward pass.
  }];
  let arguments = (ins Sinter_FloatTensor:$operand, Sinter_FloatTensor:$h0,
                   Sinter_FloatTensor:$kernel, Sinter_FloatTensor:$recurrent_kernel,
                   Sinter_FloatTensor:$bias, Sinter_FloatTensor:$sequence_grad,
                   Sinter_FloatTensor:$h_grad, BoolAttr:$linear_before_reset,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Sinter_FloatTensor:$operand_grad, Sinter_FloatTensor:$h0_grad,
                      Sinter_FloatTensor:$kernel_grad, Sinter_FloatTensor:$recurrent_kernel_grad,
                      Sinter_FloatTensor:$bias_grad);
  let assemblyFormat = "operands attr-dict `:` type(operands) `->` type(results)";
}

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

def Sinter_ScanOp : Sinter_Op<"scan", [RecursiveMemoryEffects, IsolatedFromAbove,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "a loop over a sequence axis carrying state (tf.scan, jax.lax.scan)";
  let description = [{
    Operands are `num_carries` initial carries, `num_sequences` sequences and then the
    constants the body reads (weights, masks). Step t (t = 0 … T−1, or T−1 … 0 when `reverse`)
    runs the body on (carries, slice t of each sequence along `axis`, constants); the body
    yields the new carries and one slice per stacked output. Results: the final carries, then
    the stacked outputs (slice t at index t along `axis`). T is the sequence length, static.
    The body is isolated: every value it reads is a block argument. Gradient: a reverse scan
    whose body recomputes one step from the carries saved per step and applies its VJP, so
    the compiled size does not grow with T and the gradient can be differentiated again.
  }];
  let arguments = (ins Variadic<Sinter_Tensor>:$inputs, I64Attr:$num_carries,
                   I64Attr:$num_sequences, I64Attr:$axis, UnitAttr:$reverse);
  let results = (outs Variadic<Sinter_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::OperandRange getInits() { return getInputs().take_front(getNumCarries()); }
    ::mlir::OperandRange getSequences() {
      return getInputs().slice(getNumCarries(), getNumSequences());
    }
    ::mlir::OperandRange getConstants() {
      return getInputs().drop_front(getNumCarries() + getNumSequences());
    }
    int64_t getLength() {
      return ::llvm::cast<::mlir::RankedTensorType>(getSequences()[0].getType())
          .getDimSize(getAxis());
    }
  }];
}

def Sinter_YieldOp : Sinter_Op<"yield", [Pure, Terminator, HasParent<"ScanOp">]> {
  let summary = "the new carries and the output slices of one scan step";
  let arguments = (ins Variadic<Sinter_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

def Sinter_GradOp : Sinter_Op<"grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "gradients of a value with respect to others";
  let description = [{
    Result i is d(Σ loss)/d(wrt[i]) (a non-scalar loss is summed, as in TensorFlow). The
    autodiff pass replaces it by the reverse-mode VJP chain; its output contains only
    sinter ops, so a `sinter.grad` of a gradient (second order) works.
  }];
  let arguments = (ins Sinter_FloatTensor:$loss, Variadic<Sinter_FloatTensor>:$wrt);
  let results = (outs Variadic<Sinter_FloatTensor>:$grads);
  let assemblyFormat = "$loss `wrt` $wrt attr-dict `:` type($loss) `,` type($wrt)";
}

#endif
