// RUN: sinter-opt %s -sinter-decompose | FileCheck %s

// The composites become primitives (for autodiff and for backends without a kernel), in the
// numerically stable form: subtract the row maximum before exp.

// CHECK-LABEL: func.func @softmax
// CHECK-NOT: sinter.softmax
// CHECK: %[[MAX:.*]] = sinter.reduce_max %arg0 {axes = array<i64: 1>, keepdims = true} : tensor<2x5xf32> -> tensor<2x1xf32>
// CHECK: %[[SHIFT:.*]] = sinter.sub %arg0, {{.*}} : tensor<2x5xf32>
// CHECK: %[[E:.*]] = sinter.exp %[[SHIFT]] : tensor<2x5xf32>
// CHECK: sinter.reduce_sum %[[E]] {axes = array<i64: 1>, keepdims = true} : tensor<2x5xf32> -> tensor<2x1xf32>
// CHECK: %[[Y:.*]] = sinter.div %[[E]], {{.*}} : tensor<2x5xf32>
// CHECK: return %[[Y]]
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %y = sinter.softmax %x : tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// −Σ labels · log_softmax(logits) over the last axis.
// CHECK-LABEL: func.func @xent
// CHECK-NOT: sinter.softmax_cross_entropy
// CHECK: sinter.reduce_max %arg0 {axes = array<i64: 1>, keepdims = true}
// CHECK: %[[SHIFT:.*]] = sinter.sub %arg0, {{.*}} : tensor<2x5xf32>
// CHECK: %[[E:.*]] = sinter.exp %[[SHIFT]]
// CHECK: %[[S:.*]] = sinter.reduce_sum %[[E]]
// CHECK: sinter.log %[[S]] : tensor<2x1xf32>
// CHECK: %[[LSM:.*]] = sinter.sub %[[SHIFT]], {{.*}} : tensor<2x5xf32>
// CHECK: %[[P:.*]] = sinter.mul %arg1, %[[LSM]] : tensor<2x5xf32>
// CHECK: %[[SUM:.*]] = sinter.reduce_sum %[[P]] {axes = array<i64: 1>} : tensor<2x5xf32> -> tensor<2xf32>
// CHECK: %[[L:.*]] = sinter.neg %[[SUM]] : tensor<2xf32>
// CHECK: return %[[L]]
func.func @xent(%logits: tensor<2x5xf32>, %labels: tensor<2x5xf32>) -> tensor<2xf32> {
  %l = sinter.softmax_cross_entropy %logits, %labels : tensor<2x5xf32>, tensor<2x5xf32> -> tensor<2xf32>
  return %l : tensor<2xf32>
}

// Primitives pass through unchanged.
// CHECK-LABEL: func.func @primitive
// CHECK-NEXT: sinter.tanh %arg0
// CHECK-NEXT: return
func.func @primitive(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = sinter.tanh %x : tensor<3xf32>
  return %y : tensor<3xf32>
}
