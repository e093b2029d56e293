// RUN: sinter-opt %s -split-input-file -sinter-outline-kernels | FileCheck %s

// The kernel overwrites its output, so the zero fill before it is dead and goes away...
// CHECK-LABEL: func.func @dead
// CHECK-NOT: linalg.fill
// CHECK: call @sinter_kernel_matmul_f32
func.func @dead(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<64x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<64x64xf32>)
  linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%acc : memref<64x64xf32>)
  memref.copy %acc, %c : memref<64x64xf32> to memref<64x64xf32>
  memref.dealloc %acc : memref<64x64xf32>
  return
}

// -----

// ...but not when the zeros are read before the product (bufferization copied them for a
// second, small matmul that accumulates into them in generated loops).
// CHECK-LABEL: func.func @read_before
// CHECK: linalg.fill
// CHECK: memref.copy
// CHECK: call @sinter_kernel_matmul_f32
func.func @read_before(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>,
                       %zeros: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<64x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<64x64xf32>)
  memref.copy %acc, %zeros : memref<64x64xf32> to memref<64x64xf32>
  linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%acc : memref<64x64xf32>)
  memref.copy %acc, %c : memref<64x64xf32> to memref<64x64xf32>
  memref.dealloc %acc : memref<64x64xf32>
  return
}

// -----

// ...nor when a loop reads them before the product (a blocked reduction whose zero init
// shares the product's buffer after CSE merged their fills).
// CHECK-LABEL: func.func @read_in_loop
// CHECK: linalg.fill
// CHECK: scf.forall
// CHECK: call @sinter_kernel_matmul_f32
func.func @read_in_loop(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>,
                        %sums: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<64x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<64x64xf32>)
  scf.forall (%i) = (0) to (64) step (32) {
    %rows = memref.subview %acc[%i, 0] [32, 64] [1, 1] : memref<64x64xf32> to memref<32x64xf32, strided<[64, 1], offset: ?>>
    %out = memref.subview %sums[%i, 0] [32, 64] [1, 1] : memref<64x64xf32> to memref<32x64xf32, strided<[64, 1], offset: ?>>
    memref.copy %rows, %out : memref<32x64xf32, strided<[64, 1], offset: ?>> to memref<32x64xf32, strided<[64, 1], offset: ?>>
  }
  linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%acc : memref<64x64xf32>)
  memref.copy %acc, %c : memref<64x64xf32> to memref<64x64xf32>
  memref.dealloc %acc : memref<64x64xf32>
  return
}
