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
    Element i is a pure function of (seed, i) (a Philox-style counter hash), so the same seed
    gives the same numbers on every run and every backend. `distribution` is one of
    `uniform` (in [a, b)), `normal` (mean a, stddev b) or `truncated_normal` (mean a,
    stddev b, redrawn outside two standard deviations, as TensorFlow does). Float dtypes. No
    gradient.
  }];
  let arguments = (ins StrAttr:$distribution, I64Attr:$seed, F64Attr:$a, F64Attr:$b);
  let results = (outs Sinter_FloatTensor:$result);
  let assemblyFormat = "$distribution attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Sinter_UnaryOp<string mnemonic, string summ, string grad,
                     Type type = Sinter_FloatTensor>
    : Sinter_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                           DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = summ;
  let description = "Elementwise. Gradient: " # grad # ".";
  let arguments = (ins type:$operand);
  let results = (outs type:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand)";
}

def Sinter_NegOp : Sinter_UnaryOp<"neg", "-x", "-g", Sinter_Tensor>;
def Sinter_ExpOp : Sinter_UnaryOp<"exp", "e^x", "g·y">;
def Sinter_LogOp : Sinter_UnaryOp<"log", "natural logarithm", "g/x">;
def Sinter_SqrtOp : Sinter_UnaryOp<"sqrt", "square root", "g/(2y)">;
def Sinter_TanhOp : Sinter_UnaryOp<"tanh", "hyperbolic tangent", "g·(1−y²)">;
def Sinter_SigmoidOp : Sinter_UnaryOp<"sigmoid", "logistic 1/(1+e^−x)", "g·y·(1−y)">;
def Sinter_ReluOp : Sinter_UnaryOp<"relu", "max(x, 0)", "g where x > 0, else 0">;
def Sinter_AbsOp : Sinter_UnaryOp<"abs", "|x|", "g·sign(x)", Sinter_Tensor>;

class Sinter_BinaryOp<string mnemonic, string summ, string grad,
                      Type type = Sinter_Tensor>
    : Sinter_Op<mnemonic, [Pure, InferTypeOpAdaptor, AllTypesMatch<["lhs", "rhs"]>,
                           DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = summ;
  let description = "Elementwise on operands of one shape and dtype (broadcasting is "
                    "explicit). Gradient: " # grad # ".";
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs)";
}

def Sinter_AddOp : Sinter_BinaryOp<"add", "a + b", "(g, g)">;
def Sinter_SubOp : Sinter_BinaryOp<"sub", "a − b", "(g, −g)">;
def Sinter_MulOp : Sinter_BinaryOp<"mul", "a · b", "(g·b, g·a)">;
def Sinter_DivOp : Sinter_BinaryOp<"div", "a / b (floats; integers truncate)",
                                   "(g/b, −g·a/b²)">;
def Sinter_PowOp : Sinter_BinaryOp<"pow", "a^b", "(g·b·a^(b−1), g·log(a)·a^b)",
                                   Sinter_FloatTensor>;
def Sinter_MaximumOp : Sinter_BinaryOp<"maximum", "max(a, b)",
                                       "g to the larger operand, split evenly on ties">;
def Sinter_MinimumOp : Sinter_BinaryOp<"minimum", "min(a, b)",
                                       "g to the smaller operand, split evenly on ties">;

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

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Sinter_ReshapeOp : Sinter_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "same elements, new static shape (row-major)";
  let description = "Any dtype. Gradient: g reshaped back.";
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

def Sinter_SoftmaxOp : Sinter_Op<"softmax", [Pure, InferTypeOpAdaptor,
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
// Differentiation
//===----------------------------------------------------------------------===//

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
