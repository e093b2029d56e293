// sinter-to-linalg of lstm, lstm_grad, gru, gru_grad, batch_norm and batch_norm_grad: one
// runtime kernel call each, with its argument order, sizes and flags.

// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s

// The whole-layer recurrent ops and float32 batch normalisation are one call each of the
// runtime's oneDNN kernels (Abi.h): the addresses of the operands, then of the new result
// buffers, then the sizes (the batch from the entry's first argument when it is dynamic) and
// the flags; the result buffers become the op's results.

// The kernels are declared once: every pointer and size is passed as an i64.
// CHECK-DAG: func.func private @sinter_kernel_lstm_forward_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-DAG: func.func private @sinter_kernel_lstm_backward_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-DAG: func.func private @sinter_kernel_gru_forward_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-DAG: func.func private @sinter_kernel_gru_backward_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-DAG: func.func private @sinter_kernel_batch_norm_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, f32)
// CHECK-DAG: func.func private @sinter_kernel_batch_norm_grad_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32)

// lstm: x [n, t, c], h0, c0, kernel, recurrent_kernel, bias; sequence, h, c; then n, t,
// channels, units and reverse.
// CHECK-LABEL: func.func @lstm(
// CHECK-SAME: %[[N:[a-z0-9]+]]: index,
// CHECK: %[[SEQ:.*]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x5x4xf32>
// CHECK: %[[H:.*]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK: %[[C:.*]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK-COUNT-6: bufferization.to_buffer %{{.*}} read_only
// CHECK: %[[SEQI:.*]] = memref.extract_aligned_pointer_as_index %[[SEQ]]
// CHECK-NEXT: %[[SEQA:.*]] = arith.index_cast %[[SEQI]] : index to i64
// CHECK: %[[HI:.*]] = memref.extract_aligned_pointer_as_index %[[H]]
// CHECK-NEXT: %[[HA:.*]] = arith.index_cast %[[HI]] : index to i64
// CHECK: %[[CI:.*]] = memref.extract_aligned_pointer_as_index %[[C]]
// CHECK-NEXT: %[[CA:.*]] = arith.index_cast %[[CI]] : index to i64
// CHECK-NEXT: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK-NEXT: %[[T:.*]] = arith.constant 5 : i64
// CHECK-NEXT: %[[F:.*]] = arith.constant 3 : i64
// CHECK-NEXT: %[[U:.*]] = arith.constant 4 : i64
// CHECK-NEXT: %[[REV:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @sinter_kernel_lstm_forward_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SEQA]], %[[HA]], %[[CA]], %[[N64]], %[[T]], %[[F]], %[[U]], %[[REV]]) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
// CHECK-NEXT: %[[SEQT:.*]] = bufferization.to_tensor %[[SEQ]] restrict writable
// CHECK-NEXT: %[[HT:.*]] = bufferization.to_tensor %[[H]] restrict writable
// CHECK-NEXT: %[[CT:.*]] = bufferization.to_tensor %[[C]] restrict writable
// lstm_grad: the six operands, the three result gradients, six gradient buffers, the sizes.
// CHECK-COUNT-6: memref.alloc
// CHECK: bufferization.to_buffer %[[SEQT]] read_only
// CHECK: bufferization.to_buffer %[[HT]] read_only
// CHECK: bufferization.to_buffer %[[CT]] read_only
// CHECK: %[[REV0:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @sinter_kernel_lstm_backward_f32({{.*}}, %[[REV0]]) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
func.func @lstm(%x: tensor<?x5x3xf32>, %h0: tensor<?x4xf32>, %c0: tensor<?x4xf32>, %k: tensor<3x16xf32>,
                %rk: tensor<4x16xf32>, %b: tensor<16xf32>) -> (tensor<?x5x4xf32>, tensor<?x5x3xf32>, tensor<16xf32>) {
  %seq, %h, %c = sinter.lstm %x, %h0, %c0, %k, %rk, %b {reverse = true} : tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32> -> tensor<?x5x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
  %g:6 = sinter.lstm_grad %x, %h0, %c0, %k, %rk, %b, %seq, %h, %c : tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<?x5x4xf32>, tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x5x3xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<3x16xf32>, tensor<4x16xf32>, tensor<16xf32>
  return %seq, %g#0, %g#5 : tensor<?x5x4xf32>, tensor<?x5x3xf32>, tensor<16xf32>
}

// gru: x, h0, kernel, recurrent_kernel, bias; sequence, h; n, t, channels, units, reverse
// and linear_before_reset.
// CHECK-LABEL: func.func @gru(
// CHECK: %[[SEQ:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x5x4xf32>
// CHECK: %[[H:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
// CHECK: %[[N:.*]] = arith.constant 2 : i64
// CHECK-NEXT: %[[T:.*]] = arith.constant 5 : i64
// CHECK-NEXT: %[[F:.*]] = arith.constant 3 : i64
// CHECK-NEXT: %[[U:.*]] = arith.constant 4 : i64
// CHECK-NEXT: %[[REV:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[LBR:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @sinter_kernel_gru_forward_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[N]], %[[T]], %[[F]], %[[U]], %[[REV]], %[[LBR]])
// CHECK: %[[REV:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[LBR:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @sinter_kernel_gru_forward_f32({{.*}}, %[[REV]], %[[LBR]])
// CHECK: %[[REV:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[LBR:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @sinter_kernel_gru_backward_f32({{.*}}, %[[REV]], %[[LBR]]) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
func.func @gru(%x: tensor<2x5x3xf32>, %h0: tensor<2x4xf32>, %k: tensor<3x12xf32>, %rk: tensor<4x12xf32>,
               %b: tensor<16xf32>, %b3: tensor<12xf32>) -> (tensor<2x5x4xf32>, tensor<2x4xf32>, tensor<12xf32>) {
  %seq:2 = sinter.gru %x, %h0, %k, %rk, %b {linear_before_reset = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<16xf32> -> tensor<2x5x4xf32>, tensor<2x4xf32>
  %rev:2 = sinter.gru %x, %h0, %k, %rk, %b3 {linear_before_reset = false, reverse = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32> -> tensor<2x5x4xf32>, tensor<2x4xf32>
  %g:5 = sinter.gru_grad %x, %h0, %k, %rk, %b3, %rev#0, %rev#1 {linear_before_reset = false, reverse = true} : tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>, tensor<2x5x4xf32>, tensor<2x4xf32> -> tensor<2x5x3xf32>, tensor<2x4xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<12xf32>
  return %seq#0, %g#1, %g#4 : tensor<2x5x4xf32>, tensor<2x4xf32>, tensor<12xf32>
}

// batch_norm (kept whole for float32 by sinter-decompose): x, gamma, beta; y, mean,
// variance; n, the positions per image (4·4) and the channels, epsilon as f32. Its gradient
// reads the statistics the forward call wrote.
// CHECK-LABEL: func.func @batch_norm(
// CHECK-SAME: %[[N:[a-z0-9]+]]: index,
// CHECK: %[[Y:.*]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x4x4x3xf32>
// CHECK: %[[MEAN:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3xf32>
// CHECK: %[[VAR:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3xf32>
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK-NEXT: %[[INNER:.*]] = arith.constant 16 : i64
// CHECK-NEXT: %[[CH:.*]] = arith.constant 3 : i64
// CHECK-NEXT: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK-NEXT: call @sinter_kernel_batch_norm_f32({{.*}}, %[[N64]], %[[INNER]], %[[CH]], %[[EPS]]) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, f32) -> ()
// CHECK: %[[MEANT:.*]] = bufferization.to_tensor %[[MEAN]] restrict writable
// CHECK: %[[VART:.*]] = bufferization.to_tensor %[[VAR]] restrict writable
// CHECK: %[[MB:.*]] = bufferization.to_buffer %[[MEANT]] read_only
// CHECK-NEXT: %[[MI:.*]] = memref.extract_aligned_pointer_as_index %[[MB]]
// CHECK-NEXT: %[[MA:.*]] = arith.index_cast %[[MI]] : index to i64
// CHECK-NEXT: %[[VB:.*]] = bufferization.to_buffer %[[VART]] read_only
// CHECK-NEXT: %[[VI:.*]] = memref.extract_aligned_pointer_as_index %[[VB]]
// CHECK-NEXT: %[[VA:.*]] = arith.index_cast %[[VI]] : index to i64
// CHECK: %[[N64B:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK-NEXT: %[[INNERB:.*]] = arith.constant 16 : i64
// CHECK-NEXT: %[[CHB:.*]] = arith.constant 3 : i64
// CHECK-NEXT: %[[EPSB:.*]] = arith.constant 1.000000e-03 : f32
// CHECK-NEXT: call @sinter_kernel_batch_norm_grad_f32(%{{[^,]+}}, %{{[^,]+}}, %[[MA]], %[[VA]], {{.*}}, %[[N64B]], %[[INNERB]], %[[CHB]], %[[EPSB]]) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32) -> ()
func.func @batch_norm(%x: tensor<?x4x4x3xf32>, %gamma: tensor<3xf32>, %beta: tensor<3xf32>, %g: tensor<?x4x4x3xf32>)
    -> (tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>) {
  %y, %mean, %variance = sinter.batch_norm %x, %gamma, %beta {epsilon = 1.0e-3 : f64} : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
  %dx, %dgamma, %dbeta = sinter.batch_norm_grad %x, %gamma, %mean, %variance, %g {epsilon = 1.0e-3 : f64} : tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<?x4x4x3xf32> -> tensor<?x4x4x3xf32>, tensor<3xf32>, tensor<3xf32>
  return %y, %dx, %dbeta : tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>, tensor<3xf32>
}
