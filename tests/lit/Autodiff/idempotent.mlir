// RUN: sinter-opt %s -sinter-autodiff | FileCheck %s
// RUN: sinter-opt %s -sinter-autodiff -sinter-autodiff | FileCheck %s

// A function without sinter.grad is left alone (and the pass can run on its own output).

// CHECK-LABEL: func.func @noop
// CHECK-NEXT: sinter.exp %arg0 : tensor<4xf32>
// CHECK-NEXT: return
func.func @noop(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = sinter.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
