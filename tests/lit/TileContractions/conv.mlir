// RUN: env SINTER_GENERATED_ONLY=1 sinter-opt %s -sinter-to-linalg -sinter-fuse-elementwise -one-shot-bufferize="unknown-type-conversion=identity-layout-map" -canonicalize -sinter-tile-contractions | FileCheck %s

// A generated convolution (loops n, i, j, g | a, b, c | o) is left whole by fusion (the ReLU
// stays a loop of its own) and tiled after bufferization: for each (n, i, g) of an
// scf.parallel, six output columns at a time carry their sums in registers through the three
// window loops — a strip of 16 channels, then the other 4 as one narrower vector — and the last
// two of the 8 columns one at a time.

// CHECK-LABEL: func.func @conv(
// CHECK: scf.parallel (%[[N:.*]], %[[I:.*]], %[[G:.*]]) =
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %c6{{.*}} step %c6
// CHECK: %[[S:.*]]:6 = scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.load %{{.*}}[{{.*}}] : memref<3x3x3x1x20xf32>, vector<16xf32>
// CHECK: memref.load %{{.*}}[{{.*}}] : memref<2x10x10x1x3xf32>
// CHECK-COUNT-6: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.store %[[S]]#0, %{{.*}}[%[[N]], %[[I]], %[[J]], %[[G]], %c0{{.*}}] : memref<2x8x8x1x20xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK-COUNT-6: vector.fma {{.*}} : vector<4xf32>
// CHECK: scf.for %{{.*}} = %c6{{.*}} to %c8{{.*}} step %c1
// CHECK: scf.for {{.*}} -> (vector<16xf32>)
// CHECK: scf.for {{.*}} -> (vector<4xf32>)
// CHECK: scf.reduce
// CHECK-NOT: vector.fma
// CHECK: arith.maximumf
module @m {
  func.func @conv(%x: tensor<2x8x8x3xf32> {sinter.name = "x"}, %w: tensor<3x3x3x20xf32> {sinter.name = "w"}) -> (tensor<2x8x8x20xf32> {sinter.name = "y"}) {
    %y = sinter.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64} : tensor<2x8x8x3xf32>, tensor<3x3x3x20xf32> -> tensor<2x8x8x20xf32>
    %r = sinter.relu %y : tensor<2x8x8x20xf32>
    return %r : tensor<2x8x8x20xf32>
  }
}
