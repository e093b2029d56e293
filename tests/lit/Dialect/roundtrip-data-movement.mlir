// Round trip of iota, dim_size, slice, reverse, pad, concatenate, gather_nd, scatter_nd and
// where: custom assembly and attributes print back the same.

// RUN: sinter-opt %s | FileCheck %s
// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s -mlir-print-op-generic | sinter-opt | FileCheck %s

// The ops that move data by index (iota, dim_size, slice, reverse, pad, concatenate,
// gather_nd, scatter_nd, where): their custom assembly and attributes print back the same.

// CHECK-LABEL: func.func @shapes(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>)
func.func @shapes(%x: tensor<?x4xf32>) -> (tensor<3x4xi32>, tensor<5xf32>, tensor<i64>, tensor<f32>) {
  // CHECK: %[[IOTA:.*]] = sinter.iota {dimension = 1 : i64} : tensor<3x4xi32>
  %iota = sinter.iota {dimension = 1 : i64} : tensor<3x4xi32>
  // CHECK: %[[RANGE:.*]] = sinter.iota {dimension = 0 : i64} : tensor<5xf32>
  %range = sinter.iota {dimension = 0 : i64} : tensor<5xf32>
  // CHECK: %[[N:.*]] = sinter.dim_size %[[X]] {dimension = 0 : i64} : tensor<?x4xf32> -> tensor<i64>
  %n = sinter.dim_size %x {dimension = 0 : i64} : tensor<?x4xf32> -> tensor<i64>
  // A static size is not folded by the parser (only by canonicalization).
  // CHECK: %[[M:.*]] = sinter.dim_size %[[X]] {dimension = 1 : i64} : tensor<?x4xf32> -> tensor<f32>
  %m = sinter.dim_size %x {dimension = 1 : i64} : tensor<?x4xf32> -> tensor<f32>
  // CHECK: return %[[IOTA]], %[[RANGE]], %[[N]], %[[M]]
  return %iota, %range, %n, %m : tensor<3x4xi32>, tensor<5xf32>, tensor<i64>, tensor<f32>
}

// CHECK-LABEL: func.func @slices(
// CHECK-SAME: %[[X:.*]]: tensor<4x6xf32>, %[[B:.*]]: tensor<?x6xi32>, %[[P:.*]]: tensor<f32>)
func.func @slices(%x: tensor<4x6xf32>, %b: tensor<?x6xi32>, %p: tensor<f32>)
    -> (tensor<2x2xf32>, tensor<?x3xi32>, tensor<4x6xf32>, tensor<9x12xf32>, tensor<4x13xf32>) {
  // CHECK: %[[S:.*]] = sinter.slice %[[X]] {limit_indices = array<i64: 3, 6>, start_indices = array<i64: 1, 1>, strides = array<i64: 1, 3>} : tensor<4x6xf32> -> tensor<2x2xf32>
  %s = sinter.slice %x {start_indices = array<i64: 1, 1>, limit_indices = array<i64: 3, 6>, strides = array<i64: 1, 3>} : tensor<4x6xf32> -> tensor<2x2xf32>
  // The batch dimension is taken whole: its limit is the dynamic size.
  // CHECK: %[[SB:.*]] = sinter.slice %[[B]] {limit_indices = array<i64: -9223372036854775808, 3>, start_indices = array<i64: 0, 0>, strides = array<i64: 1, 1>} : tensor<?x6xi32> -> tensor<?x3xi32>
  %sb = sinter.slice %b {start_indices = array<i64: 0, 0>, limit_indices = array<i64: -9223372036854775808, 3>, strides = array<i64: 1, 1>} : tensor<?x6xi32> -> tensor<?x3xi32>
  // CHECK: %[[R:.*]] = sinter.reverse %[[X]] {dimensions = array<i64: 0, 1>} : tensor<4x6xf32>
  %r = sinter.reverse %x {dimensions = array<i64: 0, 1>} : tensor<4x6xf32>
  // Each size is low + high + n + (n − 1)·interior: rows 1 + 4 + 4 + 3·0 = 9, columns
  // 0 + 1 + 6 + 5·1 = 12.
  // CHECK: %[[PAD:.*]] = sinter.pad %[[R]], %[[P]] {edge_padding_high = array<i64: 4, 1>, edge_padding_low = array<i64: 1, 0>, interior_padding = array<i64: 0, 1>} : tensor<4x6xf32>, tensor<f32> -> tensor<9x12xf32>
  %pad = sinter.pad %r, %p {edge_padding_low = array<i64: 1, 0>, edge_padding_high = array<i64: 4, 1>, interior_padding = array<i64: 0, 1>} : tensor<4x6xf32>, tensor<f32> -> tensor<9x12xf32>
  // CHECK: %[[S1:.*]] = sinter.slice %[[X]] {limit_indices = array<i64: 4, 1>, start_indices = array<i64: 0, 0>, strides = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<4x1xf32>
  %s1 = sinter.slice %x {start_indices = array<i64: 0, 0>, limit_indices = array<i64: 4, 1>, strides = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<4x1xf32>
  // CHECK: %[[CAT:.*]] = sinter.concatenate %[[X]], %[[R]], %[[S1]] {dimension = 1 : i64} : tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x1xf32> -> tensor<4x13xf32>
  %cat = sinter.concatenate %x, %r, %s1 {dimension = 1 : i64} : tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x1xf32> -> tensor<4x13xf32>
  // CHECK: return %[[S]], %[[SB]], %[[R]], %[[PAD]], %[[CAT]]
  return %s, %sb, %r, %pad, %cat : tensor<2x2xf32>, tensor<?x3xi32>, tensor<4x6xf32>, tensor<9x12xf32>, tensor<4x13xf32>
}

// CHECK-LABEL: func.func @indexing(
// CHECK-SAME: %[[X:.*]]: tensor<4x5x3xf32>, %[[I:.*]]: tensor<7x2xi32>, %[[M:.*]]: tensor<4x5xi1>)
func.func @indexing(%x: tensor<4x5x3xf32>, %i: tensor<7x2xi32>, %m: tensor<4x5xi1>)
    -> (tensor<7x3xf32>, tensor<4x5x3xf32>, tensor<?x3xf32>) {
  // CHECK: %[[G:.*]] = sinter.gather_nd %[[X]], %[[I]] : tensor<4x5x3xf32>, tensor<7x2xi32> -> tensor<7x3xf32>
  %g = sinter.gather_nd %x, %i : tensor<4x5x3xf32>, tensor<7x2xi32> -> tensor<7x3xf32>
  // CHECK: %[[SC:.*]] = sinter.scatter_nd %[[I]], %[[G]] : tensor<7x2xi32>, tensor<7x3xf32> -> tensor<4x5x3xf32>
  %sc = sinter.scatter_nd %i, %g : tensor<7x2xi32>, tensor<7x3xf32> -> tensor<4x5x3xf32>
  // where's row count is known only at run time; gather_nd takes it (boolean_mask).
  // CHECK: %[[W:.*]] = sinter.where %[[M]] : tensor<4x5xi1> -> tensor<?x2xi64>
  %w = sinter.where %m : tensor<4x5xi1> -> tensor<?x2xi64>
  // CHECK: %[[MASKED:.*]] = sinter.gather_nd %[[X]], %[[W]] : tensor<4x5x3xf32>, tensor<?x2xi64> -> tensor<?x3xf32>
  %masked = sinter.gather_nd %x, %w : tensor<4x5x3xf32>, tensor<?x2xi64> -> tensor<?x3xf32>
  // CHECK: return %[[G]], %[[SC]], %[[MASKED]]
  return %g, %sc, %masked : tensor<7x3xf32>, tensor<4x5x3xf32>, tensor<?x3xf32>
}
