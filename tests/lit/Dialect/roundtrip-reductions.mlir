// Round trip of reduce_sum/min/prod, argmax, argmin and top_k: custom assembly with axes,
// keepdims, axis and k prints back the same, also through the generic form.

// RUN: sinter-opt %s | FileCheck %s
// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s -mlir-print-op-generic | sinter-opt | FileCheck %s

// The reductions (reduce_*, argmax/argmin, top_k): their custom assembly, with the axes,
// keepdims, axis and k attributes and the inferred result types, parses and prints back.

// CHECK-LABEL: func.func @reduce(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<?x5xi32>)
func.func @reduce(%x: tensor<2x3x4xf32>, %i: tensor<?x5xi32>)
    -> (tensor<3xf32>, tensor<2x1x4xf32>, tensor<f32>, tensor<?xi32>, tensor<5xi32>) {
  // CHECK: %[[SUM:.*]] = sinter.reduce_sum %[[X]] {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
  %sum = sinter.reduce_sum %x {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: %[[MIN:.*]] = sinter.reduce_min %[[X]] {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %min = sinter.reduce_min %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: %[[PROD:.*]] = sinter.reduce_prod %[[X]] {axes = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<f32>
  %prod = sinter.reduce_prod %x {axes = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK: %[[IMIN:.*]] = sinter.reduce_min %[[I]] {axes = array<i64: 1>} : tensor<?x5xi32> -> tensor<?xi32>
  %imin = sinter.reduce_min %i {axes = array<i64: 1>} : tensor<?x5xi32> -> tensor<?xi32>
  // An explicit keepdims = false is the default, not printed.
  // CHECK: %[[ISUM:.*]] = sinter.reduce_sum %[[I]] {axes = array<i64: 0>} : tensor<?x5xi32> -> tensor<5xi32>
  %isum = sinter.reduce_sum %i {axes = array<i64: 0>, keepdims = false} : tensor<?x5xi32> -> tensor<5xi32>
  // CHECK: return %[[SUM]], %[[MIN]], %[[PROD]], %[[IMIN]], %[[ISUM]]
  return %sum, %min, %prod, %imin, %isum : tensor<3xf32>, tensor<2x1x4xf32>, tensor<f32>, tensor<?xi32>, tensor<5xi32>
}

// CHECK-LABEL: func.func @arg(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>, %[[U:.*]]: tensor<6xui8>)
func.func @arg(%x: tensor<2x3x4xf32>, %u: tensor<6xui8>) -> (tensor<2x4xi64>, tensor<3x4xi64>, tensor<i64>) {
  // CHECK: %[[AMAX:.*]] = sinter.argmax %[[X]] {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x4xi64>
  %amax = sinter.argmax %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x4xi64>
  // CHECK: %[[AMIN:.*]] = sinter.argmin %[[X]] {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<3x4xi64>
  %amin = sinter.argmin %x {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<3x4xi64>
  // CHECK: %[[UMAX:.*]] = sinter.argmax %[[U]] {axis = 0 : i64} : tensor<6xui8> -> tensor<i64>
  %umax = sinter.argmax %u {axis = 0 : i64} : tensor<6xui8> -> tensor<i64>
  // CHECK: return %[[AMAX]], %[[AMIN]], %[[UMAX]]
  return %amax, %amin, %umax : tensor<2x4xi64>, tensor<3x4xi64>, tensor<i64>
}

// CHECK-LABEL: func.func @top_k(
// CHECK-SAME: %[[X:.*]]: tensor<?x10xf32>)
func.func @top_k(%x: tensor<?x10xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>) {
  // CHECK: %[[V:[a-z0-9_]+]], %[[I:[a-z0-9_]+]] = sinter.top_k %[[X]] {k = 3 : i64} : tensor<?x10xf32> -> tensor<?x3xf32>, tensor<?x3xi32>
  %v, %i = sinter.top_k %x {k = 3 : i64} : tensor<?x10xf32> -> tensor<?x3xf32>, tensor<?x3xi32>
  // CHECK: return %[[V]], %[[I]] : tensor<?x3xf32>, tensor<?x3xi32>
  return %v, %i : tensor<?x3xf32>, tensor<?x3xi32>
}
