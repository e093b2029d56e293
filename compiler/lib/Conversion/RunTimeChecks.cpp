// Checks that compiled code makes at run time, reporting to the runtime (Abi.h,
// runtime/include/sinter/runtime/CallErrors.h), which raises the first failure as an Error once
// the entry call returns: indices out of range, and non-finite values when numerics checking is
// on.
#include "LoweringUtils.h"

#include "sinter/Compiler/Pipeline/Pipeline.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace mlir::sinter::lowering {

std::atomic<int> checkNumericsSetting{-1}; // −1: not set, then SINTER_CHECK_NUMERICS decides

namespace {

/// "file:line: <what>" for the op at `loc`, as a NUL-terminated constant global of the module;
/// returns its address (i64) at the builder's insertion point.
Value siteString(OpBuilder &b, Location loc, StringRef what) {
  std::string text = what.str();
  if (auto f = loc->findInstanceOf<FileLineColLoc>())
    text = (f.getFilename().str() + ":" + std::to_string(f.getLine()) + ": ") + text;
  SmallVector<int8_t> bytes(text.begin(), text.end());
  bytes.push_back(0);
  auto type = MemRefType::get({static_cast<int64_t>(bytes.size())}, b.getI8Type());
  auto module = b.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
  // A process-wide counter keeps the names unique without searching the module's symbols
  // (numerics checking adds one per op); lowered modules hold no other memref globals.
  static std::atomic<uint64_t> sites{0};
  std::string name = "sinter_site_" + std::to_string(sites++);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    memref::GlobalOp::create(
        b, loc, name, b.getStringAttr("private"), type,
        DenseElementsAttr::get(RankedTensorType::get(type.getShape(), b.getI8Type()),
                               ArrayRef<int8_t>(bytes)),
        /*constant=*/true, /*alignment=*/nullptr);
  }
  return bufferAddress(b, loc, memref::GetGlobalOp::create(b, loc, type, name));
}

} // namespace

/// The size of dimension `size` as an index value: the batch size where it is dynamic. Built
/// where the entry's arguments are in reach (not inside a region being built).
Value dimSize(OpBuilder &b, Location loc, int64_t size) {
  return ShapedType::isDynamic(size) ? batchSize(b) : indexConst(b, loc, size);
}

/// Reports every entry j of the last axis of `indices` outside [0, dims[j]) to the runtime
/// (sinter_report_index_error), which raises an Error once the entry returns: an index out of
/// range is the caller's mistake, not something to clamp in silence. The gather itself still
/// clamps, so the code never reads outside its buffers.
void checkIndices(OpBuilder &b, Location loc, Value indices, ArrayRef<int64_t> dims,
                  StringRef what) {
  auto idxType = tensorOf(indices);
  int64_t rank = idxType.getRank();
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t i = 0; i + 1 < rank; ++i) {
    lbs.push_back(indexConst(b, loc, 0));
    steps.push_back(indexConst(b, loc, 1));
    ubs.push_back(idxType.isDynamicDim(i) ? tensor::DimOp::create(b, loc, indices, i).getResult()
                                          : indexConst(b, loc, idxType.getDimSize(i)));
  }
  Type i64 = b.getI64Type();
  declareKernel(b, "sinter_report_index_error", {i64, i64, i64});
  Value site = siteString(b, loc, what);
  SmallVector<Value> sizes;
  for (int64_t j = 0; j < idxType.getShape().back(); ++j)
    sizes.push_back(arith::IndexCastOp::create(b, loc, i64, dimSize(b, loc, dims[j])));
  scf::buildLoopNest(b, loc, lbs, ubs, steps, [&](OpBuilder &nb, Location nl, ValueRange ivs) {
    for (int64_t j = 0; j < idxType.getShape().back(); ++j) {
      SmallVector<Value> at(ivs.begin(), ivs.end());
      at.push_back(indexConst(nb, nl, j));
      Value raw = tensor::ExtractOp::create(nb, nl, indices, at);
      if (raw.getType() != i64)
        raw = arith::ExtSIOp::create(nb, nl, i64, raw);
      Value size = sizes[j];
      Value zero = arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(0));
      Value bad = arith::OrIOp::create(
          nb, nl, arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, raw, zero),
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, raw, size));
      scf::IfOp::create(nb, nl, bad, [&](OpBuilder &tb, Location tl) {
        func::CallOp::create(tb, tl, "sinter_report_index_error", TypeRange{},
                             ValueRange{raw, size, site});
        scf::YieldOp::create(tb, tl);
      });
    }
  });
}

bool checkNumericsEnabled() {
  int set = checkNumericsSetting.load();
  if (set >= 0)
    return set != 0;
  const char *env = std::getenv("SINTER_CHECK_NUMERICS");
  return env && std::strcmp(env, "0") != 0 && *env != 0;
}

void checkNumerics(OpBuilder &b, Location loc, Value value, StringRef what) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !isa<FloatType>(type.getElementType()))
    return;
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    lbs.push_back(indexConst(b, loc, 0));
    steps.push_back(indexConst(b, loc, 1));
    ubs.push_back(dimSize(b, loc, type.getDimSize(i)));
  }
  Type i64 = b.getI64Type(), f64 = b.getF64Type();
  declareKernel(b, "sinter_report_nonfinite", {i64, f64, i64});
  Value site = siteString(b, loc, what);
  scf::buildLoopNest(b, loc, lbs, ubs, steps, [&](OpBuilder &nb, Location nl, ValueRange ivs) {
    Value x = tensor::ExtractOp::create(nb, nl, value, ivs);
    if (x.getType() != f64)
      x = arith::ExtFOp::create(nb, nl, f64, x);
    Value inf = arith::ConstantOp::create(nb, nl, nb.getF64FloatAttr(INFINITY));
    // |x| ≥ inf, or unordered (NaN): exactly the non-finite values.
    Value bad = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UGE,
                                      math::AbsFOp::create(nb, nl, x), inf);
    scf::IfOp::create(nb, nl, bad, [&](OpBuilder &tb, Location tl) {
      // The row-major position of the element.
      Value position = indexConst(tb, tl, 0);
      for (auto [i, iv] : llvm::enumerate(ivs))
        position =
            arith::AddIOp::create(tb, tl, arith::MulIOp::create(tb, tl, position, ubs[i]), iv);
      func::CallOp::create(tb, tl, "sinter_report_nonfinite", TypeRange{},
                           ValueRange{arith::IndexCastOp::create(tb, tl, i64, position), x, site});
      scf::YieldOp::create(tb, tl);
    });
  });
}

} // namespace mlir::sinter::lowering

void mlir::sinter::setCheckNumerics(bool on) { lowering::checkNumericsSetting = on ? 1 : 0; }
