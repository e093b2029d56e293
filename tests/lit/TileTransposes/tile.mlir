// RUN: sinter-opt %s -sinter-tile-transposes | FileCheck %s

// A transpose that moves the innermost dimension becomes an scf.parallel over bands of 16 of
// the output's innermost dimension (the input's rows) and in each an scf.for over 16 x 16
// blocks, each block the transpose on views; the last rows (20 = 16 + 4) and the last columns
// (40 = 2 x 16 + 8) stay the transpose on views. Outputs under 4 MB are not streamed.

// CHECK-LABEL: func.func @matrix(
// CHECK-NOT: extract_aligned_pointer
// CHECK: scf.parallel (%[[COL:.*]]) = ({{.*}}) to (%c32) step (%c16{{.*}})
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %c16{{.*}} step %c16
// CHECK: %[[IN:.*]] = memref.subview %arg0[%[[COL]], %[[ROW]]] [16, 16] [1, 1]
// CHECK: %[[OUT:.*]] = memref.subview %arg1[%[[ROW]], %[[COL]]] [16, 16] [1, 1]
// CHECK: linalg.transpose ins(%[[IN]] : {{.*}}) outs(%[[OUT]] : {{.*}}) permutation = [1, 0]
// CHECK: memref.subview %arg0[0, 16] [40, 4] [1, 1]
// CHECK: memref.subview %arg1[16, 0] [4, 40] [1, 1]
// CHECK: linalg.transpose
// CHECK: memref.subview %arg0[32, 0] [8, 16] [1, 1]
// CHECK: memref.subview %arg1[0, 32] [16, 8] [1, 1]
// CHECK: linalg.transpose
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @matrix(%a: memref<40x20xf32>, %b: memref<20x40xf32>) {
  linalg.transpose ins(%a : memref<40x20xf32>) outs(%b : memref<20x40xf32>) permutation = [1, 0]
  return
}

// Leading dimensions (a dynamic batch too) are loops of one step; whole tiles leave nothing.
// CHECK-LABEL: func.func @batched(
// CHECK: %[[N:.*]] = memref.dim %arg1, %c0
// CHECK: scf.parallel (%[[B:.*]], %[[COL:.*]]) = ({{.*}}) to (%[[N]], %c64) step (%c1, %c16{{.*}})
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %c32{{.*}} step %c16
// CHECK: memref.subview %arg0[%[[B]], %[[COL]], %[[ROW]]] [1, 16, 16] [1, 1, 1]
// CHECK: memref.subview %arg1[%[[B]], %[[ROW]], %[[COL]]] [1, 16, 16] [1, 1, 1]
// CHECK: linalg.transpose {{.*}} permutation = [0, 2, 1]
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @batched(%a: memref<?x64x32xf32>, %b: memref<?x32x64xf32>) {
  linalg.transpose ins(%a : memref<?x64x32xf32>) outs(%b : memref<?x32x64xf32>) permutation = [0, 2, 1]
  return
}

// Not blocked: the innermost dimension stays (rows are copied whole), or a dimension that
// swaps is shorter than a block.
// CHECK-LABEL: func.func @untouched(
// CHECK-NOT: scf.parallel
// CHECK: linalg.transpose {{.*}} permutation = [1, 0, 2]
// CHECK-NOT: scf.parallel
// CHECK: linalg.transpose {{.*}} permutation = [1, 0]
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @untouched(%a: memref<40x20x8xf32>, %b: memref<20x40x8xf32>, %c: memref<40x8xf32>, %d: memref<8x40xf32>) {
  linalg.transpose ins(%a : memref<40x20x8xf32>) outs(%b : memref<20x40x8xf32>) permutation = [1, 0, 2]
  linalg.transpose ins(%c : memref<40x8xf32>) outs(%d : memref<8x40xf32>) permutation = [1, 0]
  return
}

// A float32 output of 4 MB or more with rows of whole blocks: when its buffer is 64-byte
// aligned (checked at run time), each block is 16 vector loads of input rows, a
// vector.transpose and 16 streaming stores of 64-byte lines, and each band ends with sfence;
// otherwise the transpose on views.
// CHECK-LABEL: func.func @streamed(
// CHECK: %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %arg1
// CHECK: %[[REM:.*]] = arith.remui %[[PTR]], %c64
// CHECK: %[[ALIGNED:.*]] = arith.cmpi eq, %[[REM]]
// CHECK: scf.parallel
// CHECK: scf.if %[[ALIGNED]]
// CHECK: scf.for
// CHECK-COUNT-16: vector.load %arg0
// CHECK: vector.transpose {{.*}} [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// CHECK-COUNT-16: vector.store {{.*}} {alignment = 64 : i64, nontemporal = true}
// CHECK: llvm.call_intrinsic "llvm.x86.sse.sfence"()
// CHECK: } else {
// CHECK: scf.for
// CHECK: linalg.transpose
// CHECK: return
func.func @streamed(%a: memref<1024x1030xf32>, %b: memref<1030x1024xf32>) {
  linalg.transpose ins(%a : memref<1024x1030xf32>) outs(%b : memref<1030x1024xf32>) permutation = [1, 0]
  return
}
