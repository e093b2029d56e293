// RUN: sinter-opt %s -sinter-decompose -sinter-to-linalg -one-shot-bufferize="unknown-type-conversion=identity-layout-map" -sinter-outline-kernels | FileCheck %s

// A large f32 softmax stays a composite and reaches the runtime's softmax kernel; a small one
// is decomposed into primitives (generated loops).

// CHECK: func.func private @sinter_kernel_softmax_f32(i64, i64, i64, i64)
// CHECK-LABEL: func.func @large(
// CHECK-NOT: linalg.softmax
// CHECK: call @sinter_kernel_softmax_f32({{.*}}) : (i64, i64, i64, i64) -> ()
// CHECK-LABEL: func.func @small(
// CHECK-NOT: call @sinter_kernel_softmax_f32
// CHECK: return
module @m {
  func.func @large(%x: tensor<64x512xf32> {sinter.name = "x"}) -> (tensor<64x512xf32> {sinter.name = "y"}) {
    %y = sinter.softmax %x : tensor<64x512xf32>
    return %y : tensor<64x512xf32>
  }
  func.func @small(%x: tensor<2x4xf32> {sinter.name = "x"}) -> (tensor<2x4xf32> {sinter.name = "y"}) {
    %y = sinter.softmax %x : tensor<2x4xf32>
    return %y : tensor<2x4xf32>
  }
}
