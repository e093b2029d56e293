// RUN: sinter-opt %s -sinter-to-linalg -sinter-fuse-elementwise -sinter-split-empty-tensors -sinter-results-in-place -one-shot-bufferize="unknown-type-conversion=identity-layout-map" -canonicalize -sinter-outline-kernels -canonicalize | FileCheck %s

// A Dense layer: the bias add and ReLU after the product (one fused loop) become the kernel's
// epilogue, written straight into the result buffer: one call, no loop, no copy.
// CHECK: func.func private @sinter_kernel_matmul_bias_f32(i64, i64, i64, i64, i64, i64, i64, i64, i32, i32, i32)
// CHECK-LABEL: func.func @dense(
// CHECK-NOT: linalg.
// CHECK: call @sinter_kernel_matmul_bias_f32({{.*}}, %c1_i32) :
// CHECK-NOT: linalg.
// CHECK-NOT: memref.copy
// CHECK: return

// Without a ReLU: activation 0. A loop that does more than add the bias stays a loop.
// CHECK-LABEL: func.func @linear(
// CHECK: call @sinter_kernel_matmul_bias_f32({{.*}}, %c0_i32) :
// CHECK-LABEL: func.func @scaled(
// CHECK: call @sinter_kernel_matmul_f32(
// CHECK: linalg.generic
module @m {
  sinter.variable @w {trainable} : tensor<64x32xf32>
  sinter.variable @b {trainable} : tensor<32xf32>
  func.func @dense(%x: tensor<16x64xf32> {sinter.name = "x"}) -> (tensor<16x32xf32> {sinter.name = "y"}) {
    %w = sinter.read @w : tensor<64x32xf32>
    %b = sinter.read @b : tensor<32xf32>
    %y = sinter.matmul %x, %w : tensor<16x64xf32>, tensor<64x32xf32> -> tensor<16x32xf32>
    %bb = sinter.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>} : tensor<32xf32> -> tensor<16x32xf32>
    %s = sinter.add %y, %bb : tensor<16x32xf32>
    %r = sinter.relu %s : tensor<16x32xf32>
    return %r : tensor<16x32xf32>
  }
  func.func @linear(%x: tensor<16x64xf32> {sinter.name = "x"}) -> (tensor<16x32xf32> {sinter.name = "y"}) {
    %w = sinter.read @w : tensor<64x32xf32>
    %b = sinter.read @b : tensor<32xf32>
    %y = sinter.matmul %x, %w : tensor<16x64xf32>, tensor<64x32xf32> -> tensor<16x32xf32>
    %bb = sinter.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>} : tensor<32xf32> -> tensor<16x32xf32>
    %s = sinter.add %bb, %y : tensor<16x32xf32>
    return %s : tensor<16x32xf32>
  }
  func.func @scaled(%x: tensor<16x64xf32> {sinter.name = "x"}) -> (tensor<16x32xf32> {sinter.name = "y"}) {
    %w = sinter.read @w : tensor<64x32xf32>
    %b = sinter.read @b : tensor<32xf32>
    %y = sinter.matmul %x, %w : tensor<16x64xf32>, tensor<64x32xf32> -> tensor<16x32xf32>
    %bb = sinter.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>} : tensor<32xf32> -> tensor<16x32xf32>
    %s = sinter.add %y, %bb : tensor<16x32xf32>
    %t = sinter.tanh %s : tensor<16x32xf32>
    return %t : tensor<16x32xf32>
  }
}
