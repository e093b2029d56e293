// sinter-to-linalg rejects input, grad, stop_gradient and softmax_cross_entropy, which earlier
// phases remove; the comment below names the tests that cover them.

// RUN: sinter-opt %s -split-input-file -sinter-to-linalg -verify-diagnostics

// The ops that never reach the lowering are rejected by it, each covered where it goes away:
// sinter.input becomes an entry argument in the frontend (frontend/lib/Program.cpp; its
// assembly: Dialect/roundtrip-elementwise.mlir); sinter.grad is expanded by sinter-autodiff
// (Autodiff/*.mlir); stop_gradient and softmax_cross_entropy are rewritten by
// sinter-decompose (Decompose/stop-gradient.mlir, Decompose/softmax.mlir); sinter.yield is
// lowered with its sinter.scan (Scan/lower.mlir).

func.func @input() -> tensor<2xf32> {
  // expected-error @+1 {{sinter-to-linalg: cannot lower 'sinter.input'}}
  %x = sinter.input "x" : tensor<2xf32>
  return %x : tensor<2xf32>
}

// -----

func.func @grad(%x: tensor<3xf32>) -> tensor<3xf32> {
  %l = sinter.reduce_sum %x {axes = array<i64: 0>} : tensor<3xf32> -> tensor<f32>
  // expected-error @+1 {{sinter-to-linalg: cannot lower 'sinter.grad' (composites are decomposed and sinter.grad expanded earlier)}}
  %g = sinter.grad %l wrt %x : tensor<f32>, tensor<3xf32>
  return %g : tensor<3xf32>
}

// -----

func.func @stop_gradient(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{sinter-to-linalg: cannot lower 'sinter.stop_gradient'}}
  %s = sinter.stop_gradient %x : tensor<3xf32>
  return %s : tensor<3xf32>
}

// -----

func.func @softmax_cross_entropy(%logits: tensor<2x5xf32>, %labels: tensor<2x5xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{sinter-to-linalg: cannot lower 'sinter.softmax_cross_entropy'}}
  %l = sinter.softmax_cross_entropy %logits, %labels : tensor<2x5xf32>, tensor<2x5xf32> -> tensor<2xf32>
  return %l : tensor<2xf32>
}
