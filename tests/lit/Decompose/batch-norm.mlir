// RUN: sinter-opt %s -sinter-decompose | FileCheck %s

// float32 batch normalisation stays one op for the runtime's oneDNN kernels; float64 (and
// every type under SINTER_GENERATED_ONLY=1) becomes its formula in primitives, reduced over
// every axis but the channels.

// CHECK-LABEL: func.func @kept_f32
// CHECK: sinter.batch_norm %arg0, %arg1, %arg2 {epsilon = 1.000000e-03 : f64}
// CHECK: sinter.batch_norm_grad %arg0, %arg1, %{{.*}}, %{{.*}}, %arg3 {epsilon = 1.000000e-03 : f64}
func.func @kept_f32(%x: tensor<?x4x4x3xf32>, %gamma: tensor<3xf32>, %beta: tensor<3xf32>,
                    %g: tensor<?x4x4x3xf32>) -> (tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>) {
  %y, %mean, %variance = sinter.batch_norm %x, %gamma, %beta {epsilon = 1.0e-3 : f64} : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
  %dx, %dgamma, %dbeta = sinter.batch_norm_grad %x, %gamma, %mean, %variance, %g {epsilon = 1.0e-3 : f64} : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32> -> tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
  return %y, %dx : tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>
}

// CHECK-LABEL: func.func @decomposed_f64
// CHECK-NOT: sinter.batch_norm
// CHECK: %[[MEAN:.*]] = sinter.reduce_mean %arg0 {axes = array<i64: 0>} : tensor<5x3xf64> -> tensor<3xf64>
// CHECK: %[[C:.*]] = sinter.sub %arg0, {{.*}} : tensor<5x3xf64>
// CHECK: %[[SQ:.*]] = sinter.mul %[[C]], %[[C]]
// CHECK: %[[VAR:.*]] = sinter.reduce_mean %[[SQ]] {axes = array<i64: 0>}
// CHECK: sinter.sqrt
// CHECK: sinter.div %[[C]]
// CHECK-NOT: sinter.batch_norm
// CHECK: return
func.func @decomposed_f64(%x: tensor<5x3xf64>, %gamma: tensor<3xf64>, %beta: tensor<3xf64>)
    -> (tensor<5x3xf64>, tensor<3xf64>, tensor<3xf64>) {
  %y, %mean, %variance = sinter.batch_norm %x, %gamma, %beta {epsilon = 1.0e-3 : f64} : tensor<5x3xf64>, tensor<3xf64>, tensor<3xf64> -> tensor<5x3xf64>, tensor<3xf64>, tensor<3xf64>
  return %y, %mean, %variance : tensor<5x3xf64>, tensor<3xf64>, tensor<3xf64>
}
