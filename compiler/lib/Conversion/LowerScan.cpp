// sinter.scan → scf.for over the sequence axis, before the ops are lowered: the body's sinter
// ops move into the loop (which, unlike the scan, is not isolated, so their lowering finds the
// entry's batch size) and are then lowered with every other op.
#include "LoweringUtils.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::sinter::lowering {

namespace {

/// Offsets, sizes and unit strides of slice `t` of `x` along `axis` (size 1 there).
struct SliceAt {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  SliceAt(OpBuilder &b, Location loc, Value x, int64_t axis, Value t) {
    auto type = tensorOf(x);
    for (int64_t d = 0; d < type.getRank(); ++d) {
      offsets.push_back(d == axis ? OpFoldResult(t) : b.getIndexAttr(0));
      if (d == axis)
        sizes.push_back(b.getIndexAttr(1));
      else if (type.isDynamicDim(d))
        sizes.push_back(tensor::DimOp::create(b, loc, x, d).getResult());
      else
        sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
      strides.push_back(b.getIndexAttr(1));
    }
  }
};

void lowerScan(ScanOp scan) {
  OpBuilder b(scan);
  Location loc = scan.getLoc();
  int64_t axis = scan.getAxis(), length = scan.getLength();
  unsigned numCarries = scan.getNumCarries();
  SmallVector<Value> iterInit(scan.getInits());
  for (Value y : scan.getResults().drop_front(numCarries))
    iterInit.push_back(emptyTensor(b, loc, tensorOf(y)));
  Block &body = scan.getBody().front();
  auto loop = scf::ForOp::create(
      b, loc, indexConst(b, loc, 0), indexConst(b, loc, length), indexConst(b, loc, 1), iterInit,
      [&](OpBuilder &lb, Location l, Value iv, ValueRange iterArgs) {
        Value t = scan.getReverse()
                      ? arith::SubIOp::create(lb, l, indexConst(lb, l, length - 1), iv).getResult()
                      : iv;
        IRMapping map;
        unsigned a = 0;
        for (Value c : iterArgs.take_front(numCarries))
          map.map(body.getArgument(a++), c);
        for (Value x : scan.getSequences()) {
          SliceAt s(lb, l, x, axis, t);
          BlockArgument arg = body.getArgument(a++);
          map.map(arg, tensor::ExtractSliceOp::create(lb, l, cast<RankedTensorType>(arg.getType()),
                                                      x, s.offsets, s.sizes, s.strides));
        }
        for (Value k : scan.getConstants())
          map.map(body.getArgument(a++), k);
        for (Operation &op : body.without_terminator())
          lb.clone(op, map);
        // The stacked outputs first: a slice may be a carry's value from before this step,
        // which the carries' write-back below overwrites.
        auto values = cast<YieldOp>(body.getTerminator()).getValues();
        SmallVector<Value> yields(values.size());
        for (unsigned i = numCarries; i < values.size(); ++i) {
          SliceAt s(lb, l, iterArgs[i], axis, t);
          yields[i] = tensor::InsertSliceOp::create(lb, l, map.lookupOrDefault(values[i]),
                                                    iterArgs[i], s.offsets, s.sizes, s.strides);
        }
        // The new carries are written back into the carries' buffers: a loop whose yields are
        // its own buffers bufferizes without allocations that outlive an iteration.
        for (unsigned i = 0; i < numCarries; ++i)
          yields[i] = linalg::CopyOp::create(lb, l, map.lookupOrDefault(values[i]), iterArgs[i])
                          .getResult(0);
        scf::YieldOp::create(lb, l, yields);
      });
  scan->replaceAllUsesWith(loop.getResults());
  scan.erase();
}

} // namespace

void lowerScans(func::FuncOp func) {
  SmallVector<ScanOp> scans;
  func.walk([&](ScanOp s) { scans.push_back(s); }); // inner scans first (post-order)
  for (ScanOp s : scans)
    lowerScan(s);
}

} // namespace mlir::sinter::lowering
