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
