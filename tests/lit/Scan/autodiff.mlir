// RUN: sinter-opt %s -sinter-autodiff | FileCheck %s
// RUN: sinter-opt %s -sinter-autodiff -canonicalize -cse | FileCheck %s --check-prefix=CLEAN

// The gradient of a scan is a reverse scan: the forward scan is replaced by one that also
// stacks the carry each step starts from (the saved per-step values), and the backward body
// recomputes one step from it and applies the step's VJP. Its carries are the carry's adjoint
// and the constant's accumulated adjoint; its output is the sequence's adjoint.

// CHECK-LABEL: func.func @rnn
func.func @rnn(%h0: tensor<2x3xf32>, %x: tensor<4x2x3xf32>, %w: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<4x2x3xf32>) {
  // CHECK: %[[FWD:.*]]:2 = "sinter.scan"(%arg0, %arg1, %arg2) ({
  // CHECK: sinter.yield %{{.*}}, %[[H:.*]] : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK-NEXT: }) {axis = 0 : i64, num_carries = 1 : i64, num_sequences = 1 : i64} : (tensor<2x3xf32>, tensor<4x2x3xf32>, tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<4x2x3xf32>)
  %r = "sinter.scan"(%h0, %x, %w) ({
  ^bb0(%h: tensor<2x3xf32>, %xt: tensor<2x3xf32>, %k: tensor<3x3xf32>):
    %m = sinter.matmul %h, %k : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x3xf32>
    %s = sinter.add %m, %xt : tensor<2x3xf32>
    %t = sinter.tanh %s : tensor<2x3xf32>
    sinter.yield %t : tensor<2x3xf32>
  }) {axis = 0 : i64, num_carries = 1 : i64, num_sequences = 1 : i64} : (tensor<2x3xf32>, tensor<4x2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %l = sinter.reduce_sum %r {axes = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<f32>
  // CHECK: "sinter.scan"(%{{.*}}, %{{.*}}, %[[FWD]]#1, %arg1, %arg2) ({
  // CHECK: ^bb0(%[[DH:.*]]: tensor<2x3xf32>, %[[DK:.*]]: tensor<3x3xf32>, %[[HT:.*]]: tensor<2x3xf32>, %[[XT:.*]]: tensor<2x3xf32>, %[[K:.*]]: tensor<3x3xf32>):
  // CHECK: sinter.matmul %[[HT]], %[[K]]
  // CHECK: sinter.tanh
  // CHECK: sinter.matmul %[[HT]], {{.*}} {transpose_a = true}
  // CHECK: sinter.add %[[DK]]
  // CHECK: sinter.yield {{.*}} : tensor<2x3xf32>, tensor<3x3xf32>, tensor<2x3xf32>
  // CHECK-NEXT: }) {axis = 0 : i64, num_carries = 2 : i64, num_sequences = 2 : i64, reverse}
  // CHECK-NOT: sinter.grad
  %g:2 = sinter.grad %l wrt %w, %x : tensor<f32>, tensor<3x3xf32>, tensor<4x2x3xf32>
  return %g#0, %g#1 : tensor<3x3xf32>, tensor<4x2x3xf32>
}

// The original scan is dead once its place is taken: two scans are left.
// CLEAN-LABEL: func.func @rnn
// CLEAN-COUNT-2: "sinter.scan"
// CLEAN-NOT: "sinter.scan"
