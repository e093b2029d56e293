// RUN: sinter-opt %s -sinter-to-linalg -sinter-fuse-elementwise -sinter-split-empty-tensors -sinter-results-in-place -one-shot-bufferize="unknown-type-conversion=identity-layout-map" -canonicalize -sinter-outline-kernels -canonicalize | FileCheck %s

// A Conv2D layer with a ReLU: the bias add and ReLU after the forward convolution's kernel
// call (one fused loop) go into the call, as oneDNN's bias and post-op: one call, no loop.
// CHECK: func.func private @sinter_kernel_conv2d_bias_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i32)
// CHECK-LABEL: func.func @conv_relu(
// CHECK-NOT: linalg.
// CHECK: call @sinter_kernel_conv2d_bias_f32({{.*}}, %c1_i32) :
// CHECK-NOT: linalg.
// CHECK: return

// A loop that does more than add the bias (and a ReLU) stays a loop after the plain call.
// CHECK-LABEL: func.func @conv_tanh(
// CHECK: call @sinter_kernel_conv2d_f32(
// CHECK: linalg.generic
module @m {
  sinter.variable @w {trainable} : tensor<3x3x8x16xf32>
  sinter.variable @b {trainable} : tensor<16xf32>
  func.func @conv_relu(%x: tensor<?x16x16x8xf32> {sinter.name = "x"}) -> (tensor<?x16x16x16xf32> {sinter.name = "y"}) {
    %w = sinter.read @w : tensor<3x3x8x16xf32>
    %b = sinter.read @b : tensor<16xf32>
    %y = sinter.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64} : tensor<?x16x16x8xf32>, tensor<3x3x8x16xf32> -> tensor<?x16x16x16xf32>
    %bb = sinter.broadcast_in_dim %b {broadcast_dimensions = array<i64: 3>} : tensor<16xf32> -> tensor<?x16x16x16xf32>
    %s = sinter.add %y, %bb : tensor<?x16x16x16xf32>
    %r = sinter.relu %s : tensor<?x16x16x16xf32>
    return %r : tensor<?x16x16x16xf32>
  }
  func.func @conv_tanh(%x: tensor<?x16x16x8xf32> {sinter.name = "x"}) -> (tensor<?x16x16x16xf32> {sinter.name = "y"}) {
    %w = sinter.read @w : tensor<3x3x8x16xf32>
    %b = sinter.read @b : tensor<16xf32>
    %y = sinter.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64} : tensor<?x16x16x8xf32>, tensor<3x3x8x16xf32> -> tensor<?x16x16x16xf32>
    %bb = sinter.broadcast_in_dim %b {broadcast_dimensions = array<i64: 3>} : tensor<16xf32> -> tensor<?x16x16x16xf32>
    %s = sinter.add %y, %bb : tensor<?x16x16x16xf32>
    %t = sinter.tanh %s : tensor<?x16x16x16xf32>
    return %t : tensor<?x16x16x16xf32>
  }
}
