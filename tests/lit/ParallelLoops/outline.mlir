// RUN: sinter-opt %s -split-input-file -sinter-outline-parallel-loops | FileCheck %s

// A large parallel loop becomes a range function over the iteration numbers of its first
// dimension, called once over all of them; inside, [lo, hi) becomes the bounds lower +
// [lo, hi) * step, clamped to the upper bound. The grain (rows worth a thread) is 2^19
// operations / the ops of one row (4,096 here).
// CHECK-LABEL: func.func @large
// CHECK: call @large__parallel0(%c0{{.*}}, %c512{{.*}}, %arg0, %arg1)
// CHECK-NOT: scf.parallel
// CHECK: func.func private @large__parallel0(%[[LO:.*]]: index, %[[HI:.*]]: index, %{{.*}}: memref<512x1024xf32>, %{{.*}}: memref<512x1024xf32>)
// CHECK-SAME: sinter.parallel_grain = 128
// CHECK: arith.muli %[[LO]]
// CHECK: %[[FROM:.*]] = arith.addi
// CHECK: arith.muli %[[HI]]
// CHECK: %[[TO:.*]] = arith.minsi
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%[[FROM]], %{{.*}}) to (%[[TO]], %{{.*}})
// CHECK: math.exp
func.func @large(%x: memref<512x1024xf32>, %y: memref<512x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %c1024 = arith.constant 1024 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c512, %c1024) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<512x1024xf32>
    %e = math.exp %v : f32
    memref.store %e, %y[%i, %j] : memref<512x1024xf32>
    scf.reduce
  }
  return
}

// -----

// Too little work for a second thread: the loop nest still leaves the function, whole, to run
// on the caller's thread; the function, now without loops, is marked as glue (compiled without
// optimization). Two identical loop nests share one function.
// CHECK-LABEL: func.func @small
// CHECK-SAME: sinter.glue
// CHECK: call @small__loop0(%arg0, %arg1)
// CHECK-NEXT: call @small__loop0(%arg1, %arg0)
// CHECK-NOT: scf.parallel
// CHECK: func.func private @small__loop0(%{{.*}}: memref<64x16xf32>, %{{.*}}: memref<64x16xf32>)
// CHECK-SAME: sinter.serial_loop
// CHECK: scf.parallel
// CHECK-NOT: @small__loop1
func.func @small(%x: memref<64x16xf32>, %y: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c16) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<64x16xf32>
    memref.store %v, %y[%i, %j] : memref<64x16xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c16) step (%c1, %c1) {
    %v = memref.load %y[%i, %j] : memref<64x16xf32>
    memref.store %v, %x[%i, %j] : memref<64x16xf32>
    scf.reduce
  }
  return
}

// -----

// A loop that yields a value stays inline, and its function is not glue.
// CHECK-LABEL: func.func @yields(
// CHECK-NOT: sinter.glue
// CHECK: scf.for
// CHECK-NOT: call
func.func @yields(%x: memref<16xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %c16 step %c1 iter_args(%acc = %zero) -> f32 {
    %e = memref.load %x[%i] : memref<16xf32>
    %n = arith.addf %acc, %e : f32
    scf.yield %n : f32
  }
  return %s : f32
}

// -----

// A strided view travels as its base buffer plus the metadata its type leaves dynamic and is
// rebuilt inside; the outlined dimension is the first with more than one iteration; an inner
// reduction loop counts into the work of a row.
// CHECK-LABEL: func.func @view
// CHECK: %[[BASE:[a-z_0-9]+]], %[[OFF:[a-z_0-9]+]], %{{.*}} = memref.extract_strided_metadata
// CHECK: call @view__parallel0(%{{.*}}, %{{.*}}, %[[BASE]], %[[OFF]], %arg2)
// CHECK: func.func private @view__parallel0(%{{.*}}: index, %{{.*}}: index, %[[B:.*]]: memref<f32>, %[[O:.*]]: index, %{{.*}}: memref<1x256xf32>)
// CHECK: memref.reinterpret_cast %[[B]] to offset: [%[[O]]], sizes: [1, 256, 3000], strides: [3072000, 6000, 2]
// CHECK: scf.for
func.func @view(%x: memref<1x512x6000xf32>, %k: index, %out: memref<1x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %c3000 = arith.constant 3000 : index
  %v = memref.subview %x[0, %k, 0] [1, 256, 3000] [1, 1, 2]
      : memref<1x512x6000xf32> to memref<1x256x3000xf32, strided<[3072000, 6000, 2], offset: ?>>
  scf.parallel (%b, %i) = (%c0, %c0) to (%c1, %c256) step (%c1, %c1) {
    %zero = arith.constant 0.0 : f32
    %s = scf.for %j = %c0 to %c3000 step %c1 iter_args(%acc = %zero) -> f32 {
      %e = memref.load %v[%b, %i, %j] : memref<1x256x3000xf32, strided<[3072000, 6000, 2], offset: ?>>
      %n = arith.addf %acc, %e : f32
      scf.yield %n : f32
    }
    memref.store %s, %out[%b, %i] : memref<1x256xf32>
    scf.reduce
  }
  return
}

// -----

// A loop with a step (a tiled loop over blocks of rows): the range counts blocks.
// CHECK-LABEL: func.func @stepped
// CHECK: call @stepped__parallel0(%c0{{.*}}, %c4096{{.*}}, %arg0)
// CHECK: func.func private @stepped__parallel0(%[[LO:.*]]: index, %[[HI:.*]]: index
// CHECK: %[[STEP:.*]] = arith.constant 4 : index
// CHECK: arith.muli %[[LO]], %[[STEP]]
func.func @stepped(%x: memref<16384x1000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c1000 = arith.constant 1000 : index
  %c16384 = arith.constant 16384 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c16384) step (%c4) {
    scf.for %j = %c0 to %c1000 step %c1 {
      memref.store %one, %x[%i, %j] : memref<16384x1000xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A batch-sized loop (upper bound known only at run time) is outlined whatever its size; the
// trip count is computed at the call, the bound travels into the body, and the runtime keeps
// small ranges on the calling thread. Grain: 2^19 / (1024 × 3 ops per row) = 171.
// CHECK-LABEL: func.func @batch(
// CHECK-SAME: %[[N:.*]]: index
// CHECK: %[[SPAN:.*]] = arith.subi %[[N]], %c0
// CHECK: %[[TRIPS:.*]] = arith.ceildivsi %[[SPAN]]
// CHECK: %[[COUNT:.*]] = arith.maxsi %{{.*}}, %[[TRIPS]]
// CHECK: call @batch__parallel0(%{{.*}}, %[[COUNT]], {{.*}}, %[[N]])
// CHECK: func.func private @batch__parallel0({{.*}}, %[[UB:.*]]: index)
// CHECK-SAME: sinter.parallel_grain = 171
// CHECK: arith.minsi %[[UB]]
func.func @batch(%n: index, %x: memref<?x1024xf32>, %y: memref<?x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c1024) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<?x1024xf32>
    memref.store %v, %y[%i, %j] : memref<?x1024xf32>
    scf.reduce
  }
  return
}
