#include "sinter/runtime/Runtime.h"

#include <catch2/catch.hpp>

#include <cstdint>

using namespace sinter::runtime;

TEST_CASE("dtype sizes and names", "[runtime]") {
  REQUIRE(dtypeSize(DType::F32) == 4);
  REQUIRE(dtypeSize(DType::I64) == 8);
  REQUIRE(dtypeSize(DType::Bool) == 1);
  REQUIRE(dtypeSize(DType::BF16) == 2);
  REQUIRE(std::string(dtypeName(DType::F32)) == "float32");
  REQUIRE(std::string(dtypeName(DType::U8)) == "uint8");
  TensorSpec s{"t", DType::F64, {2, 3, 4}};
  REQUIRE(s.numElements() == 24);
  REQUIRE(s.byteSize() == 192);
  REQUIRE(s.shapeString() == "(2, 3, 4)");
  REQUIRE(TensorSpec{"", DType::F32, {5}}.shapeString() == "(5,)");
  REQUIRE(TensorSpec{"", DType::F32, {}}.numElements() == 1);
  // Sizes that overflow are errors, not a wrapped byte count.
  REQUIRE_THROWS_WITH((TensorSpec{"big", DType::F64, {int64_t(1) << 61}}.byteSize()),
                      Catch::Contains("'big' is too large"));
  REQUIRE_THROWS_WITH(
      (TensorSpec{"big", DType::F32, {int64_t(1) << 40, int64_t(1) << 40}}.numElements()),
      Catch::Contains("too large"));
  // The batch dimension: None when printed, sized per call.
  TensorSpec batch{"x", DType::F32, {-1, 3}};
  batch.batch = true;
  REQUIRE(batch.shapeString() == "(None, 3)");
  REQUIRE(batch.withBatch(5).byteSize() == 60);
  REQUIRE_THROWS_WITH(batch.byteSize(), Catch::Contains("batch dimension"));
}

TEST_CASE("host tensors are aligned, zeroed and share storage on copy", "[runtime]") {
  HostTensor t(DType::F32, {3, 5});
  REQUIRE(reinterpret_cast<uintptr_t>(t.data()) % SINTER_BUFFER_ALIGNMENT == 0);
  for (float v : t.as<float>())
    REQUIRE(v == 0.f);
  HostTensor view = t;
  view.as<float>()[2] = 7.f;
  REQUIRE(t.as<float>()[2] == 7.f);
  HostTensor copy = t.clone();
  copy.as<float>()[2] = 1.f;
  REQUIRE(t.as<float>()[2] == 7.f);
  REQUIRE_THROWS_AS(t.as<double>(), Error);
}

TEST_CASE("a tensor larger than the machine's memory is an Error naming it", "[runtime]") {
  CHECK_THROWS_WITH(HostTensor(DType::F32, {int64_t(1) << 40}, "huge"),
                    Catch::Contains("tensor 'huge'") && Catch::Contains("cannot allocate"));
}

TEST_CASE("toString looks like TensorFlow", "[runtime]") {
  HostTensor t(DType::F32, {2, 3});
  for (int i = 0; i < 6; ++i)
    t.as<float>()[i] = static_cast<float>(i + 1);
  REQUIRE(t.toString() == "<tf.Tensor: shape=(2, 3), dtype=float32, numpy=\n"
                          "array([[1., 2., 3.],\n"
                          "       [4., 5., 6.]], dtype=float32)>");

  HostTensor f(DType::F32, {3});
  f.as<float>()[0] = 0.5f;
  f.as<float>()[1] = -1.25f;
  f.as<float>()[2] = 10.f;
  REQUIRE(f.toString() == "<tf.Tensor: shape=(3,), dtype=float32, numpy=\n"
                          "array([ 0.5 , -1.25, 10.  ], dtype=float32)>");

  HostTensor sci(DType::F32, {2});
  sci.as<float>()[0] = 1e-5f;
  sci.as<float>()[1] = 1.f;
  REQUIRE(sci.toString() == "<tf.Tensor: shape=(2,), dtype=float32, numpy=\n"
                            "array([1.e-05, 1.e+00], dtype=float32)>");

  HostTensor i(DType::I64, {10});
  for (int k = 0; k < 10; ++k)
    i.as<int64_t>()[k] = k;
  REQUIRE(i.toString() == "<tf.Tensor: shape=(10,), dtype=int64, numpy=\n"
                          "array([0, 1, 2, ..., 7, 8, 9])>");

  HostTensor big(DType::I32, {8, 8});
  std::string s = big.toString();
  INFO(s);
  REQUIRE(s.find("[0, 0, 0, ..., 0, 0, 0],\n       ...,\n") != std::string::npos);

  HostTensor b(DType::Bool, {2});
  static_cast<uint8_t *>(b.data())[1] = 1;
  REQUIRE(b.toString() == "<tf.Tensor: shape=(2,), dtype=bool, numpy=\narray([False,  True])>");

  HostTensor scalar(DType::F32, {});
  scalar.as<float>()[0] = 3.f;
  REQUIRE(scalar.toString() == "<tf.Tensor: shape=(), dtype=float32, numpy=3.0>");

  HostTensor cube(DType::I32, {2, 1, 2});
  REQUIRE(cube.toString() == "<tf.Tensor: shape=(2, 1, 2), dtype=int32, numpy=\n"
                             "array([[[0, 0]],\n\n"
                             "       [[0, 0]]], dtype=int32)>");
}
