// Round trip of conv2d and its gradients, the poolings and theirs, batch_norm(_grad): custom
// assembly with the window geometry attributes prints back the same.

// RUN: sinter-opt %s | FileCheck %s
// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s -mlir-print-op-generic | sinter-opt | FileCheck %s

// Convolutions, poolings, their gradients and batch normalisation (NHWC): the custom assembly
// with the window geometry attributes and the (inferred or given) result types prints back.

// CHECK-LABEL: func.func @conv(
// CHECK-SAME: %[[X:.*]]: tensor<?x5x5x4xf32>, %[[W:.*]]: tensor<3x3x2x6xf32>)
func.func @conv(%x: tensor<?x5x5x4xf32>, %w: tensor<3x3x2x6xf32>)
    -> (tensor<?x3x3x6xf32>, tensor<?x5x5x4xf32>, tensor<3x3x2x6xf32>) {
  // CHECK: %[[Y:.*]] = sinter.conv2d %[[X]], %[[W]] {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<?x5x5x4xf32>, tensor<3x3x2x6xf32> -> tensor<?x3x3x6xf32>
  %y = sinter.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : tensor<?x5x5x4xf32>, tensor<3x3x2x6xf32> -> tensor<?x3x3x6xf32>
  // CHECK: %[[DX:.*]] = sinter.conv2d_backprop_input %[[Y]], %[[W]] {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<?x3x3x6xf32>, tensor<3x3x2x6xf32> -> tensor<?x5x5x4xf32>
  %dx = sinter.conv2d_backprop_input %y, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : tensor<?x3x3x6xf32>, tensor<3x3x2x6xf32> -> tensor<?x5x5x4xf32>
  // CHECK: %[[DW:.*]] = sinter.conv2d_backprop_filter %[[X]], %[[Y]] {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<?x5x5x4xf32>, tensor<?x3x3x6xf32> -> tensor<3x3x2x6xf32>
  %dw = sinter.conv2d_backprop_filter %x, %y {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : tensor<?x5x5x4xf32>, tensor<?x3x3x6xf32> -> tensor<3x3x2x6xf32>
  // CHECK: return %[[Y]], %[[DX]], %[[DW]]
  return %y, %dx, %dw : tensor<?x3x3x6xf32>, tensor<?x5x5x4xf32>, tensor<3x3x2x6xf32>
}

// groups defaults to 1 (not printed); a dilated filter spans more of the input.
// CHECK-LABEL: func.func @conv_dilated(
// CHECK: sinter.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : tensor<1x7x7x3xf64>, tensor<3x3x3x8xf64> -> tensor<1x3x3x8xf64>
func.func @conv_dilated(%x: tensor<1x7x7x3xf64>, %w: tensor<3x3x3x8xf64>) -> tensor<1x3x3x8xf64> {
  %y = sinter.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, groups = 1 : i64} : tensor<1x7x7x3xf64>, tensor<3x3x3x8xf64> -> tensor<1x3x3x8xf64>
  return %y : tensor<1x3x3x8xf64>
}

// CHECK-LABEL: func.func @pool(
// CHECK-SAME: %[[X:.*]]: tensor<2x6x6x3xf32>, %[[G:.*]]: tensor<2x3x3x3xf32>)
func.func @pool(%x: tensor<2x6x6x3xf32>, %g: tensor<2x3x3x3xf32>)
    -> (tensor<2x3x3x3xf32>, tensor<2x3x3x3xf32>, tensor<2x6x6x3xf32>, tensor<2x3x3x3xf32>, tensor<2x6x6x3xf32>) {
  // CHECK: %[[MAX:.*]] = sinter.max_pool2d %[[X]] {padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>, window = array<i64: 3, 3>} : tensor<2x6x6x3xf32> -> tensor<2x3x3x3xf32>
  %max = sinter.max_pool2d %x {window = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>} : tensor<2x6x6x3xf32> -> tensor<2x3x3x3xf32>
  // CHECK: %[[AVG:.*]] = sinter.avg_pool2d %[[X]] {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : tensor<2x6x6x3xf32> -> tensor<2x3x3x3xf32>
  %avg = sinter.avg_pool2d %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<2x6x6x3xf32> -> tensor<2x3x3x3xf32>
  // CHECK: %[[MAXG:.*]] = sinter.max_pool2d_grad %[[X]], %[[G]] {padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>, window = array<i64: 3, 3>} : tensor<2x6x6x3xf32>, tensor<2x3x3x3xf32> -> tensor<2x6x6x3xf32>
  %maxg = sinter.max_pool2d_grad %x, %g {window = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>} : tensor<2x6x6x3xf32>, tensor<2x3x3x3xf32> -> tensor<2x6x6x3xf32>
  // CHECK: %[[SEL:.*]] = sinter.max_pool2d_select %[[X]], %[[MAXG]] {padding = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>, window = array<i64: 3, 3>} : tensor<2x6x6x3xf32>, tensor<2x6x6x3xf32> -> tensor<2x3x3x3xf32>
  %sel = sinter.max_pool2d_select %x, %maxg {window = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>} : tensor<2x6x6x3xf32>, tensor<2x6x6x3xf32> -> tensor<2x3x3x3xf32>
  // CHECK: %[[AVGG:.*]] = sinter.avg_pool2d_grad %[[G]] {padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : tensor<2x3x3x3xf32> -> tensor<2x6x6x3xf32>
  %avgg = sinter.avg_pool2d_grad %g {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<2x3x3x3xf32> -> tensor<2x6x6x3xf32>
  // CHECK: return %[[MAX]], %[[AVG]], %[[MAXG]], %[[SEL]], %[[AVGG]]
  return %max, %avg, %maxg, %sel, %avgg : tensor<2x3x3x3xf32>, tensor<2x3x3x3xf32>, tensor<2x6x6x3xf32>, tensor<2x3x3x3xf32>, tensor<2x6x6x3xf32>
}

// CHECK-LABEL: func.func @batch_norm(
// CHECK-SAME: %[[X:.*]]: tensor<?x4x4x3xf32>, %[[GAMMA:.*]]: tensor<3xf32>, %[[BETA:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<?x4x4x3xf32>)
func.func @batch_norm(%x: tensor<?x4x4x3xf32>, %gamma: tensor<3xf32>, %beta: tensor<3xf32>, %g: tensor<?x4x4x3xf32>)
    -> (tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>) {
  // CHECK: %[[Y:[a-z0-9_]+]], %[[MEAN:[a-z0-9_]+]], %[[VAR:[a-z0-9_]+]] = sinter.batch_norm %[[X]], %[[GAMMA]], %[[BETA]] {epsilon = 1.000000e-03 : f64} : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
  %y, %mean, %variance = sinter.batch_norm %x, %gamma, %beta {epsilon = 1.0e-3 : f64} : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
  // CHECK: %[[DX:[a-z0-9_]+]], %[[DGAMMA:[a-z0-9_]+]], %[[DBETA:[a-z0-9_]+]] = sinter.batch_norm_grad %[[X]], %[[GAMMA]], %[[MEAN]], %[[VAR]], %[[G]] {epsilon = 1.000000e-03 : f64} : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32> -> tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
  %dx, %dgamma, %dbeta = sinter.batch_norm_grad %x, %gamma, %mean, %variance, %g {epsilon = 1.0e-3 : f64} : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32> -> tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
  // CHECK: return %[[Y]], %[[DX]], %[[DGAMMA]], %[[DBETA]]
  return %y, %dx, %dgamma, %dbeta : tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
}
