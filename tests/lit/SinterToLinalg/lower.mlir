// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s

// An entry point becomes a function on memrefs: its inputs, then one buffer per variable it
// uses (listed in the sinter.variables attribute), then its outputs. Variable updates and
// results are written in place with materialize_in_destination.

module @m {
  sinter.variable @w {trainable} : tensor<4x3xf32>
  sinter.variable @b {trainable} : tensor<3xf32>

  // CHECK-LABEL: func.func @f(
  // CHECK-SAME: %[[X:.*]]: memref<2x4xf32>, %[[W:.*]]: memref<4x3xf32>, %[[B:.*]]: memref<3xf32>, %[[OUT:.*]]: memref<2x3xf32>)
  // CHECK-SAME: attributes {sinter.variables = [@w, @b]}
  // CHECK-NOT: sinter.
  // CHECK: linalg.fill
  // CHECK: linalg.matmul ins({{.*}} : tensor<2x4xf32>, tensor<4x3xf32>) outs({{.*}} : tensor<2x3xf32>)
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<3xf32>)
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
  // CHECK: arith.addf
  // CHECK: linalg.generic
  // CHECK: arith.maximumf
  // CHECK: linalg.generic
  // CHECK: math.exp
  // CHECK: tensor.collapse_shape {{.*}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  // CHECK: %[[Y:.*]] = tensor.expand_shape {{.*}} {{\[\[}}0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
  // CHECK: %[[NB:.*]] = linalg.generic
  // CHECK: arith.subf
  // CHECK-DAG: bufferization.materialize_in_destination %[[Y]] in restrict writable %[[OUT]]
  // CHECK-DAG: bufferization.materialize_in_destination %[[NB]] in restrict writable %[[B]]
  // CHECK: return
  // CHECK-NOT: sinter.variable
  func.func @f(%x: tensor<2x4xf32> {sinter.name = "x"}) -> (tensor<2x3xf32> {sinter.name = "y"}) {
    %w = sinter.read @w : tensor<4x3xf32>
    %b = sinter.read @b : tensor<3xf32>
    %y = sinter.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    %bb = sinter.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>} : tensor<3xf32> -> tensor<2x3xf32>
    %z = sinter.add %y, %bb : tensor<2x3xf32>
    %r = sinter.relu %z : tensor<2x3xf32>
    %e = sinter.exp %r : tensor<2x3xf32>
    %flat = sinter.reshape %e : tensor<2x3xf32> -> tensor<6xf32>
    %back = sinter.reshape %flat : tensor<6xf32> -> tensor<2x3xf32>
    %s = sinter.reduce_sum %back {axes = array<i64: 0>} : tensor<2x3xf32> -> tensor<3xf32>
    %nb = sinter.sub %b, %s : tensor<3xf32>
    sinter.assign @b, %nb : tensor<3xf32>
    return %back : tensor<2x3xf32>
  }
}
