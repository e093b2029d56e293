// RUN: sinter-opt %s -sinter-autodiff | FileCheck %s

// The gradient of a sum over ranks is the same sum of the ranks' gradients: every rank's x
// reaches every rank's result. A mean's is the mean.

// CHECK-LABEL: func.func @sum
func.func @sum(%x: tensor<3xf32>) -> tensor<3xf32> {
  %s = sinter.all_reduce %x : tensor<3xf32>
  %m = sinter.all_reduce %s {reduction = "mean"} : tensor<3xf32>
  %l = sinter.reduce_sum %m {axes = array<i64: 0>} : tensor<3xf32> -> tensor<f32>
  // CHECK: sinter.broadcast_in_dim
  // CHECK-NEXT: %[[G1:.*]] = sinter.all_reduce %{{.*}} {reduction = "mean"} : tensor<3xf32>
  // CHECK-NEXT: %[[G2:.*]] = sinter.all_reduce %[[G1]] : tensor<3xf32>
  // CHECK: return %[[G2]]
  %g = sinter.grad %l wrt %x : tensor<f32>, tensor<3xf32>
  return %g : tensor<3xf32>
}
