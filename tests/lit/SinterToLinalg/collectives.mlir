// sinter-to-linalg of sinter.all_reduce: the runtime's start call (Abi.h) with the reduction,
// the operand's and a fresh result buffer's addresses, the element count and the element type,
// at the op's place; the wait for its ticket just before the result's first use, so the ops in
// between overlap the communication.

// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s

// CHECK-DAG: func.func private @sinter_kernel_all_reduce_start(i32, i64, i64, i64, i64) -> i64
// CHECK-DAG: func.func private @sinter_kernel_all_reduce_wait(i64)

// CHECK-LABEL: func.func @sum(
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4x3xf32>
// SINTER_REDUCE_SUM, then the addresses, 12 elements, SINTER_COLLECTIVE_F32.
// CHECK: %[[KIND:.*]] = arith.constant 0 : i32
// CHECK: %[[INI:.*]] = memref.extract_aligned_pointer_as_index %{{.*}} : memref<4x3xf32>
// CHECK-NEXT: %[[IN:.*]] = arith.index_cast %[[INI]] : index to i64
// CHECK: %[[OUTI:.*]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK-NEXT: %[[OUTA:.*]] = arith.index_cast %[[OUTI]] : index to i64
// CHECK-NEXT: %[[COUNT:.*]] = arith.constant 12 : i64
// CHECK-NEXT: %[[F32:.*]] = arith.constant 0 : i64
// CHECK: %[[T:.*]] = call @sinter_kernel_all_reduce_start(%[[KIND]], %[[IN]], %[[OUTA]], %[[COUNT]], %[[F32]])
// The exponential does not read the result: it runs before the wait.
// CHECK: math.exp
// CHECK: call @sinter_kernel_all_reduce_wait(%[[T]])
// CHECK-NEXT: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: arith.addf
func.func @sum(%x: tensor<4x3xf32>, %y: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %s = sinter.all_reduce %x : tensor<4x3xf32>
  %e = sinter.exp %y : tensor<4x3xf32>
  %r = sinter.add %s, %e : tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// A mean of a float64 scalar: SINTER_REDUCE_MEAN, one element, SINTER_COLLECTIVE_F64; with no
// other work, the wait follows the start.
// CHECK-LABEL: func.func @mean(
// CHECK: %[[KIND:.*]] = arith.constant 1 : i32
// CHECK: %[[COUNT:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[F64:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[T:.*]] = call @sinter_kernel_all_reduce_start(%[[KIND]], %{{.*}}, %{{.*}}, %[[COUNT]], %[[F64]])
// CHECK-NEXT: call @sinter_kernel_all_reduce_wait(%[[T]])
func.func @mean(%x: tensor<f64>) -> tensor<f64> {
  %m = sinter.all_reduce %x {reduction = "mean"} : tensor<f64>
  return %m : tensor<f64>
}
