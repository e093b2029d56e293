// sinter-to-linalg of conv2d_backprop_input and conv2d_backprop_filter: the generated
// contractions' indexing maps and the sinter_kernel_conv2d_f32 calls (kinds 1 and 2).

// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s
// RUN: env SINTER_GENERATED_ONLY=1 sinter-opt %s -sinter-to-linalg | FileCheck %s --check-prefix=GEN

// The convolution gradients. Small or float64: one linalg.generic each (4 parallel loops, 3
// reductions, then the last parallel one; channels split into [groups, per group]).
// backprop_input reads the output gradient spread out with the strides and shifted by the
// filter's reach ((k − 1)·dilation), at y + reach − a·dilation, and crops the padding;
// backprop_filter reads the padded input at i·stride + a·dilation. Large float32: sinter_kernel_conv2d_f32 with kind 1 / 2.

// Loops of backprop_input: n, y, x, g | a, b, o | c.
// CHECK-DAG: #[[$DY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 - d4 + 2, d2 - d5 + 2, d3, d6)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d4, d5, d7, d3, d6)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d7)>
// Loops of backprop_filter: a, b, c, g | n, i, j | o.
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d4, d5 * 2 + d0, d6 * 2 + d1, d3, d2)>
// CHECK-DAG: #[[$G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d4, d5, d6, d3, d7)>

// conv2d of [1, 5, 5, 4] by [3, 3, 2, 6], strides 2, padding 1, 2 groups, gives [1, 3, 3, 6].
// The gradient [1, 3, 3, 6] is spread into [1, 9, 9, 6] (padded size 7 + reach 2) at
// 2 + 2·i, the result computed on the padded [1, 7, 7, 4] and cropped to [1, 5, 5, 4].
// CHECK-LABEL: func.func @backprop_input_small(
// CHECK: %[[DY:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[WT:.*]] = bufferization.to_tensor %arg1
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<1x9x9x6xf64>)
// CHECK: %[[SPREAD:.*]] = tensor.insert_slice %[[DY]] into %[[ZEROS]][0, 2, 2, 0] [1, 3, 3, 6] [1, 2, 2, 1] : tensor<1x3x3x6xf64> into tensor<1x9x9x6xf64>
// CHECK: %[[DYG:.*]] = tensor.expand_shape %[[SPREAD]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 9, 9, 2, 3]
// CHECK: %[[WG:.*]] = tensor.expand_shape %[[WT]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [3, 3, 2, 2, 3]
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<1x7x7x2x2xf64>)
// CHECK: %[[DXG:.*]] = linalg.generic {indexing_maps = [#[[$DY]], #[[$W]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]} ins(%[[DYG]], %[[WG]] : tensor<1x9x9x2x3xf64>, tensor<3x3x2x2x3xf64>) outs(%[[INIT]] : tensor<1x7x7x2x2xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %[[ACC:.*]]: f64):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f64
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f64
// CHECK-NEXT: linalg.yield %[[S]] : f64
// CHECK: %[[DXP:.*]] = tensor.collapse_shape %[[DXG]] {{\[\[}}0], [1], [2], [3, 4]] : tensor<1x7x7x2x2xf64> into tensor<1x7x7x4xf64>
// CHECK: %[[DX:.*]] = tensor.extract_slice %[[DXP]][0, 1, 1, 0] [1, 5, 5, 4] [1, 1, 1, 1] : tensor<1x7x7x4xf64> to tensor<1x5x5x4xf64>
// CHECK-NOT: call
// CHECK: bufferization.materialize_in_destination %[[DX]]
func.func @backprop_input_small(%g: tensor<1x3x3x6xf64>, %w: tensor<3x3x2x6xf64>) -> tensor<1x5x5x4xf64> {
  %dx = sinter.conv2d_backprop_input %g, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : tensor<1x3x3x6xf64>, tensor<3x3x2x6xf64> -> tensor<1x5x5x4xf64>
  return %dx : tensor<1x5x5x4xf64>
}

// CHECK-LABEL: func.func @backprop_filter_small(
// CHECK: %[[XT:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[DY:.*]] = bufferization.to_tensor %arg1
// CHECK: %[[XP:.*]] = tensor.insert_slice %[[XT]] into %{{.*}}[0, 1, 1, 0] [1, 5, 5, 4] [1, 1, 1, 1] : tensor<1x5x5x4xf64> into tensor<1x7x7x4xf64>
// CHECK: %[[XG:.*]] = tensor.expand_shape %[[XP]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 7, 7, 2, 2]
// CHECK: %[[DYG:.*]] = tensor.expand_shape %[[DY]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [1, 3, 3, 2, 3]
// CHECK: %[[DWG:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$G]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]} ins(%[[XG]], %[[DYG]] : tensor<1x7x7x2x2xf64>, tensor<1x3x3x2x3xf64>) outs(%{{.*}} : tensor<3x3x2x2x3xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %[[ACC:.*]]: f64):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f64
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f64
// CHECK: %[[DW:.*]] = tensor.collapse_shape %[[DWG]] {{\[\[}}0], [1], [2], [3, 4]] : tensor<3x3x2x2x3xf64> into tensor<3x3x2x6xf64>
// CHECK-NOT: call
// CHECK: bufferization.materialize_in_destination %[[DW]]
func.func @backprop_filter_small(%x: tensor<1x5x5x4xf64>, %g: tensor<1x3x3x6xf64>) -> tensor<3x3x2x6xf64> {
  %dw = sinter.conv2d_backprop_filter %x, %g {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : tensor<1x5x5x4xf64>, tensor<1x3x3x6xf64> -> tensor<3x3x2x6xf64>
  return %dw : tensor<3x3x2x6xf64>
}

// Kind 1 (backward data): the kernel's src is the new result buffer, weights the filter and
// dst the output gradient; sizes of the image [n, h, w, c] (the result), of the output
// [oh, ow, k], of the filter [kh, kw], strides, dilations, padding and groups.
// CHECK-LABEL: func.func @backprop_input_large(
// CHECK-SAME: %[[N:.*]]: index,
// CHECK: %[[DY:.*]] = bufferization.to_tensor %{{.*}} : memref<?x16x16x16xf32> to tensor<?x16x16x16xf32>
// CHECK: %[[WT:.*]] = bufferization.to_tensor %{{.*}} : memref<3x3x8x16xf32> to tensor<3x3x8x16xf32>
// CHECK: %[[DX:.*]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x16x16x8xf32>
// CHECK: %[[KIND:.*]] = arith.constant 1 : i32
// CHECK: %[[DYB:.*]] = bufferization.to_buffer %[[DY]] read_only
// CHECK: %[[WB:.*]] = bufferization.to_buffer %[[WT]] read_only
// CHECK: %[[SRC:.*]] = memref.extract_aligned_pointer_as_index %[[DX]]
// CHECK-NEXT: %[[SRCA:.*]] = arith.index_cast %[[SRC]] : index to i64
// CHECK: %[[WTS:.*]] = memref.extract_aligned_pointer_as_index %[[WB]]
// CHECK-NEXT: %[[WTSA:.*]] = arith.index_cast %[[WTS]] : index to i64
// CHECK: %[[DST:.*]] = memref.extract_aligned_pointer_as_index %[[DYB]]
// CHECK-NEXT: %[[DSTA:.*]] = arith.index_cast %[[DST]] : index to i64
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[H:.*]] = arith.constant 16 : i64
// CHECK: %[[W:.*]] = arith.constant 16 : i64
// CHECK: %[[C:.*]] = arith.constant 8 : i64
// CHECK: %[[OH:.*]] = arith.constant 16 : i64
// CHECK: %[[OW:.*]] = arith.constant 16 : i64
// CHECK: %[[K:.*]] = arith.constant 16 : i64
// CHECK: %[[KH:.*]] = arith.constant 3 : i64
// CHECK: %[[KW:.*]] = arith.constant 3 : i64
// CHECK: call @sinter_kernel_conv2d_f32(%[[KIND]], %[[SRCA]], %[[WTSA]], %[[DSTA]], %[[N64]], %[[H]], %[[W]], %[[C]], %[[OH]], %[[OW]], %[[K]], %[[KH]], %[[KW]],
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[DX]] restrict writable
// CHECK: bufferization.materialize_in_destination %[[R]]
// GEN-LABEL: func.func @backprop_input_large(
// GEN-NOT: call
// GEN: linalg.generic
func.func @backprop_input_large(%g: tensor<?x16x16x16xf32>, %w: tensor<3x3x8x16xf32>) -> tensor<?x16x16x8xf32> {
  %dx = sinter.conv2d_backprop_input %g, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64} : tensor<?x16x16x16xf32>, tensor<3x3x8x16xf32> -> tensor<?x16x16x8xf32>
  return %dx : tensor<?x16x16x8xf32>
}

// Kind 2 (backward weights): src is the input, weights the new result buffer, dst the
// output gradient.
// CHECK-LABEL: func.func @backprop_filter_large(
// CHECK: %[[XT:.*]] = bufferization.to_tensor %{{.*}} : memref<?x16x16x8xf32> to tensor<?x16x16x8xf32>
// CHECK: %[[DY:.*]] = bufferization.to_tensor %{{.*}} : memref<?x16x16x16xf32> to tensor<?x16x16x16xf32>
// CHECK: %[[DW:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x3x8x16xf32>
// CHECK: %[[KIND:.*]] = arith.constant 2 : i32
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[XT]] read_only
// CHECK: %[[DYB:.*]] = bufferization.to_buffer %[[DY]] read_only
// CHECK: %[[SRC:.*]] = memref.extract_aligned_pointer_as_index %[[XB]]
// CHECK-NEXT: %[[SRCA:.*]] = arith.index_cast %[[SRC]] : index to i64
// CHECK: %[[WTS:.*]] = memref.extract_aligned_pointer_as_index %[[DW]]
// CHECK-NEXT: %[[WTSA:.*]] = arith.index_cast %[[WTS]] : index to i64
// CHECK: %[[DST:.*]] = memref.extract_aligned_pointer_as_index %[[DYB]]
// CHECK-NEXT: %[[DSTA:.*]] = arith.index_cast %[[DST]] : index to i64
// CHECK: call @sinter_kernel_conv2d_f32(%[[KIND]], %[[SRCA]], %[[WTSA]], %[[DSTA]],
// CHECK: bufferization.to_tensor %[[DW]] restrict writable
// GEN-LABEL: func.func @backprop_filter_large(
// GEN-NOT: call
// GEN: linalg.generic
func.func @backprop_filter_large(%x: tensor<?x16x16x8xf32>, %g: tensor<?x16x16x16xf32>) -> tensor<3x3x8x16xf32> {
  %dw = sinter.conv2d_backprop_filter %x, %g {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64} : tensor<?x16x16x8xf32>, tensor<?x16x16x16xf32> -> tensor<3x3x8x16xf32>
  return %dw : tensor<3x3x8x16xf32>
}
