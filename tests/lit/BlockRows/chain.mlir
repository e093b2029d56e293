// RUN: sinter-opt %s -sinter-to-linalg -sinter-fuse-elementwise -canonicalize -cse -sinter-block-rows | FileCheck %s

// The same softmax written with primitives: the max and sum reductions and the elementwise ops
// between them move into one loop over blocks of 4 rows.
// CHECK-LABEL: func.func @chain
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (4)
// CHECK: linalg.fill {{.*}} -> tensor<4x1xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.divf
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.generic
func.func @chain(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %m = sinter.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<64x1000xf32> -> tensor<64x1xf32>
  %mb = sinter.broadcast_in_dim %m {broadcast_dimensions = array<i64: 0, 1>} : tensor<64x1xf32> -> tensor<64x1000xf32>
  %s = sinter.sub %x, %mb : tensor<64x1000xf32>
  %e = sinter.exp %s : tensor<64x1000xf32>
  %t = sinter.reduce_sum %e {axes = array<i64: 1>, keepdims = true} : tensor<64x1000xf32> -> tensor<64x1xf32>
  %tb = sinter.broadcast_in_dim %t {broadcast_dimensions = array<i64: 0, 1>} : tensor<64x1xf32> -> tensor<64x1000xf32>
  %y = sinter.div %e, %tb : tensor<64x1000xf32>
  return %y : tensor<64x1000xf32>
}
