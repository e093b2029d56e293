// RUN: sinter-opt %s -split-input-file -sinter-block-rows | FileCheck %s

// With the batch size as row count, blocks keep 4 rows and the last one is partial: the loop
// runs to the run-time row count, each block min(4, rows - row) rows.
// CHECK-LABEL: func.func @softmax
// CHECK: %[[ROWS:.*]] = tensor.dim
// CHECK: scf.forall (%[[R:.*]]) = ({{.*}}) to (%[[ROWS]]) step (4)
// CHECK: affine.min {{.*}}(%[[R]])
// CHECK: tensor.extract_slice {{.*}} to tensor<?x1000xf32>
// CHECK: math.exp
// CHECK-NOT: linalg.softmax
func.func @softmax(%x: tensor<?x1000xf32>, %out: tensor<?x1000xf32>) -> tensor<?x1000xf32> {
  %s = linalg.softmax dimension(1) ins(%x : tensor<?x1000xf32>) outs(%out : tensor<?x1000xf32>) -> tensor<?x1000xf32>
  return %s : tensor<?x1000xf32>
}

// -----

// A row chain (max along the rows, then subtract): moved into blocks of 4 rows as a whole.
// CHECK-LABEL: func.func @chain
// CHECK: %[[ROWS:.*]] = tensor.dim
// CHECK: scf.forall (%[[R:.*]]) = ({{.*}}) to (%[[ROWS]]) step (4)
// CHECK: %[[N:.*]] = affine.min {{.*}}(%[[R]])
// CHECK: tensor.extract_slice {{.*}} {{\[}}%[[N]], 1000] [1, 1] : tensor<?x1000xf32> to tensor<?x1000xf32>
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: tensor.parallel_insert_slice
func.func @chain(%x: tensor<?x1000xf32>, %n: index) -> tensor<?x1000xf32> {
  %cst = arith.constant 0xFF800000 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %init = linalg.fill ins(%cst : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x1000xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f32, %m: f32):
    %r = arith.maximumf %a, %m : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %e2 = tensor.empty(%n) : tensor<?x1000xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : tensor<?x1000xf32>, tensor<?xf32>) outs(%e2 : tensor<?x1000xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %r = arith.subf %a, %m : f32
    linalg.yield %r : f32
  } -> tensor<?x1000xf32>
  return %d : tensor<?x1000xf32>
}
