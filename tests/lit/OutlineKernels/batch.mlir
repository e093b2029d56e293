// RUN: sinter-opt %s -sinter-to-linalg -one-shot-bufferize="unknown-type-conversion=identity-layout-map" -canonicalize -sinter-outline-kernels | FileCheck %s

// A matmul with a batch-sized dimension is sized for a batch of 32 when deciding whether it
// pays for a kernel call (32 × 64 × 32 multiply-adds here); the call reads the rows from the
// buffer at run time.

// CHECK-LABEL: func.func @f(
// CHECK: %[[M:.*]] = memref.dim
// CHECK: %[[M64:.*]] = arith.index_cast %[[M]] : index to i64
// CHECK: call @sinter_kernel_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[M64]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK-NOT: linalg.matmul
module @m {
  sinter.variable @v {trainable} : tensor<64x32xf32>
  func.func @f(%x: tensor<?x64xf32> {sinter.name = "x"}) -> (tensor<?x32xf32> {sinter.name = "y"}) {
    %v = sinter.read @v : tensor<64x32xf32>
    %y = sinter.matmul %x, %v : tensor<?x64xf32>, tensor<64x32xf32> -> tensor<?x32xf32>
    return %y : tensor<?x32xf32>
  }
}
