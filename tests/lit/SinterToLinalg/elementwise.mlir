// sinter-to-linalg of the elementwise ops: the arith/math op in each parallel generic's body,
// for float, signed, unsigned (uint8) and bool element types.

// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s

// Each elementwise op becomes one parallel linalg.generic over its result whose body is the
// scalar op it maps to: float, signed or unsigned (uint8 is a signless i8 after lowering).

// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>

// The op table of SinterOps.td: one math op per element.
// CHECK-LABEL: func.func @unary_table(
func.func @unary_table(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
    tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: %[[X:.*]] = bufferization.to_tensor %arg0 restrict : memref<2x3xf32> to tensor<2x3xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.absf %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %abs = sinter.abs %x : tensor<2x3xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.sin %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %sin = sinter.sin %x : tensor<2x3xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.cos %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %cos = sinter.cos %x : tensor<2x3xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.tan %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %tan = sinter.tan %x : tensor<2x3xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.floor %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %floor = sinter.floor %x : tensor<2x3xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.ceil %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %ceil = sinter.ceil %x : tensor<2x3xf32>
  // Ties to even, as tf.round.
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.roundeven %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %round = sinter.round %x : tensor<2x3xf32>
  return %abs, %sin, %cos, %tan, %floor, %ceil, %round : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
    tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// Written by hand: sigmoid is 1 / (1 + e^−x); sign selects −1, 0 or 1 with ordered
// comparisons, so NaN gives 0.
// CHECK-LABEL: func.func @unary_formulas(
func.func @unary_formulas(%x: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>) {
  // CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]}
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[A]] : f64
  // CHECK-NEXT: %[[E:.*]] = math.exp %[[NEG]] : f64
  // CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
  // CHECK-DAG: %[[DEN:.*]] = arith.addf %{{.*}}, %[[E]] : f64
  // CHECK: %[[R:.*]] = arith.divf %{{.*}}, %[[DEN]] : f64
  // CHECK-NEXT: linalg.yield %[[R]] : f64
  %sig = sinter.sigmoid %x : tensor<4xf64>
  // CHECK: ^bb0(%[[A:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
  // CHECK-DAG: %[[M1:.*]] = arith.constant -1.000000e+00 : f64
  // CHECK-DAG: %[[P1:.*]] = arith.constant 1.000000e+00 : f64
  // CHECK-DAG: %[[LT:.*]] = arith.cmpf olt, %[[A]], %[[ZERO]] : f64
  // CHECK-DAG: %[[GT:.*]] = arith.cmpf ogt, %[[A]], %[[ZERO]] : f64
  // CHECK-DAG: %[[NEGSEL:.*]] = arith.select %[[LT]], %[[M1]], %[[ZERO]] : f64
  // CHECK: %[[R:.*]] = arith.select %[[GT]], %[[P1]], %[[NEGSEL]] : f64
  // CHECK-NEXT: linalg.yield %[[R]] : f64
  %sign = sinter.sign %x : tensor<4xf64>
  return %sig, %sign : tensor<4xf64>, tensor<4xf64>
}

// CHECK-LABEL: func.func @binary_float(
func.func @binary_float(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>,
    tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]} ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>)
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.divf %[[A]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %div = sinter.div %a, %b : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.powf %[[A]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %pow = sinter.pow %a, %b : tensor<4xf32>
  // NaN-propagating, as tf.maximum / tf.minimum.
  // CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[A]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %max = sinter.maximum %a, %b : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.minimumf %[[A]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %min = sinter.minimum %a, %b : tensor<4xf32>
  // ⌊a / b⌋.
  // CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[Q:.*]] = arith.divf %[[A]], %[[B]] : f32
  // CHECK-NEXT: %[[R:.*]] = math.floor %[[Q]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %fdiv = sinter.floordiv %a, %b : tensor<4xf32>
  // a − ⌊a / b⌋·b: the remainder has the divisor's sign.
  // CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[Q:.*]] = arith.divf %[[A]], %[[B]] : f32
  // CHECK-NEXT: %[[FQ:.*]] = math.floor %[[Q]] : f32
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[FQ]], %[[B]] : f32
  // CHECK-NEXT: %[[R:.*]] = arith.subf %[[A]], %[[P]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %mod = sinter.mod %a, %b : tensor<4xf32>
  return %div, %pow, %max, %min, %fdiv, %mod : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
    tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @signed(
func.func @signed(%i: tensor<4xi32>, %j: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>,
    tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  // CHECK: ^bb0(%[[A:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = math.absi %[[A]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %abs = sinter.abs %i : tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
  // CHECK-DAG: %[[M1:.*]] = arith.constant -1 : i32
  // CHECK-DAG: %[[P1:.*]] = arith.constant 1 : i32
  // CHECK-DAG: %[[LT:.*]] = arith.cmpi slt, %[[A]], %[[ZERO]] : i32
  // CHECK-DAG: %[[GT:.*]] = arith.cmpi sgt, %[[A]], %[[ZERO]] : i32
  // CHECK-DAG: %[[NEGSEL:.*]] = arith.select %[[LT]], %[[M1]], %[[ZERO]] : i32
  // CHECK: %[[R:.*]] = arith.select %[[GT]], %[[P1]], %[[NEGSEL]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %sign = sinter.sign %i : tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.divsi %[[A]], %[[B]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %div = sinter.div %i, %j : tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.floordivsi %[[A]], %[[B]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %fdiv = sinter.floordiv %i, %j : tensor<4xi32>
  // The truncated remainder, plus b when it is non-zero and its sign differs from b's.
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[REM:.*]] = arith.remsi %[[A]], %[[B]] : i32
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
  // CHECK-DAG: %[[BNEG:.*]] = arith.cmpi slt, %[[B]], %[[ZERO]] : i32
  // CHECK-DAG: %[[RNEG:.*]] = arith.cmpi slt, %[[REM]], %[[ZERO]] : i32
  // CHECK-DAG: %[[SIGNS:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i1
  // CHECK-DAG: %[[NZ:.*]] = arith.cmpi ne, %[[REM]], %[[ZERO]] : i32
  // CHECK-DAG: %[[FIX:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
  // CHECK-DAG: %[[SUM:.*]] = arith.addi %[[REM]], %[[B]] : i32
  // CHECK: %[[R:.*]] = arith.select %[[FIX]], %[[SUM]], %[[REM]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %mod = sinter.mod %i, %j : tensor<4xi32>
  // Integers through float64, rounded back.
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-DAG: %[[FA:.*]] = arith.sitofp %[[A]] : i32 to f64
  // CHECK-DAG: %[[FB:.*]] = arith.sitofp %[[B]] : i32 to f64
  // CHECK: %[[P:.*]] = math.powf %[[FA]], %[[FB]] : f64
  // CHECK-NEXT: %[[RP:.*]] = math.roundeven %[[P]] : f64
  // CHECK-NEXT: %[[R:.*]] = arith.fptosi %[[RP]] : f64 to i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %pow = sinter.pow %i, %j : tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.maxsi %[[A]], %[[B]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %max = sinter.maximum %i, %j : tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.minsi %[[A]], %[[B]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %min = sinter.minimum %i, %j : tensor<4xi32>
  return %abs, %sign, %div, %fdiv, %mod, %pow, %max, %min : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>,
    tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// uint8: the entry takes i8 buffers and each op uses its unsigned arith variant.
// CHECK-LABEL: func.func @unsigned(
// CHECK-SAME: %arg0: memref<4xi8>, %arg1: memref<4xi8>
func.func @unsigned(%u: tensor<4xui8>, %v: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xui8>, tensor<4xui8>,
    tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>) {
  // CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.divui %[[A]], %[[B]] : i8
  // CHECK-NEXT: linalg.yield %[[R]] : i8
  %div = sinter.div %u, %v : tensor<4xui8>
  // CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.divui %[[A]], %[[B]] : i8
  // CHECK-NEXT: linalg.yield %[[R]] : i8
  %fdiv = sinter.floordiv %u, %v : tensor<4xui8>
  // CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.remui %[[A]], %[[B]] : i8
  // CHECK-NEXT: linalg.yield %[[R]] : i8
  %mod = sinter.mod %u, %v : tensor<4xui8>
  // CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
  // CHECK-DAG: %[[FA:.*]] = arith.uitofp %[[A]] : i8 to f64
  // CHECK-DAG: %[[FB:.*]] = arith.uitofp %[[B]] : i8 to f64
  // CHECK: %[[P:.*]] = math.powf %[[FA]], %[[FB]] : f64
  // CHECK-NEXT: %[[RP:.*]] = math.roundeven %[[P]] : f64
  // CHECK-NEXT: %[[R:.*]] = arith.fptoui %[[RP]] : f64 to i8
  // CHECK-NEXT: linalg.yield %[[R]] : i8
  %pow = sinter.pow %u, %v : tensor<4xui8>
  // CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.maxui %[[A]], %[[B]] : i8
  // CHECK-NEXT: linalg.yield %[[R]] : i8
  %max = sinter.maximum %u, %v : tensor<4xui8>
  // CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.minui %[[A]], %[[B]] : i8
  // CHECK-NEXT: linalg.yield %[[R]] : i8
  %min = sinter.minimum %u, %v : tensor<4xui8>
  // sign compares unsigned (200 is positive); abs of an unsigned value is the value itself
  // (no generic: the result is the argument).
  // CHECK: ^bb0(%[[A:.*]]: i8, %{{.*}}: i8):
  // CHECK-DAG: arith.cmpi ugt, %[[A]]
  // CHECK-DAG: arith.cmpi ult, %[[A]]
  %sign = sinter.sign %u : tensor<4xui8>
  // CHECK-NOT: math.absi
  // CHECK: return
  %abs = sinter.abs %u : tensor<4xui8>
  return %div, %fdiv, %mod, %pow, %max, %min, %sign, %abs : tensor<4xui8>, tensor<4xui8>, tensor<4xui8>,
    tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>
}

// Bool maximum and minimum are unsigned on i1 (true is 1): or and and.
// CHECK-LABEL: func.func @bool_max_min(
func.func @bool_max_min(%p: tensor<4xi1>, %q: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>) {
  // CHECK: arith.maxui %{{.*}}, %{{.*}} : i1
  %max = sinter.maximum %p, %q : tensor<4xi1>
  // CHECK: arith.minui %{{.*}}, %{{.*}} : i1
  %min = sinter.minimum %p, %q : tensor<4xi1>
  return %max, %min : tensor<4xi1>, tensor<4xi1>
}

// Bool results and operands are i1.
// CHECK-LABEL: func.func @logical(
func.func @logical(%x: tensor<4xf32>, %m: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  // NaN is the one value unordered with itself.
  // CHECK: ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<4xi1>)
  // CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: i1):
  // CHECK-NEXT: %[[R:.*]] = arith.cmpf uno, %[[A]], %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : i1
  %nan = sinter.is_nan %x : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: i1, %{{.*}}: i1):
  // CHECK-NEXT: %[[TRUE:.*]] = arith.constant true
  // CHECK-NEXT: %[[R:.*]] = arith.xori %[[A]], %[[TRUE]] : i1
  // CHECK-NEXT: linalg.yield %[[R]] : i1
  %not = sinter.not %nan : tensor<4xi1>
  // CHECK: ^bb0(%[[A:.*]]: i1, %[[B:.*]]: i1, %{{.*}}: i1):
  // CHECK-NEXT: %[[R:.*]] = arith.andi %[[A]], %[[B]] : i1
  // CHECK-NEXT: linalg.yield %[[R]] : i1
  %and = sinter.and %not, %m : tensor<4xi1>
  // CHECK: ^bb0(%[[A:.*]]: i1, %[[B:.*]]: i1, %{{.*}}: i1):
  // CHECK-NEXT: %[[R:.*]] = arith.ori %[[A]], %[[B]] : i1
  // CHECK-NEXT: linalg.yield %[[R]] : i1
  %or = sinter.or %and, %m : tensor<4xi1>
  return %nan, %not, %and, %or : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// compare: ordered predicates except ne (unordered: NaN ≠ NaN); unsigned predicates for
// uint8. select: arith.select per element. cast: TensorFlow's conversions.
// CHECK-LABEL: func.func @compare_select_cast(
func.func @compare_select_cast(%x: tensor<4xf32>, %y: tensor<4xf32>, %u: tensor<4xui8>, %v: tensor<4xui8>,
                               %i: tensor<4xi64>, %b: tensor<4xi1>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi1>,
        tensor<4xf64>, tensor<4xi8>, tensor<4xui8>) {
  // CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: i1):
  // CHECK-NEXT: %[[R:.*]] = arith.cmpf oge, %[[A]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : i1
  %ge = sinter.compare "ge", %x, %y : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: i1):
  // CHECK-NEXT: %[[R:.*]] = arith.cmpf une, %[[A]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : i1
  %ne = sinter.compare "ne", %x, %y : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i1):
  // CHECK-NEXT: %[[R:.*]] = arith.cmpi ult, %[[A]], %[[B]] : i8
  // CHECK-NEXT: linalg.yield %[[R]] : i1
  %ult = sinter.compare "lt", %u, %v : tensor<4xui8>
  // CHECK: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xf32>, tensor<4xf32>)
  // CHECK-NEXT: ^bb0(%[[C:.*]]: i1, %[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.select %[[C]], %[[A]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %sel = sinter.select %ge, %x, %y : tensor<4xi1>, tensor<4xf32>
  // float → int truncates toward zero.
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.fptosi %[[A]] : f32 to i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %toi = sinter.cast %x : tensor<4xf32> -> tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i8, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.uitofp %[[A]] : i8 to f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %fromu = sinter.cast %u : tensor<4xui8> -> tensor<4xf32>
  // → bool: x ≠ 0.
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: i1):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[R:.*]] = arith.cmpf une, %[[A]], %[[ZERO]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : i1
  %tob = sinter.cast %x : tensor<4xf32> -> tensor<4xi1>
  // bool → 0/1.
  // CHECK: ^bb0(%[[A:.*]]: i1, %{{.*}}: f64):
  // CHECK-NEXT: %[[R:.*]] = arith.uitofp %[[A]] : i1 to f64
  // CHECK-NEXT: linalg.yield %[[R]] : f64
  %fromb = sinter.cast %b : tensor<4xi1> -> tensor<4xf64>
  // int → narrower int wraps.
  // CHECK: ^bb0(%[[A:.*]]: i64, %{{.*}}: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.trunci %[[A]] : i64 to i8
  // CHECK-NEXT: linalg.yield %[[R]] : i8
  %narrow = sinter.cast %i : tensor<4xi64> -> tensor<4xi8>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: i8):
  // CHECK-NEXT: %[[R:.*]] = arith.fptoui %[[A]] : f32 to i8
  // CHECK-NEXT: linalg.yield %[[R]] : i8
  %tou = sinter.cast %x : tensor<4xf32> -> tensor<4xui8>
  return %ge, %ne, %ult, %sel, %toi, %fromu, %tob, %fromb, %narrow, %tou : tensor<4xi1>, tensor<4xi1>,
    tensor<4xi1>, tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf64>, tensor<4xi8>,
    tensor<4xui8>
}

// The remaining table ops (also met in lower.mlir and Scan/lower.mlir): one scalar op each;
// an integer neg is 0 − x. A constant becomes an arith.constant of the same elements.
// CHECK-LABEL: func.func @arith_table(
func.func @arith_table(%x: tensor<4xf32>, %i: tensor<4xi32>, %j: tensor<4xi32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
        tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<2xi32>) {
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.negf %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %neg = sinter.neg %x : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.exp %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %exp = sinter.exp %x : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.log %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %log = sinter.log %x : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.sqrt %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %sqrt = sinter.sqrt %x : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = math.tanh %[[A]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %tanh = sinter.tanh %x : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.mulf %[[A]], %[[B]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %mul = sinter.mul %x, %neg : tensor<4xf32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
  // CHECK-NEXT: %[[R:.*]] = arith.subi %[[ZERO]], %[[A]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %ineg = sinter.neg %i : tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.muli %[[A]], %[[B]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %imul = sinter.mul %i, %j : tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.addi %[[A]], %[[B]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %iadd = sinter.add %i, %j : tensor<4xi32>
  // CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[R:.*]] = arith.subi %[[A]], %[[B]] : i32
  // CHECK-NEXT: linalg.yield %[[R]] : i32
  %isub = sinter.sub %i, %j : tensor<4xi32>
  // CHECK: %[[K:.*]] = arith.constant dense<[3, -4]> : tensor<2xi32>
  // CHECK: bufferization.materialize_in_destination %[[K]] in restrict writable %arg13
  %k = sinter.constant dense<[3, -4]> : tensor<2xi32>
  return %neg, %exp, %log, %sqrt, %tanh, %mul, %ineg, %imul, %iadd, %isub, %k : tensor<4xf32>, tensor<4xf32>,
    tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>,
    tensor<4xi32>, tensor<2xi32>
}
