// Round trip of sinter.all_reduce: the reduction attribute ("sum" is the default and is not
// printed) and the type print back the same.

// RUN: sinter-opt %s | FileCheck %s
// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s -mlir-print-op-generic | sinter-opt | FileCheck %s

// CHECK-LABEL: func.func @all_reduce(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<4x3xf32>, %[[Y:[a-z0-9]+]]: tensor<f64>)
func.func @all_reduce(%x: tensor<4x3xf32>, %y: tensor<f64>) -> (tensor<4x3xf32>, tensor<f64>) {
  // CHECK: %[[S:.*]] = sinter.all_reduce %[[X]] : tensor<4x3xf32>
  %s = sinter.all_reduce %x : tensor<4x3xf32>
  // CHECK: %[[M:.*]] = sinter.all_reduce %[[Y]] {reduction = "mean"} : tensor<f64>
  %m = sinter.all_reduce %y {reduction = "mean"} : tensor<f64>
  // CHECK: return %[[S]], %[[M]]
  return %s, %m : tensor<4x3xf32>, tensor<f64>
}
