// sinter-to-linalg of iota, dim_size, slice, reverse, pad, concatenate, transpose, gather_nd,
// scatter_nd and where: the tensor ops, indexing maps and loops each becomes.

// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s

// The ops that move data by index: iota and reverse as generics (linalg.index / a reversed
// indexing map), slice/pad/concatenate as tensor slices, transpose as linalg.transpose,
// dim_size from tensor.dim, gather_nd as a generic reading clamped indices, scatter_nd and
// where as scf.for loops.

// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$REV:.*]] = affine_map<(d0, d1) -> (d0, -d1 + 5)>

// CHECK-LABEL: func.func @iota(
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]]], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<3x4xf32>)
// CHECK-NEXT: ^bb0(%{{.*}}: f32):
// CHECK-NEXT: %[[I:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[I64]] : i64 to f32
// CHECK-NEXT: linalg.yield %[[F]] : f32
func.func @iota() -> tensor<3x4xf32> {
  %0 = sinter.iota {dimension = 1 : i64} : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// The batch size is the entry's first argument; the size is cast to the result dtype.
// CHECK-LABEL: func.func @dim_size(
// CHECK-SAME: %[[N:.*]]: index, %{{.*}}: memref<1x4xf32>, %[[OUT:.*]]: memref<f32>)
// CHECK: %[[X:.*]] = bufferization.to_tensor
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[DIM:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x4xf32>
// CHECK: %[[I64:.*]] = arith.index_cast %[[DIM]] : index to i64
// CHECK: %[[F:.*]] = arith.sitofp %[[I64]] : i64 to f32
// CHECK: %[[S:.*]] = tensor.from_elements %[[F]] : tensor<f32>
// CHECK: bufferization.materialize_in_destination %[[S]] in restrict writable %[[OUT]]
func.func @dim_size(%x: tensor<?x4xf32>) -> tensor<f32> {
  %n = sinter.dim_size %x {dimension = 0 : i64} : tensor<?x4xf32> -> tensor<f32>
  return %n : tensor<f32>
}

// CHECK-LABEL: func.func @slice(
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][1, 1] [2, 2] [1, 3] : tensor<4x6xf32> to tensor<2x2xf32>
// CHECK: bufferization.materialize_in_destination %[[S]] in restrict writable %arg1
func.func @slice(%x: tensor<4x6xf32>) -> tensor<2x2xf32> {
  %s = sinter.slice %x {start_indices = array<i64: 1, 1>, limit_indices = array<i64: 3, 6>, strides = array<i64: 1, 3>} : tensor<4x6xf32> -> tensor<2x2xf32>
  return %s : tensor<2x2xf32>
}

// A batch dimension is sliced whole, with the batch size.
// CHECK-LABEL: func.func @slice_batch(
// CHECK-SAME: %[[N:.*]]: index
// CHECK: tensor.extract_slice %{{.*}}[0, 2] [%[[N]], 3] [1, 1] : tensor<?x6xi32> to tensor<?x3xi32>
func.func @slice_batch(%x: tensor<?x6xi32>) -> tensor<?x3xi32> {
  %s = sinter.slice %x {start_indices = array<i64: 0, 2>, limit_indices = array<i64: -9223372036854775808, 5>, strides = array<i64: 1, 1>} : tensor<?x6xi32> -> tensor<?x3xi32>
  return %s : tensor<?x3xi32>
}

// Element (i, j) of the result reads (i, 5 − j).
// CHECK-LABEL: func.func @reverse(
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
// CHECK: linalg.generic {indexing_maps = [#[[$REV]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<4x6xf32>) outs(%{{.*}} : tensor<4x6xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[A]] : f32
func.func @reverse(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %r = sinter.reverse %x {dimensions = array<i64: 1>} : tensor<4x6xf32>
  return %r : tensor<4x6xf32>
}

// A tensor of the padding value with the operand inserted at the low padding, strided by
// interior + 1.
// CHECK-LABEL: func.func @pad(
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[P:.*]] = bufferization.to_tensor %arg1
// CHECK: %[[V:.*]] = tensor.extract %[[P]][] : tensor<f32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<9x12xf32>
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[V]] : f32) outs(%[[E]] : tensor<9x12xf32>)
// CHECK: %[[R:.*]] = tensor.insert_slice %[[X]] into %[[FILL]][1, 0] [4, 6] [1, 2] : tensor<4x6xf32> into tensor<9x12xf32>
// CHECK: bufferization.materialize_in_destination %[[R]] in restrict writable %arg2
func.func @pad(%x: tensor<4x6xf32>, %p: tensor<f32>) -> tensor<9x12xf32> {
  %pad = sinter.pad %x, %p {edge_padding_low = array<i64: 1, 0>, edge_padding_high = array<i64: 4, 1>, interior_padding = array<i64: 0, 1>} : tensor<4x6xf32>, tensor<f32> -> tensor<9x12xf32>
  return %pad : tensor<9x12xf32>
}

// Each operand is inserted at the running offset along the dimension.
// CHECK-LABEL: func.func @concatenate(
// CHECK: %[[A:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[B:.*]] = bufferization.to_tensor %arg1
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x13xf32>
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [4, 6] [1, 1] : tensor<4x6xf32> into tensor<4x13xf32>
// CHECK: %[[R1:.*]] = tensor.insert_slice %[[B]] into %[[R0]][0, 6] [4, 1] [1, 1] : tensor<4x1xf32> into tensor<4x13xf32>
// CHECK: %[[R2:.*]] = tensor.insert_slice %[[A]] into %[[R1]][0, 7] [4, 6] [1, 1] : tensor<4x6xf32> into tensor<4x13xf32>
// CHECK: bufferization.materialize_in_destination %[[R2]] in restrict writable %arg2
func.func @concatenate(%a: tensor<4x6xf32>, %b: tensor<4x1xf32>) -> tensor<4x13xf32> {
  %cat = sinter.concatenate %a, %b, %a {dimension = 1 : i64} : tensor<4x6xf32>, tensor<4x1xf32>, tensor<4x6xf32> -> tensor<4x13xf32>
  return %cat : tensor<4x13xf32>
}

// CHECK-LABEL: func.func @transpose(
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x2x3xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: bufferization.materialize_in_destination %[[T]] in restrict writable %arg1
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %t = sinter.transpose %x {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %t : tensor<4x2x3xf32>
}

// Out-of-range index tuples are reported to the runtime (sinter_report_index_error), then
// each is clamped into [0, size − 1]: result (r, c) reads operand (idx[r, 0], idx[r, 1], c).
// CHECK-LABEL: func.func @gather_nd(
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[IDX:.*]] = bufferization.to_tensor %arg1
// CHECK: scf.for
// CHECK: func.call @sinter_report_index_error
// CHECK: %[[SIZE0:.*]] = arith.constant 4 : index
// CHECK: %[[SIZE1:.*]] = arith.constant 5 : index
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]]], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<7x3xf32>)
// CHECK: %[[R:.*]] = linalg.index 0 : index
// CHECK: %[[RAW0:.*]] = tensor.extract %[[IDX]][%[[R]], %{{.*}}] : tensor<7x2xi32>
// CHECK-NEXT: %[[I0:.*]] = arith.index_cast %[[RAW0]] : i32 to index
// CHECK: %[[HI0:.*]] = arith.subi %[[SIZE0]], %{{.*}} : index
// CHECK: %[[LO0:.*]] = arith.maxsi %[[I0]], %{{.*}} : index
// CHECK-NEXT: %[[P0:.*]] = arith.minsi %[[LO0]], %{{.*}} : index
// CHECK: %[[RAW1:.*]] = tensor.extract %[[IDX]][%[[R]], %{{.*}}] : tensor<7x2xi32>
// CHECK: %[[HI1:.*]] = arith.subi %[[SIZE1]], %{{.*}} : index
// CHECK: %[[P1:.*]] = arith.minsi
// CHECK-NEXT: %[[C:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[V:.*]] = tensor.extract %[[X]][%[[P0]], %[[P1]], %[[C]]] : tensor<4x5x3xf32>
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @gather_nd(%x: tensor<4x5x3xf32>, %i: tensor<7x2xi32>) -> tensor<7x3xf32> {
  %g = sinter.gather_nd %x, %i : tensor<4x5x3xf32>, tensor<7x2xi32> -> tensor<7x3xf32>
  return %g : tensor<7x3xf32>
}

// The result, as [positions, slice] = [20, 3], starts at zero; for each index row in range,
// its slice of the updates is added at the row-major position idx[r, 0]·5 + idx[r, 1].
// CHECK-LABEL: func.func @scatter_nd(
// CHECK: %[[U:.*]] = bufferization.to_tensor %arg1
// CHECK: func.call @sinter_report_index_error
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<20x3xf32>)
// CHECK: %[[ACC:.*]] = scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[CUR:.*]] = %[[INIT]]) -> (tensor<20x3xf32>)
// CHECK: %[[I0:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK: %[[POS0:.*]] = arith.addi %{{.*}}, %[[I0]] : index
// CHECK: %[[I1:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK: %[[OK1:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK-NEXT: %[[INRANGE:.*]] = arith.andi %{{.*}}, %[[OK1]] : i1
// CHECK-NEXT: %[[C5:.*]] = arith.constant 5 : index
// CHECK-NEXT: %[[ROWS:.*]] = arith.muli %[[POS0]], %[[C5]] : index
// CHECK-NEXT: %[[POS:.*]] = arith.addi %[[ROWS]], %[[I1]] : index
// CHECK-NEXT: scf.if %[[INRANGE]] -> (tensor<20x3xf32>)
// CHECK: scf.for %[[S:.*]] = %{{.*}} to %c3{{.*}} step %{{.*}} iter_args(%[[T:.*]] = %[[CUR]])
// CHECK-NEXT: %[[OLD:.*]] = tensor.extract %[[T]][%[[POS]], %[[S]]] : tensor<20x3xf32>
// CHECK-NEXT: %[[ADD:.*]] = tensor.extract %{{.*}}[%[[R]], %[[S]]] : tensor<7x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[OLD]], %[[ADD]] : f32
// CHECK-NEXT: tensor.insert %[[SUM]] into %[[T]][%[[POS]], %[[S]]] : tensor<20x3xf32>
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[CUR]] : tensor<20x3xf32>
// CHECK: tensor.collapse_shape %[[ACC]] {{\[\[}}0, 1]] : tensor<20x3xf32> into tensor<60xf32>
// CHECK: tensor.expand_shape %{{.*}} output_shape [4, 5, 3] : tensor<60xf32> into tensor<4x5x3xf32>
func.func @scatter_nd(%i: tensor<7x2xi32>, %u: tensor<7x3xf32>) -> tensor<4x5x3xf32> {
  %sc = sinter.scatter_nd %i, %u : tensor<7x2xi32>, tensor<7x3xf32> -> tensor<4x5x3xf32>
  return %sc : tensor<4x5x3xf32>
}

// where counts the true elements (the result's row count), then writes the row-major
// coordinates of each true element at the next row; boolean_mask gathers those rows. The
// result goes into a buffer of the largest size (20 rows) with its row count in an int64.
// CHECK-LABEL: func.func @boolean_mask(
// CHECK-SAME: %{{.*}}: memref<4x5x3xf32>, %{{.*}}: memref<4x5xi1>, %[[OUT:.*]]: memref<20x3xf32>, %[[COUNT:.*]]: memref<i64>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<4x5xi1> into tensor<20xi1>
// CHECK: arith.extui %{{.*}} : i1 to i64
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK: %[[N:.*]] = tensor.extract %[[SUM]][] : tensor<i64>
// CHECK-NEXT: %[[NI:.*]] = arith.index_cast %[[N]] : i64 to index
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[NI]]) : tensor<?x2xi64>
// CHECK: %[[W:.*]]:2 = scf.for %[[I:.*]] = %{{.*}} to %c20 step %{{.*}} iter_args(%[[RES:.*]] = %[[E]], %[[ROW:.*]] = %{{.*}}) -> (tensor<?x2xi64>, index)
// CHECK-NEXT: %[[SET:.*]] = tensor.extract %[[FLAT]][%[[I]]] : tensor<20xi1>
// CHECK-NEXT: scf.if %[[SET]] -> (tensor<?x2xi64>, index)
// CHECK: %[[COL:.*]] = arith.remui %[[I]], %c5{{.*}} : index
// CHECK-NEXT: %[[REST:.*]] = arith.divui %[[I]], %c5{{.*}} : index
// CHECK-NEXT: %[[COL64:.*]] = arith.index_cast %[[COL]] : index to i64
// CHECK: %[[INS1:.*]] = tensor.insert %[[COL64]] into %[[RES]][%[[ROW]], %c1{{.*}}] : tensor<?x2xi64>
// CHECK: %[[LINE:.*]] = arith.remui %[[REST]], %c4{{.*}} : index
// CHECK: %[[LINE64:.*]] = arith.index_cast %[[LINE]] : index to i64
// CHECK: %[[INS0:.*]] = tensor.insert %[[LINE64]] into %[[INS1]][%[[ROW]], %c0{{.*}}] : tensor<?x2xi64>
// CHECK: %[[NEXT:.*]] = arith.addi %[[ROW]], %c1{{.*}} : index
// CHECK-NEXT: scf.yield %[[INS0]], %[[NEXT]] : tensor<?x2xi64>, index
// CHECK: %[[ROWS:.*]] = tensor.dim %[[W]]#0, %{{.*}} : tensor<?x2xi64>
// CHECK: %[[G:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?x3xf32>)
// CHECK: tensor.extract %[[W]]#0[%{{.*}}, %{{.*}}] : tensor<?x2xi64>
// CHECK: %[[GROWS:.*]] = tensor.dim %[[G]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[VIEW:.*]] = memref.subview %[[OUT]][0, 0] [%[[GROWS]], 3] [1, 1]
// CHECK: bufferization.materialize_in_destination %[[G]] in restrict writable %[[VIEW]]
// CHECK: %[[GROWS64:.*]] = arith.index_cast %[[GROWS]] : index to i64
// CHECK: memref.store %[[GROWS64]], %[[COUNT]][] : memref<i64>
func.func @boolean_mask(%x: tensor<4x5x3xf32>, %m: tensor<4x5xi1>) -> tensor<?x3xf32> {
  %w = sinter.where %m : tensor<4x5xi1> -> tensor<?x2xi64>
  %g = sinter.gather_nd %x, %w : tensor<4x5x3xf32>, tensor<?x2xi64> -> tensor<?x3xf32>
  return %g : tensor<?x3xf32>
}
