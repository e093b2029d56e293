// RUN: sinter-opt %s -sinter-decompose | FileCheck %s

// stop_gradient matters only to the autodiff pass, which runs before: afterwards it is its
// operand.
// CHECK-LABEL: func.func @stop
// CHECK-NOT: sinter.stop_gradient
// CHECK: %[[Y:.*]] = sinter.mul %arg0, %arg0 : tensor<3xf32>
// CHECK: return %[[Y]]
func.func @stop(%x: tensor<3xf32>) -> tensor<3xf32> {
  %s = sinter.stop_gradient %x : tensor<3xf32>
  %y = sinter.mul %x, %s : tensor<3xf32>
  return %y : tensor<3xf32>
}
