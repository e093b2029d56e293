// RUN: sinter-opt %s -sinter-split-empty-tensors | FileCheck %s

// Every use of a tensor.empty gets its own, so one-shot bufferization does not compare all the
// destinations that CSE merged into one value.
// CHECK-LABEL: func.func @f
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: linalg.fill ins(%arg0 : f32) outs(%[[E1]] : tensor<4xf32>)
// CHECK-NEXT: linalg.fill ins(%arg1 : f32) outs(%[[E0]] : tensor<4xf32>)
func.func @f(%a: f32, %b: f32) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %x = linalg.fill ins(%a : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %y = linalg.fill ins(%b : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %x, %y : tensor<4xf32>, tensor<4xf32>
}
