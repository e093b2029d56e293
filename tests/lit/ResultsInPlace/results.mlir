// RUN: sinter-opt %s -split-input-file -sinter-results-in-place | FileCheck %s

// A result is computed in its result buffer (used by nothing else)...
// CHECK-LABEL: func.func @result
// CHECK: %[[OUT:.*]] = bufferization.to_tensor %arg1 restrict writable
// CHECK: linalg.generic {{.*}} outs(%[[OUT]] : tensor<8xf32>)
// CHECK-NOT: tensor.empty
func.func @result(%x: memref<8xf32>, %y: memref<8xf32>) {
  %t = bufferization.to_tensor %x restrict : memref<8xf32> to tensor<8xf32>
  %e = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]} ins(%t : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<8xf32>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<8xf32>, memref<8xf32>) -> ()
  return
}

// -----

// ...but a variable's buffer, which the entry also reads, is left to the update at the end.
// CHECK-LABEL: func.func @variable
// CHECK: tensor.empty
func.func @variable(%v: memref<8xf32>) {
  %t = bufferization.to_tensor %v restrict : memref<8xf32> to tensor<8xf32>
  %e = tensor.empty() : tensor<8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]} ins(%t : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<8xf32>
  bufferization.materialize_in_destination %r in restrict writable %v : (tensor<8xf32>, memref<8xf32>) -> ()
  return
}

// -----

// A result that is a collapsed view of the computed tensor: the buffer is expanded to the
// computed shape.
// CHECK-LABEL: func.func @collapsed
// CHECK: %[[OUT:.*]] = bufferization.to_tensor %arg1 restrict writable : memref<8x4xf32>
// CHECK: %[[EXP:.*]] = tensor.expand_shape %[[OUT]] {{\[\[}}0, 1], [2]] output_shape [8, 1, 4]
// CHECK: linalg.generic {{.*}} outs(%[[EXP]] : tensor<8x1x4xf32>)
func.func @collapsed(%x: memref<8x1x4xf32>, %y: memref<8x4xf32>) {
  %t = bufferization.to_tensor %x restrict : memref<8x1x4xf32> to tensor<8x1x4xf32>
  %e = tensor.empty() : tensor<8x1x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                       iterator_types = ["parallel", "parallel", "parallel"]} ins(%t : tensor<8x1x4xf32>) outs(%e : tensor<8x1x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<8x1x4xf32>
  %c = tensor.collapse_shape %r [[0, 1], [2]] : tensor<8x1x4xf32> into tensor<8x4xf32>
  bufferization.materialize_in_destination %c in restrict writable %y : (tensor<8x4xf32>, memref<8x4xf32>) -> ()
  return
}

// -----

// A batch-sized result: computed in the view of its buffer with the call's rows.
// CHECK-LABEL: func.func @batch
// CHECK: %[[VIEW:.*]] = memref.reinterpret_cast %arg2
// CHECK: %[[OUT:.*]] = bufferization.to_tensor %[[VIEW]] restrict writable
// CHECK: linalg.generic {{.*}} outs(%[[OUT]] : tensor<?x8xf32>)
// CHECK-NOT: tensor.empty
func.func @batch(%n: index, %x: memref<1x8xf32>, %y: memref<1x8xf32>) {
  %yv = memref.reinterpret_cast %y to offset: [0], sizes: [%n, 8], strides: [8, 1] : memref<1x8xf32> to memref<?x8xf32>
  %xv = memref.reinterpret_cast %x to offset: [0], sizes: [%n, 8], strides: [8, 1] : memref<1x8xf32> to memref<?x8xf32>
  %t = bufferization.to_tensor %xv restrict : memref<?x8xf32> to tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} ins(%t : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<?x8xf32>
  bufferization.materialize_in_destination %r in restrict writable %yv : (tensor<?x8xf32>, memref<?x8xf32>) -> ()
  return
}

// -----

// Two products share one zero fill as their destination (CSE merges identical fills): neither
// is computed in a result buffer, or the second would overwrite the first's.
// CHECK-LABEL: func.func @shared_fill
// CHECK-NOT: bufferization.to_tensor %arg{{[12]}}
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<2x2xf32>)
// CHECK-NOT: bufferization.to_tensor %arg{{[12]}}
func.func @shared_fill(%a: memref<2x2xf32>, %y: memref<2x2xf32>, %z: memref<2x2xf32>) {
  %t = bufferization.to_tensor %a restrict : memref<2x2xf32> to tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %p = linalg.matmul ins(%t, %t : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  %q = linalg.matmul ins(%p, %t : tensor<2x2xf32>, tensor<2x2xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  bufferization.materialize_in_destination %p in restrict writable %y : (tensor<2x2xf32>, memref<2x2xf32>) -> ()
  bufferization.materialize_in_destination %q in restrict writable %z : (tensor<2x2xf32>, memref<2x2xf32>) -> ()
  return
}
