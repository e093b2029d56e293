// RUN: sinter-opt %s -sinter-to-linalg -one-shot-bufferize="unknown-type-conversion=identity-layout-map" -canonicalize -sinter-outline-kernels | FileCheck %s

// After bufferization a linalg.matmul on f32 memrefs becomes a call into the runtime's kernel
// library (oneDNN on the CPU) — when it is big enough to pay for the call: a small one stays a
// linalg.matmul (generated loops).

// CHECK: func.func private @sinter_kernel_matmul_f32(i64, i64, i64, i64, i64, i64, i64, i32, i32)
// CHECK-LABEL: func.func @f(
// CHECK-NOT: linalg.matmul
// CHECK: call @sinter_kernel_matmul_f32({{.*}}) : (i64, i64, i64, i64, i64, i64, i64, i32, i32) -> ()
// CHECK-NOT: linalg.matmul
// CHECK: return
// CHECK-LABEL: func.func @small(
// CHECK: linalg.matmul
// CHECK-NOT: call @sinter_kernel_matmul_f32
module @m {
  sinter.variable @w {trainable} : tensor<4x3xf32>
  sinter.variable @v {trainable} : tensor<64x32xf32>
  func.func @f(%x: tensor<16x64xf32> {sinter.name = "x"}) -> (tensor<16x32xf32> {sinter.name = "y"}) {
    %v = sinter.read @v : tensor<64x32xf32>
    %y = sinter.matmul %x, %v : tensor<16x64xf32>, tensor<64x32xf32> -> tensor<16x32xf32>
    %r = sinter.relu %y : tensor<16x32xf32>
    return %r : tensor<16x32xf32>
  }
  func.func @small(%x: tensor<2x4xf32> {sinter.name = "x"}) -> (tensor<2x3xf32> {sinter.name = "y"}) {
    %w = sinter.read @w : tensor<4x3xf32>
    %y = sinter.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    return %y : tensor<2x3xf32>
  }
}
