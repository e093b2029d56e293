// RUN: sinter-opt %s -sinter-autodiff | FileCheck %s
// RUN: sinter-opt %s -sinter-autodiff -canonicalize -cse | FileCheck %s --check-prefix=CLEAN

// Gradient of a gradient: d/dx Σ d(Σ x³)/dx = d/dx Σ 3x² = 6x. The pass expands the inner
// sinter.grad into sinter ops, then differentiates those ops for the outer one.

module @m {
  sinter.variable @x {trainable} : tensor<3xf32>
  // CHECK-LABEL: func.func @f
  // CHECK-NOT: sinter.grad
  // CHECK: sinter.mul
  // CHECK-NOT: sinter.grad
  // CHECK: return
  func.func @f() -> tensor<3xf32> {
    %x = sinter.read @x : tensor<3xf32>
    %x2 = sinter.mul %x, %x : tensor<3xf32>
    %x3 = sinter.mul %x2, %x : tensor<3xf32>
    %l = sinter.reduce_sum %x3 {axes = array<i64: 0>} : tensor<3xf32> -> tensor<f32>
    %g = sinter.grad %l wrt %x : tensor<f32>, tensor<3xf32>
    %l2 = sinter.reduce_sum %g {axes = array<i64: 0>} : tensor<3xf32> -> tensor<f32>
    %gg = sinter.grad %l2 wrt %x : tensor<f32>, tensor<3xf32>
    return %gg : tensor<3xf32>
  }
}

// The second derivative is linear in x: after clean-up it reads x once and returns sums of
// products of x with constants; the cube's forward value (x·x·x) is dead and gone.
// CLEAN-LABEL: func.func @f
// CLEAN-COUNT-1: sinter.read @x
// CLEAN-NOT: sinter.read
// CLEAN-NOT: sinter.grad
// CLEAN-NOT: sinter.reduce_sum
// CLEAN: return {{.*}} : tensor<3xf32>
