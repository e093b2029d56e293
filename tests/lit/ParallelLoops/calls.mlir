// RUN: sinter-opt %s -sinter-parallel-calls | FileCheck %s

// After the LLVM lowering, the call of an outlined loop body becomes a sinter_parallel_for
// call: the captured values go into a context struct on the stack, and a trampoline unpacks
// them for each chunk [lo, hi).
// CHECK: llvm.func @sinter_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64, i64)
// CHECK-LABEL: llvm.func @entry
// CHECK: llvm.alloca %{{.*}} x !llvm.struct<(ptr, f32)>
// CHECK: llvm.getelementptr %[[CTX:.*]][0, 0]
// CHECK: llvm.store %arg0, %{{.*}} : !llvm.ptr, !llvm.ptr
// CHECK: llvm.store %arg1, %{{.*}} : f32, !llvm.ptr
// CHECK: %[[TASK:.*]] = llvm.mlir.addressof @body_task
// CHECK: %[[GRAIN:.*]] = llvm.mlir.constant(8 : i64)
// CHECK: llvm.call @sinter_parallel_for(%[[TASK]], %[[CTX]], %{{.*}}, %{{.*}}, %[[GRAIN]])
// A second call of the same body (merged loop nests) shares its trampoline.
// CHECK: llvm.mlir.addressof @body_task
// CHECK: llvm.call @sinter_parallel_for(
// CHECK-NOT: llvm.call @body(
// CHECK: llvm.func internal @body(
// CHECK-NOT: sinter.parallel_grain
// CHECK: llvm.func internal @body_task(%[[C:.*]]: !llvm.ptr, %[[LO:.*]]: i64, %[[HI:.*]]: i64)
// CHECK: llvm.call @body(%[[LO]], %[[HI]], %{{.*}}, %{{.*}}) : (i64, i64, !llvm.ptr, f32) -> ()
llvm.func @entry(%buf: !llvm.ptr, %scale: f32) {
  %lo = llvm.mlir.constant(0 : i64) : i64
  %hi = llvm.mlir.constant(4096 : i64) : i64
  llvm.call @body(%lo, %hi, %buf, %scale) : (i64, i64, !llvm.ptr, f32) -> ()
  llvm.call @body(%lo, %hi, %buf, %scale) : (i64, i64, !llvm.ptr, f32) -> ()
  llvm.return
}
llvm.func @body(%lo: i64, %hi: i64, %buf: !llvm.ptr, %scale: f32) attributes {sinter.parallel_grain = 8 : i64} {
  llvm.return
}

// A loop nest outlined to run on the caller's thread stays out of line (LLVM would inline a
// function called once), and a function of calls only is compiled without optimization.
// CHECK-LABEL: llvm.func @glue()
// CHECK-SAME: no_inline
// CHECK-SAME: optimize_none
// CHECK-NOT: sinter.glue
// CHECK-LABEL: llvm.func @serial()
// CHECK-SAME: no_inline
// CHECK-NOT: optimize_none
// CHECK-NOT: sinter.serial_loop
llvm.func @glue() attributes {sinter.glue} {
  llvm.call @serial() : () -> ()
  llvm.return
}
llvm.func @serial() attributes {sinter.serial_loop} {
  llvm.return
}
