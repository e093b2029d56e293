// RUN: sinter-opt %s | FileCheck %s
// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s -mlir-print-op-generic | sinter-opt | FileCheck %s

// The custom assembly of each op parses and prints back the same.

// CHECK-LABEL: module @m
module @m {
  // CHECK: sinter.variable @w {trainable} : tensor<4x3xf32>
  sinter.variable @w {trainable} : tensor<4x3xf32>
  // CHECK: sinter.variable @"adam/step" : tensor<f32>
  sinter.variable @"adam/step" : tensor<f32>

  // CHECK-LABEL: func.func @ops(
  func.func @ops(%x: tensor<2x4xf32> {sinter.name = "x"}, %l: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<f32>) {
    // CHECK: %[[W:.*]] = sinter.read @w : tensor<4x3xf32>
    %w = sinter.read @w : tensor<4x3xf32>
    // CHECK: sinter.matmul %arg0, %[[W]] : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    %y = sinter.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    // CHECK: sinter.matmul %arg0, %arg0 {transpose_a = true} : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<4x4xf32>
    %xtx = sinter.matmul %x, %x {transpose_a = true} : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<4x4xf32>
    // CHECK: sinter.constant dense<1.000000e+00> : tensor<f32>
    %one = sinter.constant dense<1.0> : tensor<f32>
    // CHECK: sinter.broadcast_in_dim %{{.*}} {broadcast_dimensions = array<i64>} : tensor<f32> -> tensor<2x3xf32>
    %ones = sinter.broadcast_in_dim %one {broadcast_dimensions = array<i64>} : tensor<f32> -> tensor<2x3xf32>
    // CHECK: sinter.add %{{.*}}, %{{.*}} : tensor<2x3xf32>
    %a = sinter.add %y, %ones : tensor<2x3xf32>
    // CHECK: sinter.relu %{{.*}} : tensor<2x3xf32>
    %r = sinter.relu %a : tensor<2x3xf32>
    // CHECK: sinter.compare "gt", %{{.*}}, %{{.*}} : tensor<2x3xf32>
    %c = sinter.compare "gt", %r, %ones : tensor<2x3xf32>
    // CHECK: sinter.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xi1>, tensor<2x3xf32>
    %s = sinter.select %c, %r, %ones : tensor<2x3xi1>, tensor<2x3xf32>
    // CHECK: sinter.cast %{{.*}} : tensor<2x3xi1> -> tensor<2x3xf32>
    %cf = sinter.cast %c : tensor<2x3xi1> -> tensor<2x3xf32>
    // CHECK: sinter.reshape %{{.*}} : tensor<2x3xf32> -> tensor<6xf32>
    %flat = sinter.reshape %cf : tensor<2x3xf32> -> tensor<6xf32>
    // CHECK: sinter.transpose %{{.*}} {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
    %t = sinter.transpose %s {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
    // CHECK: sinter.softmax %{{.*}} : tensor<2x3xf32>
    %sm = sinter.softmax %s : tensor<2x3xf32>
    // CHECK: sinter.softmax_cross_entropy %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2xf32>
    %xe = sinter.softmax_cross_entropy %sm, %l : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2xf32>
    // CHECK: %[[LOSS:.*]] = sinter.reduce_mean %{{.*}} {axes = array<i64: 0>} : tensor<2xf32> -> tensor<f32>
    %loss = sinter.reduce_mean %xe {axes = array<i64: 0>} : tensor<2xf32> -> tensor<f32>
    // CHECK: sinter.reduce_max %{{.*}} {axes = array<i64: 1>, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
    %mx = sinter.reduce_max %s {axes = array<i64: 1>, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
    // CHECK: sinter.random "normal" {{.*}} : tensor<4x3xf32>
    %n = sinter.random "normal" {a = 0.0 : f64, b = 1.0 : f64, seed = 7 : i64} : tensor<4x3xf32>
    // CHECK: %[[G:.*]] = sinter.grad %[[LOSS]] wrt %[[W]] : tensor<f32>, tensor<4x3xf32>
    %g = sinter.grad %loss wrt %w : tensor<f32>, tensor<4x3xf32>
    // CHECK: sinter.assign @w, %[[G]] : tensor<4x3xf32>
    sinter.assign @w, %g : tensor<4x3xf32>
    return %s, %loss : tensor<2x3xf32>, tensor<f32>
  }
}
