// sinter-to-linalg of sinter.random (uniform with an offset, normal, truncated_normal, a
// batch-sized shape): the Philox counter, rounds and keys, and each distribution's transform.

// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s
// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s --check-prefix=KEY

// sinter.random is one generic whose element i draws from Philox-2x32 (10 rounds, multiplier
// 0xD256D193 = 3528905107) at counter offset·N + i, i the row-major index: uniform scales 24
// random bits into [a, b); normal is Box-Muller (a + b·sqrt(−2·log u1)·cos(2π·u2));
// truncated_normal keeps the first of 8 candidates inside two standard deviations.

// CHECK-LABEL: func.func @uniform(
// CHECK: %[[OFFSET:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[N:.*]] = arith.constant 6 : i64
// CHECK: %[[STEP:.*]] = tensor.extract %[[OFFSET]][] : tensor<i64>
// CHECK: %[[BASE:.*]] = arith.muli %[[STEP]], %[[N]] : i64
// CHECK: linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: %[[ROW:.*]] = linalg.index 0 : index
// CHECK-DAG: %[[COL:.*]] = linalg.index 1 : index
// CHECK-DAG: %[[SCALED:.*]] = arith.muli %{{.*}}, %c3 : index
// CHECK: %[[I:.*]] = arith.addi %[[SCALED]], %[[COL]] : index
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[COUNTER:.*]] = arith.addi %[[I64]], %[[BASE]] : i64
// CHECK-NEXT: arith.trunci %[[COUNTER]] : i64 to i32
// CHECK-COUNT-10: arith.muli %{{.*}}, %c3528905107_i64{{[_0-9]*}} : i64
// CHECK-DAG: %[[ULP:.*]] = arith.constant 5.96046448E-8 : f32
// CHECK-DAG: %[[WIDTH:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG: %[[LOW:.*]] = arith.constant -1.000000e+00 : f32
// CHECK-DAG: %[[TOP:.*]] = arith.shrui %{{.*}}, %c8_i32 : i32
// CHECK-DAG: %[[F:.*]] = arith.uitofp %[[TOP]] : i32 to f32
// CHECK-DAG: %[[F1:.*]] = arith.addf %[[F]], %{{.*}} : f32
// CHECK-DAG: %[[U:.*]] = arith.mulf %[[F1]], %{{.*}} : f32
// CHECK-DAG: %[[U0:.*]] = arith.subf %[[U]], %{{.*}} : f32
// CHECK-DAG: %[[SPAN:.*]] = arith.mulf %[[U0]], %[[WIDTH]] : f32
// CHECK: %[[S:.*]] = arith.addf %[[LOW]], %[[SPAN]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32

// Each round (hi, lo) = the multiplier times the low word; low word = hi xor key xor high
// word; high word = lo. The key is the seed's low 32 bits (3), plus 0x9E3779B9 each round.
// KEY-LABEL: func.func @uniform(
// KEY: %[[MULT:.*]] = arith.constant 3528905107 : i64
// KEY: %[[PROD:.*]] = arith.muli %{{.*}}, %[[MULT]] : i64
// KEY-NEXT: %[[HI64:.*]] = arith.shrui %[[PROD]], %{{.*}} : i64
// KEY-NEXT: %[[HI:.*]] = arith.trunci %[[HI64]] : i64 to i32
// KEY-NEXT: %[[LO:.*]] = arith.trunci %[[PROD]] : i64 to i32
// KEY-NEXT: %[[K0:.*]] = arith.constant 3 : i32
// KEY-NEXT: %[[X:.*]] = arith.xori %[[HI]], %[[K0]] : i32
// KEY-NEXT: %[[C0:.*]] = arith.xori %[[X]], %{{.*}} : i32
// KEY-NEXT: arith.extui %[[C0]] : i32 to i64
// KEY: arith.constant -1640531524 : i32
// KEY: arith.constant 1013904245 : i32
// KEY: arith.constant -626627282 : i32
// KEY: arith.constant 2027808487 : i32
// KEY: arith.constant 387276960 : i32
// KEY: arith.constant -1253254567 : i32
// KEY: arith.constant 1401181202 : i32
// KEY: arith.constant -239350325 : i32
// KEY: %[[K9:.*]] = arith.constant -1879881852 : i32
// KEY-NEXT: %[[X:.*]] = arith.xori %{{.*}}, %[[K9]] : i32
// KEY-NEXT: %[[BITS:.*]] = arith.xori %[[X]], %{{.*}} : i32
// KEY-NOT: arith.muli %{{.*}}, %[[MULT]]
// KEY: arith.shrui %[[BITS]], %c8_i32 : i32
func.func @uniform(%step: tensor<i64>) -> tensor<2x3xf32> {
  %r = sinter.random "uniform" offset %step : tensor<i64> {a = -1.0 : f64, b = 1.0 : f64, seed = 3 : i64} : tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// Samples are float32, extended to the result's float64.
// CHECK-LABEL: func.func @normal(
// CHECK: linalg.generic
// CHECK-COUNT-10: arith.muli %{{.*}}, %c3528905107_i64{{[_0-9]*}} : i64
// CHECK-DAG: %[[LOG:.*]] = math.log %{{.*}} : f32
// CHECK-DAG: %[[M2:.*]] = arith.constant -2.000000e+00 : f32
// CHECK: %[[R2:.*]] = arith.mulf %[[M2]], %[[LOG]] : f32
// CHECK-NEXT: %[[R:.*]] = math.sqrt %[[R2]] : f32
// CHECK-NEXT: %[[TWOPI:.*]] = arith.constant 6.28318548 : f32
// CHECK-NEXT: %[[THETA:.*]] = arith.mulf %[[TWOPI]], %{{.*}} : f32
// CHECK-NEXT: %[[COS:.*]] = math.cos %[[THETA]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.mulf %[[R]], %[[COS]] : f32
// CHECK-DAG: %[[SD:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG: %[[MEAN:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[ZS:.*]] = arith.mulf %[[Z]], %[[SD]] : f32
// CHECK: %[[S:.*]] = arith.addf %[[MEAN]], %[[ZS]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.extf %[[S]] : f32 to f64
// CHECK-NEXT: linalg.yield %[[D]] : f64
// CHECK-NOT: math.absf
// CHECK: return
func.func @normal() -> tensor<4xf64> {
  %r = sinter.random "normal" {a = 0.5 : f64, b = 2.0 : f64, seed = 7 : i64} : tensor<4xf64>
  return %r : tensor<4xf64>
}

// Candidate t of element i is drawn at counter 8·i + t; the last one (t = 7) is clamped to
// [−2, 2], then each earlier one inside (|z| < 2) replaces it.
// CHECK-LABEL: func.func @truncated_normal(
// CHECK: %[[I:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK-DAG: %[[T:.*]] = arith.constant 7 : i64
// CHECK-DAG: %[[TRIES:.*]] = arith.constant 8 : i64
// CHECK-DAG: %[[I8:.*]] = arith.muli %[[I]], %[[TRIES]] : i64
// CHECK: arith.addi %[[I8]], %[[T]] : i64
// CHECK-COUNT-10: arith.muli %{{.*}}, %c3528905107_i64{{[_0-9]*}} : i64
// CHECK: math.cos
// CHECK: %[[LO:.*]] = arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: %[[Z7:.*]] = arith.minimumf %{{.*}}, %[[LO]] : f32
// CHECK: arith.constant 6 : i64
// CHECK-COUNT-10: arith.muli %{{.*}}, %c3528905107_i64{{[_0-9]*}} : i64
// CHECK: math.cos
// CHECK-NEXT: %[[C6:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-DAG: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG: %[[ABS:.*]] = math.absf %[[C6]] : f32
// CHECK: %[[IN:.*]] = arith.cmpf olt, %[[ABS]], %[[TWO]] : f32
// CHECK-NEXT: %{{.*}} = arith.select %[[IN]], %[[C6]], %[[Z7]] : f32
// CHECK-COUNT-6: math.absf
// CHECK-NOT: math.absf
// CHECK: linalg.yield
func.func @truncated_normal() -> tensor<4xf32> {
  %r = sinter.random "truncated_normal" {a = 0.0 : f64, b = 1.0 : f64, seed = 7 : i64} : tensor<4xf32>
  return %r : tensor<4xf32>
}

// A batch-sized random tensor has N = 3 · batch elements and the batch size as its row count.
// CHECK-LABEL: func.func @batched(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index,
// CHECK: %[[THREE:.*]] = arith.constant 3 : i64
// CHECK-NEXT: %[[B64:.*]] = arith.index_cast %[[B]] : index to i64
// CHECK-NEXT: arith.muli %[[THREE]], %[[B64]] : i64
// CHECK: %[[E:.*]] = tensor.empty(%[[B]]) : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x3xf32>)
// CHECK-DAG: linalg.index 0 : index
// CHECK-DAG: arith.muli %{{.*}}, %[[B]] : index
// CHECK: linalg.yield
func.func @batched(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %r = sinter.random "uniform" {a = 0.0 : f64, b = 1.0 : f64, seed = 5 : i64} : tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
