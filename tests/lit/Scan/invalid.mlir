// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @wrong_carry(%c: tensor<3xf32>, %x: tensor<5x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{result 0 has type 'tensor<3xf32>' but the body yields 'tensor<2xf32>'}}
  %r = "sinter.scan"(%c, %x) ({
  ^bb0(%a: tensor<3xf32>, %b: tensor<3xf32>):
    %s = sinter.slice %a {limit_indices = array<i64: 2>, start_indices = array<i64: 0>, strides = array<i64: 1>} : tensor<3xf32> -> tensor<2xf32>
    sinter.yield %s : tensor<2xf32>
  }) {axis = 0 : i64, num_carries = 1 : i64, num_sequences = 1 : i64} : (tensor<3xf32>, tensor<5x3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

func.func @slice_type(%c: tensor<3xf32>, %x: tensor<5x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{body arguments must be the carries, one slice of each sequence and the constants}}
  %r = "sinter.scan"(%c, %x) ({
  ^bb0(%a: tensor<3xf32>, %b: tensor<5xf32>):
    sinter.yield %a : tensor<3xf32>
  }) {axis = 0 : i64, num_carries = 1 : i64, num_sequences = 1 : i64} : (tensor<3xf32>, tensor<5x3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

func.func @no_sequence(%c: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{needs at least one sequence}}
  %r = "sinter.scan"(%c) ({
  ^bb0(%a: tensor<3xf32>):
    sinter.yield %a : tensor<3xf32>
  }) {axis = 0 : i64, num_carries = 1 : i64, num_sequences = 0 : i64} : (tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}
