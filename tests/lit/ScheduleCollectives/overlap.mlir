// RUN: sinter-opt %s -sinter-schedule-collectives | FileCheck %s

// A backward pass as the autodiff pass leaves it, with the bucketed all-reduce after every
// gradient: the bucket of the last layer's gradients (%g2, %b2: reshaped and concatenated) is
// reduced as soon as they exist, before the first layer's gradient %g1 is computed; the
// all-reduce of %g1 follows it. The ops that use the reduced values stay where they were.
// CHECK-LABEL: func.func @step(
// CHECK: %[[G2:.*]] = sinter.matmul
// CHECK-NEXT: %[[F2:.*]] = sinter.reshape %[[G2]]
// CHECK-NEXT: %[[B2:.*]] = sinter.tanh
// CHECK-NEXT: %[[FB:.*]] = sinter.reshape %[[B2]]
// CHECK-NEXT: %[[CAT:.*]] = sinter.concatenate %[[F2]], %[[FB]]
// CHECK-NEXT: %[[R2:.*]] = sinter.all_reduce %[[CAT]]
// CHECK-NEXT: %[[G1:.*]] = sinter.matmul
// CHECK-NEXT: %[[R1:.*]] = sinter.all_reduce %[[G1]]
// CHECK-NEXT: sinter.mul %[[R1]]
// CHECK-NEXT: sinter.mul %[[R2]]
// An all-reduce of an entry argument goes to the top.
// CHECK-LABEL: func.func @first(
// CHECK-NEXT: sinter.all_reduce %arg1
// CHECK-NEXT: sinter.exp %arg0
func.func @step(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<32xf32>) {
  %g2 = sinter.matmul %x, %w : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
  %b2 = sinter.tanh %x : tensor<4x4xf32>
  %g1 = sinter.matmul %g2, %w : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
  %f2 = sinter.reshape %g2 : tensor<4x4xf32> -> tensor<16xf32>
  %fb = sinter.reshape %b2 : tensor<4x4xf32> -> tensor<16xf32>
  %cat = sinter.concatenate %f2, %fb {dimension = 0 : i64} : tensor<16xf32>, tensor<16xf32> -> tensor<32xf32>
  %r2 = sinter.all_reduce %cat : tensor<32xf32>
  %r1 = sinter.all_reduce %g1 : tensor<4x4xf32>
  %u1 = sinter.mul %r1, %w : tensor<4x4xf32>
  %u2 = sinter.mul %r2, %r2 : tensor<32xf32>
  return %u1, %u2 : tensor<4x4xf32>, tensor<32xf32>
}

func.func @first(%x: tensor<4xf32>, %n: tensor<f32>) -> (tensor<4xf32>, tensor<f32>) {
  %e = sinter.exp %x : tensor<4xf32>
  %s = sinter.all_reduce %n : tensor<f32>
  return %e, %s : tensor<4xf32>, tensor<f32>
}
