// RUN: env SINTER_GENERATED_ONLY=1 sinter-opt %s -sinter-to-linalg -sinter-fuse-elementwise -one-shot-bufferize="unknown-type-conversion=identity-layout-map" -canonicalize -sinter-tile-contractions | FileCheck %s

// Without library kernels a matmul is a generic marked sinter.generated_product, which fusion
// leaves whole (the ReLU stays a loop of its own). After bufferization sinter-tile-contractions
// rewrites it: panels of rows in an scf.parallel, column strips of 16, blocks of k (256 steps,
// then the 44 left of 300), and in each a 6 x 16 tile of c carried in vector registers through
// the k loop; the last 8 columns and the row after the last whole tile (13 = 2 x 6 + 1) stay
// the generic, on views. A b stored transposed is not tiled (its rows are not contiguous).

// CHECK-LABEL: func.func @f(
// CHECK: scf.parallel
// CHECK: %[[ACC:.*]]:6 = scf.for %{{.*}} = %{{.*}} to %c256{{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %arg1[{{.*}}] : memref<300x40xf32>, vector<16xf32>
// CHECK-COUNT-6: vector.fma
// CHECK: vector.store %[[ACC]]#5
// CHECK: scf.for %{{.*}} = %{{.*}} to %c44{{.*}} iter_args
// CHECK: memref.subview %arg1[0, 32] [300, 8] [1, 1]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]{{.*}}sinter.generated_product
// CHECK: memref.subview %alloc[%{{.*}}, 0] [%{{.*}}, 40] [1, 1]
// CHECK: linalg.generic {{.*}}sinter.generated_product
// CHECK: arith.maximumf
// CHECK-LABEL: func.func @transposed(
// CHECK-NOT: vector.fma
// CHECK: linalg.generic {{.*}}sinter.generated_product
// CHECK-NOT: vector.fma
// CHECK: return
module @m {
  sinter.variable @w {trainable} : tensor<300x40xf32>
  sinter.variable @wt {trainable} : tensor<40x300xf32>
  func.func @f(%x: tensor<13x300xf32> {sinter.name = "x"}) -> (tensor<13x40xf32> {sinter.name = "y"}) {
    %w = sinter.read @w : tensor<300x40xf32>
    %y = sinter.matmul %x, %w : tensor<13x300xf32>, tensor<300x40xf32> -> tensor<13x40xf32>
    %r = sinter.relu %y : tensor<13x40xf32>
    return %r : tensor<13x40xf32>
  }
  func.func @transposed(%x: tensor<13x300xf32> {sinter.name = "x"}) -> (tensor<13x40xf32> {sinter.name = "y"}) {
    %w = sinter.read @wt : tensor<40x300xf32>
    %y = sinter.matmul %x, %w {transpose_b = true} : tensor<13x300xf32>, tensor<40x300xf32> -> tensor<13x40xf32>
    return %y : tensor<13x40xf32>
  }
}
