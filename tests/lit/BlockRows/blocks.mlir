// RUN: sinter-opt %s -sinter-block-rows | FileCheck %s

// A softmax over rows of 1000 floats runs over blocks of 4 rows (16 KB) in an scf.forall; in
// each block: the row maxima, the exponentials written into the block's destination, their
// sums (reductions with reassoc, so LLVM vectorizes them) and a multiplication by the
// reciprocal, in place.
// CHECK-LABEL: func.func @f
// CHECK: scf.forall (%[[R:.*]]) = (%{{.*}}) to (64) step (4) shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK: %[[X:.*]] = tensor.extract_slice %arg0[%[[R]], %{{.*}}] [4, 1000]
// CHECK: %[[DEST:.*]] = tensor.extract_slice %[[OUT]][%[[R]], %{{.*}}] [4, 1000]
// CHECK: arith.maxnumf %{{.*}}, %{{.*}} fastmath<reassoc>
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<4x1000xf32>, tensor<4xf32>) outs(%[[DEST]] : tensor<4x1000xf32>)
// CHECK: math.exp
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc>
// CHECK: linalg.generic {{.*}} ins(%[[E]], %{{.*}} : tensor<4x1000xf32>, tensor<4xf32>) outs(%[[E]] : tensor<4x1000xf32>)
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.softmax
func.func @f(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %e = tensor.empty() : tensor<64x1000xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<64x1000xf32>) outs(%e : tensor<64x1000xf32>) -> tensor<64x1000xf32>
  return %y : tensor<64x1000xf32>
}
