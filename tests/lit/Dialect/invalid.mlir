// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @matmul_inner_dims(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{inner dimensions differ (4 vs 5)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = sinter.matmul %a, %b : tensor<2x4xf32>, tensor<5x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape_count(%a: tensor<2x4xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{cannot reshape 'tensor<2x4xf32>' (8 elements) to 'tensor<7xf32>' (7 elements)}}
  %0 = sinter.reshape %a : tensor<2x4xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @broadcast_size(%a: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{cannot broadcast 'tensor<3xf32>' to 'tensor<2x4xf32>'}}
  %0 = sinter.broadcast_in_dim %a {broadcast_dimensions = array<i64: 1>} : tensor<3xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @broadcast_rank(%a: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{needs one broadcast dimension per operand dimension}}
  %0 = sinter.broadcast_in_dim %a {broadcast_dimensions = array<i64: 0, 1>} : tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @all_reduce_kind(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{reduction must be "sum" or "mean", got "max"}}
  %0 = sinter.all_reduce %a {reduction = "max"} : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @all_reduce_batch(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{needs a static shape (every rank reduces the same number of elements)}}
  %0 = sinter.all_reduce %a : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
