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
