// sinter-to-linalg of max_pool2d, avg_pool2d and the pooling gradients: the window generics
// and the sinter_kernel_pool2d_* calls with their kind and sizes.

// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s
// RUN: env SINTER_GENERATED_ONLY=1 sinter-opt %s -sinter-to-linalg | FileCheck %s --check-prefix=GEN

// Pooling: a small (or float64) max/avg pooling is a generic over loops n, i, j | the window's
// two (reduction) loops | c of the input padded with -inf / 0, the average divided by a
// constant of how many image positions each window covers; a large float32 one calls the runtime's
// pooling kernel, as the pooling gradients always do (sinter_kernel_pool2d_f32(kind, x, in,
// out, n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pb, pl, pr); kinds from Abi.h).

// CHECK-DAG: #[[$WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-DAG: #[[$KERNEL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-DAG: #[[$ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$HW:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>

// CHECK-LABEL: func.func @max_pool_small(
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PADDED:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<2x7x7x3xf32>)
// CHECK: %[[XP:.*]] = tensor.insert_slice %[[X]] into %[[PADDED]][0, 0, 0, 0] [2, 6, 6, 3] [1, 1, 1, 1] : tensor<2x6x6x3xf32> into tensor<2x7x7x3xf32>
// CHECK: %[[WINDOW:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x3x3x3xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[$WIN]], #[[$KERNEL]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%[[XP]], %[[WINDOW]] : tensor<2x7x7x3xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<2x3x3x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[ACC]], %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[M]] : f32
// CHECK-NOT: call
// CHECK: bufferization.materialize_in_destination %[[Y]]
func.func @max_pool_small(%x: tensor<2x6x6x3xf32>) -> tensor<2x3x3x3xf32> {
  %y = sinter.max_pool2d %x {window = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>} : tensor<2x6x6x3xf32> -> tensor<2x3x3x3xf32>
  return %y : tensor<2x3x3x3xf32>
}

// 2x2 windows with stride 2 over a 3x3 image padded by one row and column at the end: the
// windows cover 4, 2, 2 and 1 image positions.
// CHECK-LABEL: func.func @avg_pool_small(
// CHECK: %[[COUNT:.*]] = arith.constant dense<{{\[\[}}4.000000e+00, 2.000000e+00], [2.000000e+00, 1.000000e+00]]> : tensor<2x2xf64>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK: %[[PADDED:.*]] = linalg.fill ins(%[[ZERO]] : f64) outs(%{{.*}} : tensor<1x4x4x1xf64>)
// CHECK: %[[XP:.*]] = tensor.insert_slice %{{.*}} into %[[PADDED]][0, 0, 0, 0] [1, 3, 3, 1] [1, 1, 1, 1]
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$WIN]], #[[$KERNEL]], #[[$OUT]]], {{.*}} ins(%[[XP]], %{{.*}} : tensor<1x4x4x1xf64>, tensor<2x2xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %{{.*}}: f64, %[[ACC:.*]]: f64):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[A]] : f64
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$HW]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[SUM]], %[[COUNT]] : tensor<1x2x2x1xf64>, tensor<2x2xf64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[N:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[MEAN:.*]] = arith.divf %[[A]], %[[N]] : f64
// CHECK-NEXT: linalg.yield %[[MEAN]] : f64
// CHECK-NOT: call
// CHECK: bufferization.materialize_in_destination %[[Y]]
func.func @avg_pool_small(%x: tensor<1x3x3x1xf64>) -> tensor<1x2x2x1xf64> {
  %y = sinter.avg_pool2d %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>} : tensor<1x3x3x1xf64> -> tensor<1x2x2x1xf64>
  return %y : tensor<1x2x2x1xf64>
}

// Large float32 poolings: kind 3 (max) and 4 (avg), x passed as both inputs, the batch size
// from the entry's first argument.
// CHECK-LABEL: func.func @pool_large(
// CHECK-SAME: %[[BATCH:.*]]: index,
// CHECK: %[[X:.*]] = bufferization.to_tensor
// CHECK: %[[MAXOUT:.*]] = memref.alloc(%[[BATCH]]) {alignment = 64 : i64} : memref<?x16x16x16xf32>
// CHECK: %[[MAXKIND:.*]] = arith.constant 3 : i32
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<?x32x32x16xf32> to memref<?x32x32x16xf32>
// CHECK: %[[XI:.*]] = memref.extract_aligned_pointer_as_index %[[XB]]
// CHECK: %[[XA:.*]] = arith.index_cast %[[XI]] : index to i64
// CHECK: %[[XI2:.*]] = memref.extract_aligned_pointer_as_index %[[XB]]
// CHECK: %[[XA2:.*]] = arith.index_cast %[[XI2]] : index to i64
// CHECK: %[[OI:.*]] = memref.extract_aligned_pointer_as_index %[[MAXOUT]]
// CHECK: %[[OA:.*]] = arith.index_cast %[[OI]] : index to i64
// CHECK: %[[N:.*]] = arith.index_cast %[[BATCH]] : index to i64
// CHECK-NEXT: %[[H:.*]] = arith.constant 32 : i64
// CHECK-NEXT: %[[W:.*]] = arith.constant 32 : i64
// CHECK-NEXT: %[[C:.*]] = arith.constant 16 : i64
// CHECK-NEXT: %[[OH:.*]] = arith.constant 16 : i64
// CHECK-NEXT: %[[OW:.*]] = arith.constant 16 : i64
// CHECK-COUNT-4: arith.constant 2 : i64
// CHECK-COUNT-4: arith.constant 0 : i64
// CHECK-NEXT: call @sinter_kernel_pool2d_f32(%[[MAXKIND]], %[[XA]], %[[XA2]], %[[OA]], %[[N]], %[[H]], %[[W]], %[[C]], %[[OH]], %[[OW]], {{.*}}) : (i32, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
// CHECK: %[[MAX:.*]] = bufferization.to_tensor %[[MAXOUT]] restrict writable
// CHECK: %[[AVGKIND:.*]] = arith.constant 4 : i32
// CHECK: call @sinter_kernel_pool2d_f32(%[[AVGKIND]],
// GEN-LABEL: func.func @pool_large(
// GEN-NOT: call
// GEN: arith.maximumf
// GEN: arith.addf
// GEN: arith.divf
// GEN: return
func.func @pool_large(%x: tensor<?x32x32x16xf32>) -> (tensor<?x16x16x16xf32>, tensor<?x16x16x16xf32>) {
  %max = sinter.max_pool2d %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<?x32x32x16xf32> -> tensor<?x16x16x16xf32>
  %avg = sinter.avg_pool2d %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<?x32x32x16xf32> -> tensor<?x16x16x16xf32>
  return %max, %avg : tensor<?x16x16x16xf32>, tensor<?x16x16x16xf32>
}

// The gradients, whatever their size (also with SINTER_GENERATED_ONLY): max_pool2d_grad is
// kind 0 (x, g) -> x's shape; max_pool2d_select kind 1 (x, v) -> the pooled shape;
// avg_pool2d_grad kind 2 (g, g: x is not read) -> x's shape. The sizes are x's [n, h, w, c],
// the pooled [oh, ow], the window, the strides and the padding [top, bottom, left, right].
// CHECK-LABEL: func.func @pool_grads(
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0
// CHECK: %[[G:.*]] = bufferization.to_tensor %arg1
// CHECK: %[[DX:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x6x6x3xf32>
// CHECK: %[[K0:.*]] = arith.constant 0 : i32
// CHECK: %[[GB:.*]] = bufferization.to_buffer %[[G]] read_only
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK: %[[XI:.*]] = memref.extract_aligned_pointer_as_index %[[XB]]
// CHECK-NEXT: %[[XA:.*]] = arith.index_cast %[[XI]] : index to i64
// CHECK: %[[GI:.*]] = memref.extract_aligned_pointer_as_index %[[GB]]
// CHECK-NEXT: %[[GA:.*]] = arith.index_cast %[[GI]] : index to i64
// CHECK: %[[OI:.*]] = memref.extract_aligned_pointer_as_index %[[DX]]
// CHECK-NEXT: %[[OA:.*]] = arith.index_cast %[[OI]] : index to i64
// CHECK: %[[N:.*]] = arith.constant 2 : i64
// CHECK: %[[H:.*]] = arith.constant 6 : i64
// CHECK: %[[W:.*]] = arith.constant 6 : i64
// CHECK: %[[C:.*]] = arith.constant 3 : i64
// CHECK: %[[OH:.*]] = arith.constant 3 : i64
// CHECK: %[[OW:.*]] = arith.constant 3 : i64
// CHECK: %[[KH:.*]] = arith.constant 3 : i64
// CHECK: %[[KW:.*]] = arith.constant 3 : i64
// CHECK: %[[SH:.*]] = arith.constant 2 : i64
// CHECK: %[[SW:.*]] = arith.constant 2 : i64
// CHECK: %[[PT:.*]] = arith.constant 0 : i64
// CHECK: %[[PB:.*]] = arith.constant 1 : i64
// CHECK: %[[PL:.*]] = arith.constant 0 : i64
// CHECK: %[[PR:.*]] = arith.constant 1 : i64
// CHECK: call @sinter_kernel_pool2d_f32(%[[K0]], %[[XA]], %[[GA]], %[[OA]], %[[N]], %[[H]], %[[W]], %[[C]], %[[OH]], %[[OW]], %[[KH]], %[[KW]], %[[SH]], %[[SW]], %[[PT]], %[[PB]], %[[PL]], %[[PR]])
// CHECK: %[[MAXG:.*]] = bufferization.to_tensor %[[DX]] restrict writable : memref<2x6x6x3xf32>
// CHECK: %[[SEL:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x3x3x3xf32>
// CHECK: %[[K1:.*]] = arith.constant 1 : i32
// CHECK: %[[VB:.*]] = bufferization.to_buffer %[[MAXG]] read_only
// CHECK: %[[XB2:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK: %[[XI:.*]] = memref.extract_aligned_pointer_as_index %[[XB2]]
// CHECK-NEXT: %[[XA:.*]] = arith.index_cast %[[XI]] : index to i64
// CHECK: %[[VI:.*]] = memref.extract_aligned_pointer_as_index %[[VB]]
// CHECK-NEXT: %[[VA:.*]] = arith.index_cast %[[VI]] : index to i64
// CHECK: %[[OI:.*]] = memref.extract_aligned_pointer_as_index %[[SEL]]
// CHECK-NEXT: %[[OA:.*]] = arith.index_cast %[[OI]] : index to i64
// CHECK: call @sinter_kernel_pool2d_f32(%[[K1]], %[[XA]], %[[VA]], %[[OA]],
// CHECK: %[[AVGDX:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x6x6x3xf32>
// CHECK: %[[K2:.*]] = arith.constant 2 : i32
// CHECK: %[[GB2:.*]] = bufferization.to_buffer %[[G]] read_only
// CHECK: %[[GI:.*]] = memref.extract_aligned_pointer_as_index %[[GB2]]
// CHECK: %[[GA:.*]] = arith.index_cast %[[GI]]
// CHECK: %[[GI2:.*]] = memref.extract_aligned_pointer_as_index %[[GB2]]
// CHECK: %[[GA2:.*]] = arith.index_cast %[[GI2]]
// CHECK: %[[OI:.*]] = memref.extract_aligned_pointer_as_index %[[AVGDX]]
// CHECK: %[[OA:.*]] = arith.index_cast %[[OI]]
// CHECK: call @sinter_kernel_pool2d_f32(%[[K2]], %[[GA]], %[[GA2]], %[[OA]],
// GEN-LABEL: func.func @pool_grads(
// GEN-COUNT-3: call @sinter_kernel_pool2d_f32(
func.func @pool_grads(%x: tensor<2x6x6x3xf32>, %g: tensor<2x3x3x3xf32>)
    -> (tensor<2x6x6x3xf32>, tensor<2x3x3x3xf32>, tensor<2x6x6x3xf32>) {
  %maxg = sinter.max_pool2d_grad %x, %g {window = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>} : tensor<2x6x6x3xf32>, tensor<2x3x3x3xf32> -> tensor<2x6x6x3xf32>
  %sel = sinter.max_pool2d_select %x, %maxg {window = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 0, 1, 0, 1>} : tensor<2x6x6x3xf32>, tensor<2x6x6x3xf32> -> tensor<2x3x3x3xf32>
  %avgg = sinter.avg_pool2d_grad %g {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<2x3x3x3xf32> -> tensor<2x6x6x3xf32>
  return %maxg, %sel, %avgg : tensor<2x6x6x3xf32>, tensor<2x3x3x3xf32>, tensor<2x6x6x3xf32>
}

// float64 gradients call the float64 kernel.
// CHECK-LABEL: func.func @pool_grad_f64(
// CHECK: call @sinter_kernel_pool2d_f64(
func.func @pool_grad_f64(%g: tensor<1x2x2x1xf64>) -> tensor<1x4x4x1xf64> {
  %dx = sinter.avg_pool2d_grad %g {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : tensor<1x2x2x1xf64> -> tensor<1x4x4x1xf64>
  return %dx : tensor<1x4x4x1xf64>
}
