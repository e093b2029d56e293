// sinter.scan: the loop op of the dialect (recurrent networks, cumulative ops). Its verifier
// and its VJP, a reverse scan that recomputes each step from the carries saved per step.
#include "sinter/Compiler/Dialect/SinterDialect.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::sinter;

RankedTensorType mlir::sinter::sliceType(RankedTensorType type, int64_t axis) {
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  return type.clone(shape);
}

RankedTensorType mlir::sinter::stackedType(RankedTensorType type, int64_t axis, int64_t length) {
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + axis, length);
  return type.clone(shape);
}

LogicalResult ScanOp::verify() {
  int64_t carries = getNumCarries(), sequences = getNumSequences(), axis = getAxis();
  if (carries < 0 || sequences < 1 ||
      carries + sequences > static_cast<int64_t>(getInputs().size()))
    return emitOpError("needs at least one sequence and at most as many carries and sequences "
                       "as operands");
  if (static_cast<int64_t>(getNumResults()) < carries)
    return emitOpError("has fewer results than carries");
  int64_t length = -1;
  for (Value x : getSequences()) {
    auto t = cast<RankedTensorType>(x.getType());
    if (axis < 0 || axis >= t.getRank())
      return emitOpError("axis ") << axis << " is out of range for sequence type " << t;
    if (t.isDynamicDim(axis))
      return emitOpError("the sequence length (axis ") << axis << ") must be static, got " << t;
    if (length >= 0 && t.getDimSize(axis) != length)
      return emitOpError("sequences differ in length along axis ") << axis;
    length = t.getDimSize(axis);
  }
  Block &body = getBody().front();
  SmallVector<Type> argTypes;
  for (Value c : getInits())
    argTypes.push_back(c.getType());
  for (Value x : getSequences())
    argTypes.push_back(sliceType(cast<RankedTensorType>(x.getType()), axis));
  for (Value k : getConstants())
    argTypes.push_back(k.getType());
  if (body.getArgumentTypes() != ArrayRef<Type>(argTypes))
    return emitOpError("body arguments must be the carries, one slice of each sequence and the "
                       "constants");
  // A body read from a file may lack its terminator.
  auto yield = body.mightHaveTerminator() ? dyn_cast<YieldOp>(body.getTerminator()) : YieldOp();
  if (!yield || yield.getValues().size() != getNumResults())
    return emitOpError("body must yield one value per result (the carries, then the slices)");
  for (auto [i, v] : llvm::enumerate(yield.getValues())) {
    auto t = cast<RankedTensorType>(v.getType());
    Type expected = static_cast<int64_t>(i) < carries ? argTypes[i] : stackedType(t, axis, length);
    if (static_cast<int64_t>(i) < carries
            ? t != argTypes[i]
            : (axis > t.getRank() || getResult(i).getType() != expected))
      return emitOpError("result ")
             << i << " has type " << getResult(i).getType() << " but the body yields " << t;
  }
  WalkResult state = body.walk([](Operation *op) {
    return isa<AssignOp>(op) ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (state.wasInterrupted())
    return emitOpError("body may not assign variables");
  return success();
}

namespace {

/// Indices of the float values among `values` (those that take gradients).
SmallVector<unsigned> floatIndices(ValueRange values) {
  SmallVector<unsigned> out;
  for (auto [i, v] : llvm::enumerate(values))
    if (isFloatTensor(v))
      out.push_back(i);
  return out;
}

} // namespace

SmallVector<Value> ScanOp::vjp(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  int64_t axis = getAxis(), length = getLength();
  unsigned numCarries = getNumCarries(), numSequences = getNumSequences();
  unsigned numResults = getNumResults();

  // The same scan, also yielding the carries each step starts from; it takes this one's place
  // (this one is left dead), so the forward loop runs once.
  OpBuilder fb(getOperation());
  SmallVector<Type> forwardTypes(getResultTypes());
  for (Value c : getInits())
    forwardTypes.push_back(stackedType(cast<RankedTensorType>(c.getType()), axis, length));
  auto forward = ScanOp::create(fb, loc, forwardTypes, getInputs(), numCarries, numSequences, axis,
                                getReverse());
  IRMapping cloneMap;
  getBody().cloneInto(&forward.getBody(), cloneMap);
  {
    Block &fbody = forward.getBody().front();
    auto yield = cast<YieldOp>(fbody.getTerminator());
    SmallVector<Value> values(yield.getValues());
    values.append(fbody.args_begin(), fbody.args_begin() + numCarries);
    OpBuilder yb(yield);
    YieldOp::create(yb, loc, values);
    yield.erase();
  }
  getOperation()->replaceAllUsesWith(forward.getResults().take_front(numResults));
  ValueRange history = forward.getResults().drop_front(numResults);

  // Which carries, sequences, constants and outputs gradients flow through.
  SmallVector<unsigned> fc = floatIndices(getInits()), fx = floatIndices(getSequences()),
                        fk = floatIndices(getConstants()),
                        fy = floatIndices(getResults().drop_front(numCarries));

  // The reverse scan. Carries: the carries' adjoints, then the constants' accumulated ones.
  // Sequences: the saved carries, the forward sequences and the outputs' adjoints.
  SmallVector<Value> inputs;
  for (unsigned i : fc)
    inputs.push_back(grads[i]);
  for (unsigned k : fk)
    inputs.push_back(splatConstant(b, loc, cast<RankedTensorType>(getConstants()[k].getType()), 0));
  llvm::append_range(inputs, history);
  llvm::append_range(inputs, getSequences());
  for (unsigned y : fy)
    inputs.push_back(grads[numCarries + y]);
  llvm::append_range(inputs, getConstants());
  SmallVector<Type> types;
  for (unsigned i = 0; i < fc.size() + fk.size(); ++i)
    types.push_back(inputs[i].getType());
  for (unsigned x : fx)
    types.push_back(getSequences()[x].getType());
  auto backward = ScanOp::create(b, loc, types, inputs, fc.size() + fk.size(),
                                 numCarries + numSequences + fy.size(), axis, !getReverse());

  Block *body = new Block();
  backward.getBody().push_back(body);
  auto arg = [&](Value v) { return body->addArgument(v.getType(), loc); };
  auto sliceArg = [&](Value v) {
    return body->addArgument(sliceType(cast<RankedTensorType>(v.getType()), axis), loc);
  };
  SmallVector<Value> carryGrads, constantSums;
  for (unsigned i : fc)
    carryGrads.push_back(arg(getInits()[i]));
  for (unsigned k : fk)
    constantSums.push_back(arg(getConstants()[k]));
  IRMapping step; // the forward body's arguments → this body's
  Block &forwardBody = getBody().front();
  unsigned a = 0;
  for (Value h : history)
    step.map(forwardBody.getArgument(a++), sliceArg(h));
  for (Value x : getSequences())
    step.map(forwardBody.getArgument(a++), sliceArg(x));
  SmallVector<Value> outputGrads;
  for (unsigned y : fy)
    outputGrads.push_back(sliceArg(grads[numCarries + y]));
  for (Value k : getConstants())
    step.map(forwardBody.getArgument(a++), arg(k));

  OpBuilder bb = OpBuilder::atBlockEnd(body);
  for (Operation &op : forwardBody.without_terminator())
    bb.clone(op, step);
  auto forwardYield = cast<YieldOp>(forwardBody.getTerminator());
  auto stepValue = [&](unsigned i) { return step.lookupOrDefault(forwardYield.getValues()[i]); };

  llvm::DenseSet<Value> active;
  auto stepArg = [&](unsigned i) { return step.lookup(forwardBody.getArgument(i)); };
  for (unsigned i : fc)
    active.insert(stepArg(i));
  for (unsigned x : fx)
    active.insert(stepArg(numCarries + x));
  for (unsigned k : fk)
    active.insert(stepArg(numCarries + numSequences + k));
  SmallVector<Operation *> tape = activeOps(llvm::make_range(body->begin(), body->end()), active);
  llvm::DenseMap<Value, Value> adjoint;
  for (auto [j, i] : llvm::enumerate(fc))
    if (active.contains(stepValue(i)))
      accumulateAdjoint(bb, loc, adjoint, stepValue(i), carryGrads[j]);
  for (auto [j, y] : llvm::enumerate(fy))
    if (active.contains(stepValue(numCarries + y)))
      accumulateAdjoint(bb, loc, adjoint, stepValue(numCarries + y), outputGrads[j]);
  if (failed(backpropagate(bb, loc, tape, active, adjoint)))
    return SmallVector<Value>(getNumOperands(), Value());

  auto adjointOr0 = [&](Value v) {
    Value g = adjoint.lookup(v);
    return g ? g : splatConstant(bb, loc, cast<RankedTensorType>(v.getType()), 0);
  };
  SmallVector<Value> yields;
  for (unsigned i : fc)
    yields.push_back(adjointOr0(stepArg(i)));
  for (auto [j, k] : llvm::enumerate(fk)) {
    Value g = adjoint.lookup(stepArg(numCarries + numSequences + k));
    yields.push_back(g ? AddOp::create(bb, loc, constantSums[j], g).getResult() : constantSums[j]);
  }
  for (unsigned x : fx)
    yields.push_back(adjointOr0(stepArg(numCarries + x)));
  YieldOp::create(bb, loc, yields);

  SmallVector<Value> operandGrads(getNumOperands(), Value());
  unsigned r = 0;
  for (unsigned i : fc)
    operandGrads[i] = backward.getResult(r++);
  for (unsigned k : fk)
    operandGrads[numCarries + numSequences + k] = backward.getResult(r++);
  for (unsigned x : fx)
    operandGrads[numCarries + x] = backward.getResult(r++);
  return operandGrads;
}
