// RUN: sinter-opt %s -sinter-to-linalg | FileCheck %s

// A scan becomes an scf.for over the sequence axis: slice t of each sequence is extracted,
// the body's ops are lowered in the loop, the new carries are copied back into the carries'
// buffers and the outputs inserted at t. A reverse scan counts t down.

// CHECK-LABEL: func.func @cumsum
// CHECK: scf.for %[[I:.*]] = %c0 to %c5 step %c1 iter_args(%[[C:.*]] = {{.*}}, %[[YS:.*]] = {{.*}}) -> (tensor<3xf32>, tensor<5x3xf32>)
// CHECK: %[[T:.*]] = arith.subi %c4, %[[I]]
// CHECK: tensor.extract_slice %{{.*}}[%[[T]], 0] [1, 3] [1, 1] : tensor<5x3xf32> to tensor<3xf32>
// CHECK: %[[S:.*]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[S]] into %[[YS]][%[[T]], 0] [1, 3] [1, 1]
// CHECK: %[[NEW:.*]] = linalg.copy ins(%[[S]] : tensor<3xf32>) outs(%[[C]] : tensor<3xf32>)
// CHECK: scf.yield %[[NEW]], %[[INS]]
// CHECK-NOT: sinter.
func.func @cumsum(%x: tensor<5x3xf32>) -> tensor<5x3xf32> {
  %z = sinter.constant dense<0.0> : tensor<3xf32>
  %r:2 = "sinter.scan"(%z, %x) ({
  ^bb0(%c: tensor<3xf32>, %xt: tensor<3xf32>):
    %s = sinter.add %c, %xt : tensor<3xf32>
    sinter.yield %s, %s : tensor<3xf32>, tensor<3xf32>
  }) {axis = 0 : i64, num_carries = 1 : i64, num_sequences = 1 : i64, reverse} : (tensor<3xf32>, tensor<5x3xf32>) -> (tensor<3xf32>, tensor<5x3xf32>)
  return %r#1 : tensor<5x3xf32>
}
