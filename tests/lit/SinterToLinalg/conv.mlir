// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s
// RUN: env SINTER_GENERATED_ONLY=1 sinter-opt %s -sinter-to-linalg | FileCheck %s --check-prefix=GEN

// A small or float64 convolution is one linalg.generic with the channels split into
// [groups, per group]: loops n, i, j, g | a, b, c (reductions) | o, the output channels
// innermost, the input read at i·stride + a·dilation of its padded copy. A large float32 one calls the oneDNN kernel on the operands' buffers.

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d3, d6)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d4, d5, d6, d3, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d7)>
module @m {
  // CHECK-LABEL: func.func @small(
  // CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [1, 5, 5, 4] [1, 1, 1, 1] : tensor<1x5x5x4xf64> into tensor<1x7x7x4xf64>
  // CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 7, 7, 2, 2]
  // CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
  // CHECK-NOT: call
  func.func @small(%x: tensor<1x5x5x4xf64>, %w: tensor<3x3x2x6xf64>) -> tensor<1x3x3x6xf64> {
    %y = sinter.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : tensor<1x5x5x4xf64>, tensor<3x3x2x6xf64> -> tensor<1x3x3x6xf64>
    return %y : tensor<1x3x3x6xf64>
  }

  // CHECK-LABEL: func.func @large(
  // CHECK-DAG: bufferization.to_buffer %{{.*}} read_only : tensor<?x16x16x8xf32> to memref<?x16x16x8xf32>
  // CHECK-DAG: bufferization.to_buffer %{{.*}} read_only : tensor<3x3x8x16xf32> to memref<3x3x8x16xf32>
  // CHECK-DAG: memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x16x16x16xf32>
  // CHECK: call @sinter_kernel_conv2d_f32(%c0_i32,
  // CHECK: bufferization.to_tensor %{{.*}} restrict writable : memref<?x16x16x16xf32>
  // GEN-LABEL: func.func @large(
  // GEN-NOT: call
  // GEN: linalg.generic
  func.func @large(%x: tensor<?x16x16x8xf32>, %w: tensor<3x3x8x16xf32>) -> tensor<?x16x16x16xf32> {
    %y = sinter.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64} : tensor<?x16x16x8xf32>, tensor<3x3x8x16xf32> -> tensor<?x16x16x16xf32>
    return %y : tensor<?x16x16x16xf32>
  }
}
