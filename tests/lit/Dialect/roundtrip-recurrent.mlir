// Round trip of lstm, lstm_grad, gru, gru_grad and of sinter.scan with its sinter.yield:
// assembly, attributes and result types print back the same.

// RUN: sinter-opt %s | FileCheck %s
// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s -mlir-print-op-generic | sinter-opt | FileCheck %s

// The whole-layer recurrent ops (lstm, gru and their gradients) and sinter.scan with its
// sinter.yield terminator: the assembly, attributes and result types print back the same.
// (scan has no custom assembly: it prints in the generic form.)

// CHECK-LABEL: func.func @lstm(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x5x3xf32>, %[[H0:[a-z0-9]+]]: tensor<?x4xf32>, %[[C0:[a-z0-9]+]]: tensor<?x4xf32>, %[[K:[a-z0-9]+]]: tensor<3x16xf32>, %[[RK:[a-z0-9]+]]: tensor<4x16xf32>, %[[B:[a-z0-9]+]]: tensor<16xf32>)
func.func @lstm(%x: tensor<?x5x3xf32>, %h0: tensor<?x4xf32>, %c0: tensor<?x4xf32>, %k: tensor<3x16xf32>,
                %rk: tensor<4x16xf32>, %b: tensor<16xf32>)
    -> (tensor<?x5x4xf32>, tensor<?x5x3xf32>, tensor<16xf32>) {
  // CHECK: %[[SEQ:[a-z0-9_]+]], %[[H:[a-z0-9_]+]], %[[C:[a-z0-9_]+]] = sinter.lstm %[[X]], %[[H0]], %[[C0]], %[[K]], %[[RK]], %[[B]] {reverse = true} : tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32> -> tensor<?x5x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
  %seq, %h, %c = sinter.lstm %x, %h0, %c0, %k, %rk, %b {reverse = true} : tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32> -> tensor<?x5x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
  // CHECK: %[[DX:[a-z0-9_]+]], %[[DH0:[a-z0-9_]+]], %[[DC0:[a-z0-9_]+]], %[[DK:[a-z0-9_]+]], %[[DRK:[a-z0-9_]+]], %[[DB:[a-z0-9_]+]] = sinter.lstm_grad %[[X]], %[[H0]], %[[C0]], %[[K]], %[[RK]], %[[B]], %[[SEQ]], %[[H]], %[[C]] : tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<?x5x4xf32>, tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>
  %g:6 = sinter.lstm_grad %x, %h0, %c0, %k, %rk, %b, %seq, %h, %c : tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<?x5x4xf32>, tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>
  // CHECK: return %[[SEQ]], %[[DX]], %[[DB]]
  return %seq, %g#0, %g#5 : tensor<?x5x4xf32>, tensor<?x5x3xf32>, tensor<16xf32>
}

// With linear_before_reset the bias is [4·units], without it [3·units].
// CHECK-LABEL: func.func @gru(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x5x3xf32>, %[[H0:[a-z0-9]+]]: tensor<2x4xf32>, %[[K:[a-z0-9]+]]: tensor<3x12xf32>, %[[RK:[a-z0-9]+]]: tensor<4x12xf32>, %[[B:[a-z0-9]+]]: tensor<16xf32>, %[[B3:[a-z0-9]+]]: tensor<12xf32>)
func.func @gru(%x: tensor<2x5x3xf32>, %h0: tensor<2x4xf32>, %k: tensor<3x12xf32>, %rk: tensor<4x12xf32>,
               %b: tensor<16xf32>, %b3: tensor<12xf32>)
    -> (tensor<2x5x4xf32>, tensor<2x4xf32>, tensor<12xf32>) {
  // CHECK: %[[SEQ:[a-z0-9_]+]], %{{[a-z0-9_]+}} = sinter.gru %[[X]], %[[H0]], %[[K]], %[[RK]], %[[B]] {linear_before_reset = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<16xf32> -> tensor<2x5x4xf32>, tensor<2x4xf32>
  %seq:2 = sinter.gru %x, %h0, %k, %rk, %b {linear_before_reset = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<16xf32> -> tensor<2x5x4xf32>, tensor<2x4xf32>
  // CHECK: %[[REVSEQ:[a-z0-9_]+]], %[[REVH:[a-z0-9_]+]] = sinter.gru %[[X]], %[[H0]], %[[K]], %[[RK]], %[[B3]] {linear_before_reset = false, reverse = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32> -> tensor<2x5x4xf32>, tensor<2x4xf32>
  %rev:2 = sinter.gru %x, %h0, %k, %rk, %b3 {linear_before_reset = false, reverse = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32> -> tensor<2x5x4xf32>, tensor<2x4xf32>
  // CHECK: %{{[a-z0-9_]+}}, %[[DH0:[a-z0-9_]+]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %[[DB:[a-z0-9_]+]] = sinter.gru_grad %[[X]], %[[H0]], %[[K]], %[[RK]], %[[B3]], %[[REVSEQ]], %[[REVH]] {linear_before_reset = false, reverse = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>, tensor<2x5x4xf32>, tensor<2x4xf32> -> tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>
  %g:5 = sinter.gru_grad %x, %h0, %k, %rk, %b3, %rev#0, %rev#1 {linear_before_reset = false, reverse = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>, tensor<2x5x4xf32>, tensor<2x4xf32> -> tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>
  // CHECK: return %[[SEQ]], %[[DH0]], %[[DB]]
  return %seq#0, %g#1, %g#4 : tensor<2x5x4xf32>, tensor<2x4xf32>, tensor<12xf32>
}

// A scan with one carry, one sequence (axis 1) and one constant; the body yields the new carry
// and one output slice; the attributes num_carries, num_sequences, axis and reverse print back.
// CHECK-LABEL: func.func @scan(
// CHECK-SAME: %[[H0:[a-z0-9]+]]: tensor<2x3xf32>, %[[XS:[a-z0-9]+]]: tensor<2x4x3xf32>, %[[W:[a-z0-9]+]]: tensor<3x3xf32>)
func.func @scan(%h0: tensor<2x3xf32>, %xs: tensor<2x4x3xf32>, %w: tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<2x4x3xf32>) {
  // CHECK: %[[R:.*]]:2 = "sinter.scan"(%[[H0]], %[[XS]], %[[W]]) ({
  // CHECK-NEXT: ^bb0(%[[H:.*]]: tensor<2x3xf32>, %[[XT:.*]]: tensor<2x3xf32>, %[[K:.*]]: tensor<3x3xf32>):
  // CHECK-NEXT: %[[M:.*]] = sinter.matmul %[[H]], %[[K]] : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x3xf32>
  // CHECK-NEXT: %[[S:.*]] = sinter.add %[[M]], %[[XT]] : tensor<2x3xf32>
  // CHECK-NEXT: %[[T:.*]] = sinter.tanh %[[S]] : tensor<2x3xf32>
  // CHECK-NEXT: sinter.yield %[[T]], %[[S]] : tensor<2x3xf32>, tensor<2x3xf32>
  // CHECK-NEXT: }) {axis = 1 : i64, num_carries = 1 : i64, num_sequences = 1 : i64, reverse} : (tensor<2x3xf32>, tensor<2x4x3xf32>, tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<2x4x3xf32>)
  %r:2 = "sinter.scan"(%h0, %xs, %w) ({
  ^bb0(%h: tensor<2x3xf32>, %xt: tensor<2x3xf32>, %k: tensor<3x3xf32>):
    %m = sinter.matmul %h, %k : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x3xf32>
    %s = sinter.add %m, %xt : tensor<2x3xf32>
    %t = sinter.tanh %s : tensor<2x3xf32>
    sinter.yield %t, %s : tensor<2x3xf32>, tensor<2x3xf32>
  }) {axis = 1 : i64, num_carries = 1 : i64, num_sequences = 1 : i64, reverse} : (tensor<2x3xf32>, tensor<2x4x3xf32>, tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<2x4x3xf32>)
  // CHECK: return %[[R]]#0, %[[R]]#1
  return %r#0, %r#1 : tensor<2x3xf32>, tensor<2x4x3xf32>
}
