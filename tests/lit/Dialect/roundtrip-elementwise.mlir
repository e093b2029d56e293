// Round trip of the elementwise ops, random and input: custom assembly prints back the same
// (operands, attributes, types), also through a second parse and the generic form.

// RUN: sinter-opt %s | FileCheck %s
// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s -mlir-print-op-generic | sinter-opt | FileCheck %s

// The elementwise ops (unary, binary, logical), the sources random and input: their custom
// assembly parses and prints back the same, for float, signed, unsigned and bool tensors.

// CHECK-LABEL: func.func @unary_float(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>)
func.func @unary_float(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[NEG:.*]] = sinter.neg %[[X]] : tensor<2x3xf32>
  %neg = sinter.neg %x : tensor<2x3xf32>
  // CHECK: %[[EXP:.*]] = sinter.exp %[[NEG]] : tensor<2x3xf32>
  %exp = sinter.exp %neg : tensor<2x3xf32>
  // CHECK: %[[LOG:.*]] = sinter.log %[[EXP]] : tensor<2x3xf32>
  %log = sinter.log %exp : tensor<2x3xf32>
  // CHECK: %[[SQRT:.*]] = sinter.sqrt %[[LOG]] : tensor<2x3xf32>
  %sqrt = sinter.sqrt %log : tensor<2x3xf32>
  // CHECK: %[[TANH:.*]] = sinter.tanh %[[SQRT]] : tensor<2x3xf32>
  %tanh = sinter.tanh %sqrt : tensor<2x3xf32>
  // CHECK: %[[SIG:.*]] = sinter.sigmoid %[[TANH]] : tensor<2x3xf32>
  %sig = sinter.sigmoid %tanh : tensor<2x3xf32>
  // CHECK: %[[ABS:.*]] = sinter.abs %[[SIG]] : tensor<2x3xf32>
  %abs = sinter.abs %sig : tensor<2x3xf32>
  // CHECK: %[[SIN:.*]] = sinter.sin %[[ABS]] : tensor<2x3xf32>
  %sin = sinter.sin %abs : tensor<2x3xf32>
  // CHECK: %[[COS:.*]] = sinter.cos %[[SIN]] : tensor<2x3xf32>
  %cos = sinter.cos %sin : tensor<2x3xf32>
  // CHECK: %[[TAN:.*]] = sinter.tan %[[COS]] : tensor<2x3xf32>
  %tan = sinter.tan %cos : tensor<2x3xf32>
  // CHECK: %[[FLOOR:.*]] = sinter.floor %[[TAN]] : tensor<2x3xf32>
  %floor = sinter.floor %tan : tensor<2x3xf32>
  // CHECK: %[[CEIL:.*]] = sinter.ceil %[[FLOOR]] : tensor<2x3xf32>
  %ceil = sinter.ceil %floor : tensor<2x3xf32>
  // CHECK: %[[ROUND:.*]] = sinter.round %[[CEIL]] : tensor<2x3xf32>
  %round = sinter.round %ceil : tensor<2x3xf32>
  // CHECK: %[[SIGN:.*]] = sinter.sign %[[ROUND]] : tensor<2x3xf32>
  %sign = sinter.sign %round : tensor<2x3xf32>
  // CHECK: %[[STOP:.*]] = sinter.stop_gradient %[[SIGN]] : tensor<2x3xf32>
  %stop = sinter.stop_gradient %sign : tensor<2x3xf32>
  // CHECK: return %[[STOP]] : tensor<2x3xf32>
  return %stop : tensor<2x3xf32>
}

// neg, abs, sign and stop_gradient take any dtype.
// CHECK-LABEL: func.func @unary_integer(
// CHECK-SAME: %[[I:.*]]: tensor<4xi32>, %[[U:.*]]: tensor<4xui8>)
func.func @unary_integer(%i: tensor<4xi32>, %u: tensor<4xui8>) -> (tensor<4xi32>, tensor<4xui8>) {
  // CHECK: %[[NEG:.*]] = sinter.neg %[[I]] : tensor<4xi32>
  %neg = sinter.neg %i : tensor<4xi32>
  // CHECK: %[[ABS:.*]] = sinter.abs %[[NEG]] : tensor<4xi32>
  %abs = sinter.abs %neg : tensor<4xi32>
  // CHECK: %[[SIGN:.*]] = sinter.sign %[[ABS]] : tensor<4xi32>
  %sign = sinter.sign %abs : tensor<4xi32>
  // CHECK: %[[STOP:.*]] = sinter.stop_gradient %[[U]] : tensor<4xui8>
  %stop = sinter.stop_gradient %u : tensor<4xui8>
  // CHECK: return %[[SIGN]], %[[STOP]] : tensor<4xi32>, tensor<4xui8>
  return %sign, %stop : tensor<4xi32>, tensor<4xui8>
}

// CHECK-LABEL: func.func @binary(
// CHECK-SAME: %[[A:.*]]: tensor<?x3xf64>, %[[B:.*]]: tensor<?x3xf64>, %[[I:.*]]: tensor<5xi64>, %[[J:.*]]: tensor<5xi64>, %[[U:.*]]: tensor<5xui8>)
func.func @binary(%a: tensor<?x3xf64>, %b: tensor<?x3xf64>, %i: tensor<5xi64>, %j: tensor<5xi64>,
                  %u: tensor<5xui8>) -> (tensor<?x3xf64>, tensor<5xi64>, tensor<5xui8>) {
  // CHECK: %[[SUB:.*]] = sinter.sub %[[A]], %[[B]] : tensor<?x3xf64>
  %sub = sinter.sub %a, %b : tensor<?x3xf64>
  // CHECK: %[[MUL:.*]] = sinter.mul %[[SUB]], %[[B]] : tensor<?x3xf64>
  %mul = sinter.mul %sub, %b : tensor<?x3xf64>
  // CHECK: %[[DIV:.*]] = sinter.div %[[MUL]], %[[A]] : tensor<?x3xf64>
  %div = sinter.div %mul, %a : tensor<?x3xf64>
  // CHECK: %[[POW:.*]] = sinter.pow %[[DIV]], %[[B]] : tensor<?x3xf64>
  %pow = sinter.pow %div, %b : tensor<?x3xf64>
  // CHECK: %[[MAX:.*]] = sinter.maximum %[[POW]], %[[A]] : tensor<?x3xf64>
  %max = sinter.maximum %pow, %a : tensor<?x3xf64>
  // CHECK: %[[MIN:.*]] = sinter.minimum %[[MAX]], %[[B]] : tensor<?x3xf64>
  %min = sinter.minimum %max, %b : tensor<?x3xf64>
  // CHECK: %[[FDIV:.*]] = sinter.floordiv %[[MIN]], %[[B]] : tensor<?x3xf64>
  %fdiv = sinter.floordiv %min, %b : tensor<?x3xf64>
  // CHECK: %[[MOD:.*]] = sinter.mod %[[FDIV]], %[[B]] : tensor<?x3xf64>
  %mod = sinter.mod %fdiv, %b : tensor<?x3xf64>
  // CHECK: %[[IMOD:.*]] = sinter.mod %[[I]], %[[J]] : tensor<5xi64>
  %imod = sinter.mod %i, %j : tensor<5xi64>
  // CHECK: %[[IFDIV:.*]] = sinter.floordiv %[[IMOD]], %[[J]] : tensor<5xi64>
  %ifdiv = sinter.floordiv %imod, %j : tensor<5xi64>
  // CHECK: %[[IPOW:.*]] = sinter.pow %[[IFDIV]], %[[J]] : tensor<5xi64>
  %ipow = sinter.pow %ifdiv, %j : tensor<5xi64>
  // CHECK: %[[UMAX:.*]] = sinter.maximum %[[U]], %[[U]] : tensor<5xui8>
  %umax = sinter.maximum %u, %u : tensor<5xui8>
  // CHECK: %[[UDIV:.*]] = sinter.div %[[UMAX]], %[[U]] : tensor<5xui8>
  %udiv = sinter.div %umax, %u : tensor<5xui8>
  // CHECK: return %[[MOD]], %[[IPOW]], %[[UDIV]] : tensor<?x3xf64>, tensor<5xi64>, tensor<5xui8>
  return %mod, %ipow, %udiv : tensor<?x3xf64>, tensor<5xi64>, tensor<5xui8>
}

// CHECK-LABEL: func.func @logical(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>, %[[M:.*]]: tensor<2x3xi1>)
func.func @logical(%x: tensor<2x3xf32>, %m: tensor<2x3xi1>) -> tensor<2x3xi1> {
  // CHECK: %[[NAN:.*]] = sinter.is_nan %[[X]] : tensor<2x3xf32>
  %nan = sinter.is_nan %x : tensor<2x3xf32>
  // CHECK: %[[NOT:.*]] = sinter.not %[[NAN]] : tensor<2x3xi1>
  %not = sinter.not %nan : tensor<2x3xi1>
  // CHECK: %[[AND:.*]] = sinter.and %[[NOT]], %[[M]] : tensor<2x3xi1>
  %and = sinter.and %not, %m : tensor<2x3xi1>
  // CHECK: %[[OR:.*]] = sinter.or %[[AND]], %[[NAN]] : tensor<2x3xi1>
  %or = sinter.or %and, %nan : tensor<2x3xi1>
  // CHECK: %[[CMP:.*]] = sinter.compare "le", %[[X]], %[[X]] : tensor<2x3xf32>
  %cmp = sinter.compare "le", %x, %x : tensor<2x3xf32>
  // CHECK: %[[SEL:.*]] = sinter.select %[[OR]], %[[CMP]], %[[M]] : tensor<2x3xi1>, tensor<2x3xi1>
  %sel = sinter.select %or, %cmp, %m : tensor<2x3xi1>, tensor<2x3xi1>
  // CHECK: return %[[SEL]]
  return %sel : tensor<2x3xi1>
}

// CHECK-LABEL: func.func @sources(
// CHECK-SAME: %[[STEP:.*]]: tensor<i64>)
func.func @sources(%step: tensor<i64>) -> (tensor<4xf64>, tensor<?x3xf32>, tensor<2x2xi32>) {
  // CHECK: %[[R:.*]] = sinter.random "uniform" offset %[[STEP]] : tensor<i64> {a = -1.000000e+00 : f64, b = 1.000000e+00 : f64, seed = 3 : i64} : tensor<4xf64>
  %r = sinter.random "uniform" offset %step : tensor<i64> {a = -1.0 : f64, b = 1.0 : f64, seed = 3 : i64} : tensor<4xf64>
  // CHECK: sinter.random "truncated_normal" {a = 0.000000e+00 : f64, b = 5.000000e-01 : f64, seed = 9 : i64} : tensor<3xf32>
  %t = sinter.random "truncated_normal" {a = 0.0 : f64, b = 0.5 : f64, seed = 9 : i64} : tensor<3xf32>
  // CHECK: %[[IN:.*]] = sinter.input "x" : tensor<?x3xf32>
  %in = sinter.input "x" : tensor<?x3xf32>
  // CHECK: %[[C:.*]] = sinter.cast %[[IN]] : tensor<?x3xf32> -> tensor<?x3xf64>
  %c = sinter.cast %in : tensor<?x3xf32> -> tensor<?x3xf64>
  // CHECK: %[[K:.*]] = sinter.constant dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi32>
  %k = sinter.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  // CHECK: return %[[R]], %[[IN]], %[[K]]
  return %r, %in, %k : tensor<4xf64>, tensor<?x3xf32>, tensor<2x2xi32>
}
