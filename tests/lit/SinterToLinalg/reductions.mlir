// sinter-to-linalg of the reductions (reduce_*, argmax, argmin, top_k, a whole softmax): the
// reduction generics with their identity and iterators, top_k's loops, linalg.softmax.

// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s

// Reductions become a linalg.generic with reduction iterators over the reduced axes, its
// output filled with the identity (−inf for max, +inf / the largest integer for min, 1 for prod);
// argmax/argmin carry (best value, index) and keep the first index on ties; top_k is k
// selection passes per row (scf.for).

// CHECK-DAG: #[[$IN3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$DROP1:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$DROP0:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$SCALAR3:.*]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-DAG: #[[$IN2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$SCALAR2:.*]] = affine_map<(d0, d1) -> ()>

// CHECK-LABEL: func.func @reduce_min_prod(
func.func @reduce_min_prod(%x: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<f32>) {
  // CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
  // CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
  // CHECK: %[[INIT:.*]] = linalg.fill ins(%[[INF]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
  // CHECK: %[[MIN:.*]] = linalg.generic {indexing_maps = [#[[$IN3]], #[[$DROP1]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.minimumf %[[A]], %[[ACC]] fastmath<reassoc> : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  // keepdims: the reduced axis comes back as size 1.
  // CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[MIN]] {{\[\[}}0, 1]] : tensor<2x4xf32> into tensor<8xf32>
  // CHECK: %[[KEPT:.*]] = tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2]] output_shape [2, 1, 4] : tensor<8xf32> into tensor<2x1x4xf32>
  %min = sinter.reduce_min %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
  // CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ONE]] : f32) outs(%{{.*}} : tensor<f32>)
  // CHECK: %[[PROD:.*]] = linalg.generic {indexing_maps = [#[[$IN3]], #[[$SCALAR3]]], iterator_types = ["reduction", "reduction", "reduction"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<f32>)
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.mulf %[[A]], %[[ACC]] fastmath<reassoc> : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %prod = sinter.reduce_prod %x {axes = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK-DAG: bufferization.materialize_in_destination %[[KEPT]] in restrict writable %arg1
  // CHECK-DAG: bufferization.materialize_in_destination %[[PROD]] in restrict writable %arg2
  return %min, %prod : tensor<2x1x4xf32>, tensor<f32>
}

// Integers: the identity of min is the largest value (signed or unsigned).
// CHECK-LABEL: func.func @reduce_integer(
func.func @reduce_integer(%i: tensor<3x5xi32>, %u: tensor<3x5xui8>) -> (tensor<3xi32>, tensor<5xui8>, tensor<3xi32>) {
  // CHECK: %[[MAX32:.*]] = arith.constant 2147483647 : i32
  // CHECK: linalg.fill ins(%[[MAX32]] : i32)
  // CHECK: linalg.generic {indexing_maps = [#[[$IN2]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
  // CHECK-NEXT: ^bb0(%[[A:.*]]: i32, %[[ACC:.*]]: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.minsi %[[A]], %[[ACC]] : i32
  %imin = sinter.reduce_min %i {axes = array<i64: 1>} : tensor<3x5xi32> -> tensor<3xi32>
  // CHECK: %[[MAX8:.*]] = arith.constant -1 : i8
  // CHECK: linalg.fill ins(%[[MAX8]] : i8)
  // CHECK: linalg.generic {indexing_maps = [#[[$IN2]], #[[$COL]]], iterator_types = ["reduction", "parallel"]}
  // CHECK-NEXT: ^bb0(%[[A:.*]]: i8, %[[ACC:.*]]: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.minui %[[A]], %[[ACC]] : i8
  %umin = sinter.reduce_min %u {axes = array<i64: 0>} : tensor<3x5xui8> -> tensor<5xui8>
  // CHECK: %[[ONE:.*]] = arith.constant 1 : i32
  // CHECK: linalg.fill ins(%[[ONE]] : i32)
  // CHECK: linalg.generic {indexing_maps = [#[[$IN2]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
  // CHECK-NEXT: ^bb0(%[[A:.*]]: i32, %[[ACC:.*]]: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.muli %[[A]], %[[ACC]] : i32
  %iprod = sinter.reduce_prod %i {axes = array<i64: 1>} : tensor<3x5xi32> -> tensor<3xi32>
  return %imin, %umin, %iprod : tensor<3xi32>, tensor<5xui8>, tensor<3xi32>
}

// reduce_max starts at −inf (0 for uint8), reduce_sum and reduce_mean at 0; the mean scales
// the sum by 1/n (1/5) and restores the kept axis.
// CHECK-LABEL: func.func @reduce_max_sum_mean(
func.func @reduce_max_sum_mean(%x: tensor<3x5xf32>, %u: tensor<3x5xui8>, %i: tensor<3x5xi32>)
    -> (tensor<3xf32>, tensor<5xui8>, tensor<i32>, tensor<3x1xf32>) {
  // CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
  // CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<3xf32>)
  // CHECK: linalg.generic {indexing_maps = [#[[$IN2]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<3x5xf32>) outs(%[[INIT]] : tensor<3xf32>)
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[A]], %[[ACC]] fastmath<reassoc> : f32
  %max = sinter.reduce_max %x {axes = array<i64: 1>} : tensor<3x5xf32> -> tensor<3xf32>
  // CHECK: %[[UZERO:.*]] = arith.constant 0 : i8
  // CHECK: linalg.fill ins(%[[UZERO]] : i8)
  // CHECK: linalg.generic {indexing_maps = [#[[$IN2]], #[[$COL]]], iterator_types = ["reduction", "parallel"]}
  // CHECK-NEXT: ^bb0(%[[A:.*]]: i8, %[[ACC:.*]]: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.maxui %[[A]], %[[ACC]] : i8
  %umax = sinter.reduce_max %u {axes = array<i64: 0>} : tensor<3x5xui8> -> tensor<5xui8>
  // CHECK: %[[IZERO:.*]] = arith.constant 0 : i32
  // CHECK: linalg.fill ins(%[[IZERO]] : i32) outs(%{{.*}} : tensor<i32>)
  // CHECK: linalg.generic {indexing_maps = [#[[$IN2]], #[[$SCALAR2]]], iterator_types = ["reduction", "reduction"]}
  // CHECK-NEXT: ^bb0(%[[A:.*]]: i32, %[[ACC:.*]]: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.addi %[[A]], %[[ACC]] : i32
  %isum = sinter.reduce_sum %i {axes = array<i64: 0, 1>} : tensor<3x5xi32> -> tensor<i32>
  // CHECK: %[[FZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: linalg.fill ins(%[[FZERO]] : f32) outs(%{{.*}} : tensor<3xf32>)
  // CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$IN2]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK-NEXT: arith.addf %[[A]], %[[ACC]] fastmath<reassoc> : f32
  // CHECK: %[[FIFTH:.*]] = arith.constant 2.000000e-01 : f32
  // CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xf32>)
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.mulf %[[A]], %[[FIFTH]] : f32
  // CHECK: tensor.expand_shape %[[MEAN]] {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %mean = sinter.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<3x5xf32> -> tensor<3x1xf32>
  return %max, %umax, %isum, %mean : tensor<3xf32>, tensor<5xui8>, tensor<i32>, tensor<3x1xf32>
}

// A softmax that sinter-decompose keeps whole (float, 16384 elements or more) becomes
// linalg.softmax over its last dimension; smaller ones are decomposed (Decompose/softmax.mlir).
// CHECK-LABEL: func.func @softmax(
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[E:.*]] = tensor.empty() : tensor<128x256xf32>
// CHECK: %[[Y:.*]] = linalg.softmax dimension(1) ins(%[[X]] : tensor<128x256xf32>) outs(%[[E]] : tensor<128x256xf32>) -> tensor<128x256xf32>
// CHECK: bufferization.materialize_in_destination %[[Y]] in restrict writable %arg1
func.func @softmax(%x: tensor<128x256xf32>) -> tensor<128x256xf32> {
  %y = sinter.softmax %x : tensor<128x256xf32>
  return %y : tensor<128x256xf32>
}

// The running best starts at the first slice along the axis, the index at 0; an element
// replaces it only when strictly better, so the first of equal values wins.
// CHECK-LABEL: func.func @arg(
func.func @arg(%x: tensor<2x3x4xf32>, %u: tensor<6xui8>) -> (tensor<2x4xi64>, tensor<3x4xi64>, tensor<i64>) {
  // CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
  // CHECK: %[[FIRST:.*]] = tensor.extract_slice %[[X]][0, 0, 0] [2, 1, 4] [1, 1, 1] : tensor<2x3x4xf32> to tensor<2x1x4xf32>
  // CHECK: %[[BEST:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 4] : tensor<8xf32> into tensor<2x4xf32>
  // CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
  // CHECK: %[[IDX:.*]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.*}} : tensor<2x4xi64>)
  // CHECK: %[[AMAX:.*]]:2 = linalg.generic {indexing_maps = [#[[$IN3]], #[[$DROP1]], #[[$DROP1]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[BEST]], %[[IDX]] : tensor<2x4xf32>, tensor<2x4xi64>)
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[I:.*]]: i64):
  // CHECK-NEXT: %[[POS:.*]] = linalg.index 1 : index
  // CHECK-NEXT: %[[POS64:.*]] = arith.index_cast %[[POS]] : index to i64
  // CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[A]], %[[B]] : f32
  // CHECK-NEXT: %[[V:.*]] = arith.select %[[GT]], %[[A]], %[[B]] : f32
  // CHECK-NEXT: %[[J:.*]] = arith.select %[[GT]], %[[POS64]], %[[I]] : i64
  // CHECK-NEXT: linalg.yield %[[V]], %[[J]] : f32, i64
  %amax = sinter.argmax %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x4xi64>
  // CHECK: tensor.extract_slice %[[X]][0, 0, 0] [1, 3, 4] [1, 1, 1] : tensor<2x3x4xf32> to tensor<1x3x4xf32>
  // CHECK: %[[AMIN:.*]]:2 = linalg.generic {indexing_maps = [#[[$IN3]], #[[$DROP0]], #[[$DROP0]]], iterator_types = ["reduction", "parallel", "parallel"]}
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[I:.*]]: i64):
  // CHECK-NEXT: %[[POS:.*]] = linalg.index 0 : index
  // CHECK-NEXT: %[[POS64:.*]] = arith.index_cast %[[POS]] : index to i64
  // CHECK-NEXT: %[[LT:.*]] = arith.cmpf olt, %[[A]], %[[B]] : f32
  // CHECK-NEXT: %[[V:.*]] = arith.select %[[LT]], %[[A]], %[[B]] : f32
  // CHECK-NEXT: %[[J:.*]] = arith.select %[[LT]], %[[POS64]], %[[I]] : i64
  %amin = sinter.argmin %x {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<3x4xi64>
  // uint8 compares unsigned; the result is the index output (#1).
  // CHECK: %[[UMAX:.*]]:2 = linalg.generic
  // CHECK: arith.cmpi ugt, %{{.*}}, %{{.*}} : i8
  %umax = sinter.argmax %u {axis = 0 : i64} : tensor<6xui8> -> tensor<i64>
  // CHECK-DAG: bufferization.materialize_in_destination %[[AMAX]]#1 in restrict writable %arg2
  // CHECK-DAG: bufferization.materialize_in_destination %[[AMIN]]#1 in restrict writable %arg3
  // CHECK-DAG: bufferization.materialize_in_destination %[[UMAX]]#1 in restrict writable %arg4
  return %amax, %amin, %umax : tensor<2x4xi64>, tensor<3x4xi64>, tensor<i64>
}

// Per row r (outer loop) and pick j (middle loop, carrying the previous pick's value and
// index), the inner loop over the row takes the largest element after the previous pick in
// (value descending, index ascending) order; values and int32 indices are inserted at [r, j].
// CHECK-LABEL: func.func @top_k(
func.func @top_k(%x: tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi32>) {
  // CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
  // CHECK: %[[ROWS:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<2x10xf32>
  // CHECK: %[[RES:.*]]:2 = scf.for %[[R:.*]] = %{{.*}} to %[[ROWS]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<2x3xf32>, tensor<2x3xi32>)
  // CHECK: %[[PICKS:.*]]:4 = scf.for %[[J:.*]] = %{{.*}} to %c3 step %{{.*}} iter_args(%[[VALS:.*]] = %{{.*}}, %[[IDXS:.*]] = %{{.*}}, %[[PREVV:.*]] = %{{.*}}, %[[PREVI:.*]] = %c-1) -> (tensor<2x3xf32>, tensor<2x3xi32>, f32, index)
  // CHECK: %[[BEST:.*]]:2 = scf.for %[[I:.*]] = %{{.*}} to %c10 step %{{.*}} iter_args(%[[BV:.*]] = %[[PREVV]], %[[BI:.*]] = %{{.*}}) -> (f32, index)
  // CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[R]], %[[I]]] : tensor<2x10xf32>
  // CHECK-DAG: arith.cmpi sgt, %[[I]], %[[PREVI]] : index
  // CHECK-DAG: arith.cmpf oeq, %[[V]], %[[PREVV]] : f32
  // CHECK-DAG: arith.cmpf olt, %[[V]], %[[PREVV]] : f32
  // CHECK-DAG: arith.cmpf ogt, %[[V]], %[[BV]] : f32
  // CHECK: %[[TAKE:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
  // CHECK-NEXT: %[[NV:.*]] = arith.select %[[TAKE]], %[[V]], %[[BV]] : f32
  // CHECK-NEXT: %[[NI:.*]] = arith.select %[[TAKE]], %[[I]], %[[BI]] : index
  // CHECK-NEXT: scf.yield %[[NV]], %[[NI]] : f32, index
  // CHECK: %[[INSV:.*]] = tensor.insert %[[BEST]]#0 into %[[VALS]][%[[R]], %[[J]]] : tensor<2x3xf32>
  // CHECK-NEXT: %[[I32:.*]] = arith.index_cast %[[BEST]]#1 : index to i32
  // CHECK-NEXT: %[[INSI:.*]] = tensor.insert %[[I32]] into %[[IDXS]][%[[R]], %[[J]]] : tensor<2x3xi32>
  // CHECK-NEXT: scf.yield %[[INSV]], %[[INSI]], %[[BEST]]#0, %[[BEST]]#1
  // CHECK: bufferization.materialize_in_destination %[[RES]]#0 in restrict writable %arg1
  // CHECK: bufferization.materialize_in_destination %[[RES]]#1 in restrict writable %arg2
  %v, %i = sinter.top_k %x {k = 3 : i64} : tensor<2x10xf32> -> tensor<2x3xf32>, tensor<2x3xi32>
  return %v, %i : tensor<2x3xf32>, tensor<2x3xi32>
}

// Bool reductions are unsigned on i1: reduce_max is "any" (from false), reduce_min "all" (from
// true).
// CHECK-LABEL: func.func @reduce_bool(
func.func @reduce_bool(%b: tensor<5xi1>) -> (tensor<i1>, tensor<i1>) {
  // CHECK: %[[FALSE:.*]] = arith.constant false
  // CHECK: linalg.fill ins(%[[FALSE]] : i1)
  // CHECK: arith.maxui %{{.*}}, %{{.*}} : i1
  %any = sinter.reduce_max %b {axes = array<i64: 0>} : tensor<5xi1> -> tensor<i1>
  // CHECK: %[[TRUE:.*]] = arith.constant true
  // CHECK: linalg.fill ins(%[[TRUE]] : i1)
  // CHECK: arith.minui %{{.*}}, %{{.*}} : i1
  %all = sinter.reduce_min %b {axes = array<i64: 0>} : tensor<5xi1> -> tensor<i1>
  return %any, %all : tensor<i1>, tensor<i1>
}
