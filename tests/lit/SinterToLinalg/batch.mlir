// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s

// An entry with a dynamic batch dimension takes the batch size first; each batch-sized buffer
// is a bare pointer typed with one row, viewed with the call's rows (reinterpret_cast), and
// every `?` of the body is that size. The entry's buffer array (Abi.h) keeps its order: the
// thunk reads the batch size from the last buffer.

module @m {
  sinter.variable @w {trainable} : tensor<4x3xf32>

  // CHECK-LABEL: func.func @f(
  // CHECK-SAME: %[[N:.*]]: index, %[[X:.*]]: memref<1x4xf32>, %[[W:.*]]: memref<4x3xf32>, %[[OUT:.*]]: memref<1x3xf32>, %[[MEAN:.*]]: memref<f32>)
  // CHECK-SAME: attributes {sinter.batch, sinter.variables = [@w]}
  // CHECK-DAG: %[[OUTV:.*]] = memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [%[[N]], 3], strides: [3, 1] : memref<1x3xf32> to memref<?x3xf32>
  // CHECK-DAG: %[[XV:.*]] = memref.reinterpret_cast %[[X]] to offset: [0], sizes: [%[[N]], 4], strides: [4, 1] : memref<1x4xf32> to memref<?x4xf32>
  // CHECK: tensor.empty(%[[N]]) : tensor<?x3xf32>
  // CHECK: linalg.matmul
  // CHECK: arith.index_cast %[[N]]
  // CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[OUTV]]
  // CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[MEAN]]
  func.func @f(%x: tensor<?x4xf32> {sinter.name = "x"}) -> (tensor<?x3xf32>, tensor<f32>) {
    %w = sinter.read @w : tensor<4x3xf32>
    %y = sinter.matmul %x, %w : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    %m = sinter.reduce_mean %y {axes = array<i64: 0, 1>, keepdims = false} : tensor<?x3xf32> -> tensor<f32>
    return %y, %m : tensor<?x3xf32>, tensor<f32>
  }
}
