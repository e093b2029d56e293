//===- DType.cpp - Element types and tensor specs -------------------------===//
#include "sinter/runtime/DTypeProto.h"
#include "sinter/runtime/Runtime.h"

#include <limits>

namespace sinter::runtime {

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
  case DType::I16:
    return 2;
  case DType::Bool:
  case DType::I8:
  case DType::U8:
    return 1;
  }
  throw Error("invalid dtype " + std::to_string(static_cast<int>(dtype)));
}

bool isFloat(DType dtype) {
  return dtype == DType::F32 || dtype == DType::F64 || dtype == DType::F16 || dtype == DType::BF16;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "float32";
  case DType::F64:
    return "float64";
  case DType::I32:
    return "int32";
  case DType::I64:
    return "int64";
  case DType::Bool:
    return "bool";
  case DType::F16:
    return "float16";
  case DType::BF16:
    return "bfloat16";
  case DType::I8:
    return "int8";
  case DType::I16:
    return "int16";
  case DType::U8:
    return "uint8";
  }
  return "invalid";
}

int64_t TensorSpec::numElements() const {
  if (batch)
    throw Error("tensor '" + name + "' has a batch dimension: its size depends on the call");
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw Error("tensor '" + name + "' has a negative dimension");
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      throw Error("tensor '" + name + "' is too large");
    n *= d;
  }
  return n;
}

size_t TensorSpec::byteSize() const {
  int64_t n = numElements();
  size_t element = dtypeSize(dtype);
  // (a shape of 2^61 float64 elements would wrap to 0 bytes and pass every size check)
  if (static_cast<uint64_t>(n) > std::numeric_limits<int64_t>::max() / element)
    throw Error("tensor '" + name + "' is too large (" + std::to_string(n) + " elements of " +
                std::to_string(element) + " bytes)");
  return static_cast<size_t>(n) * element;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += shape[i] == -1 ? "None" : std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

std::string TensorSpec::shapeString() const { return runtime::shapeString(shape); }

TensorSpec TensorSpec::withBatch(int64_t rows) const {
  TensorSpec spec = *this;
  if (batch) {
    spec.batch = false;
    spec.shape[0] = rows;
  }
  return spec;
}

::sinter::proto::DType toProto(DType d) {
  namespace pb = ::sinter::proto;
  switch (d) {
  case DType::F32:
    return pb::F32;
  case DType::F64:
    return pb::F64;
  case DType::I32:
    return pb::I32;
  case DType::I64:
    return pb::I64;
  case DType::Bool:
    return pb::BOOL;
  case DType::F16:
    return pb::F16;
  case DType::BF16:
    return pb::BF16;
  case DType::I8:
    return pb::I8;
  case DType::I16:
    return pb::I16;
  case DType::U8:
    return pb::U8;
  }
  return pb::DTYPE_INVALID;
}

std::optional<DType> fromProto(int d) {
  for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool, DType::F16,
                  DType::BF16, DType::I8, DType::I16, DType::U8})
    if (toProto(t) == d)
      return t;
  return std::nullopt;
}

} // namespace sinter::runtime
