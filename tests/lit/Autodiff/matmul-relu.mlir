// RUN: sinter-opt %s -sinter-autodiff | FileCheck %s
// RUN: sinter-opt %s -sinter-autodiff -canonicalize -cse | FileCheck %s --check-prefix=CLEAN

// d(Σ relu(x·w))/dw: the VJP of relu is a select on x·w > 0, the VJP of the matmul for its
// right operand is xᵀ·g (transpose_a), for its left operand g·wᵀ (transpose_b).

module @m {
  sinter.variable @w {trainable} : tensor<4x3xf32>
  // CHECK-LABEL: func.func @f
  func.func @f(%x: tensor<2x4xf32>) -> tensor<4x3xf32> {
    // CHECK: %[[W:.*]] = sinter.read @w
    %w = sinter.read @w : tensor<4x3xf32>
    // CHECK: %[[Y:.*]] = sinter.matmul %[[X:.*]], %[[W]] : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    %y = sinter.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    %r = sinter.relu %y : tensor<2x3xf32>
    %l = sinter.reduce_sum %r {axes = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<f32>
    // The seed: d loss / d loss = 1, broadcast back over the summed axes.
    // CHECK: sinter.constant dense<1.000000e+00> : tensor<f32>
    // CHECK: sinter.broadcast_in_dim {{.*}} : tensor<f32> -> tensor<2x3xf32>
    // CHECK: %[[GT:.*]] = sinter.compare "gt", %[[Y]], {{.*}} : tensor<2x3xf32>
    // CHECK: %[[G:.*]] = sinter.select %[[GT]], {{.*}} : tensor<2x3xi1>, tensor<2x3xf32>
    // CHECK: sinter.matmul %[[X]], %[[G]] {transpose_a = true} : tensor<2x4xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
    // CHECK-NOT: sinter.grad
    %g = sinter.grad %l wrt %w : tensor<f32>, tensor<4x3xf32>
    return %g : tensor<4x3xf32>
  }
}

// After clean-up only the weight gradient is left: the gradient for x (transpose_b) is dead.
// CLEAN-LABEL: func.func @f
// CLEAN-NOT: transpose_b
// CLEAN: sinter.select
// CLEAN: %[[DW:.*]] = sinter.matmul {{.*}} {transpose_a = true}
// CLEAN-NOT: sinter.grad
// CLEAN: return %[[DW]]
