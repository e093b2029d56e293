//===- HostTensor.cpp - Aligned host tensors and their printing ----------===//
#include "sinter/runtime/Runtime.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <unistd.h>

namespace sinter::runtime {

namespace {

/// The machine's physical memory in bytes: no tensor can be larger.
size_t physicalMemory() {
  static const size_t bytes =
      static_cast<size_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return bytes;
}

std::shared_ptr<std::byte> allocateAligned(size_t bytes, const TensorSpec &spec) {
  // Round up: aligned_alloc wants a multiple of the alignment, and compiled code may use
  // full-width vector loads on the last elements.
  size_t rounded = std::max<size_t>(SINTER_BUFFER_ALIGNMENT, (bytes + SINTER_BUFFER_ALIGNMENT - 1) /
                                                                 SINTER_BUFFER_ALIGNMENT *
                                                                 SINTER_BUFFER_ALIGNMENT);
  void *p =
      rounded <= physicalMemory() ? std::aligned_alloc(SINTER_BUFFER_ALIGNMENT, rounded) : nullptr;
  if (!p)
    throw Error("tensor '" + spec.name + "' " + spec.shapeString() + ": cannot allocate " +
                std::to_string(bytes) + " bytes (the machine has " +
                std::to_string(physicalMemory()) + ")");
  std::memset(p, 0, rounded);
  return std::shared_ptr<std::byte>(static_cast<std::byte *>(p),
                                    [](std::byte *q) { std::free(q); });
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0) {
    float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31)
    return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

float bf16ToFloat(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

double elementAsDouble(const std::byte *p, DType dtype) {
  switch (dtype) {
  case DType::F32: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::F64: {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  case DType::F16:
  case DType::BF16: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return dtype == DType::F16 ? halfToFloat(v) : bf16ToFloat(v);
  }
  default:
    return 0;
  }
}

int64_t elementAsInt(const std::byte *p, DType dtype) {
  switch (dtype) {
  case DType::I64: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  case DType::I32: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::I16: {
    int16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  case DType::I8:
    return static_cast<int8_t>(*p);
  case DType::U8:
  case DType::Bool:
    return static_cast<uint8_t>(*p);
  default:
    return 0;
  }
}

/// Shortest text that reads back as the same value at the tensor's precision, in NumPy's
/// positional ("1.", "0.25") or scientific ("1.5e-05") style.
std::string formatFloat(double v, DType dtype, bool scientific) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v < 0 ? "-inf" : "inf";
  char buf[128];
  auto fmt = scientific ? std::chars_format::scientific : std::chars_format::fixed;
  std::to_chars_result r = dtype == DType::F64
                               ? std::to_chars(buf, buf + sizeof buf, v, fmt)
                               : std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), fmt);
  std::string s(buf, r.ptr);
  size_t e = s.find('e');
  if (s.find('.') == std::string::npos)
    s.insert(e == std::string::npos ? s.size() : e, ".");
  return s;
}

/// The printed index ranges of one dimension: all of it, or its two ends around "...".
struct DimView {
  int64_t size, head, tail;
  bool elided() const { return head + tail < size; }
};

class Printer {
public:
  Printer(const HostTensor &t, int maxElements) : t_(t) {
    int64_t edge = std::max(1, maxElements / 2);
    for (int64_t d : t.shape()) {
      bool elide = d > maxElements && d > 2 * edge;
      dims_.push_back({d, elide ? edge : d, elide ? edge : 0});
    }
    strides_.assign(dims_.size(), 1);
    for (int i = static_cast<int>(dims_.size()) - 2; i >= 0; --i)
      strides_[i] = strides_[i + 1] * dims_[i + 1].size;
  }

  std::string render() {
    collect(0, 0);
    // One notation for the whole tensor, chosen like NumPy does.
    bool scientific = false;
    if (isFloat(t_.dtype())) {
      double maxAbs = 0, minAbs = INFINITY;
      for (int64_t f : flat_) {
        double a = std::fabs(value(f));
        if (std::isfinite(a) && a != 0) {
          maxAbs = std::max(maxAbs, a);
          minAbs = std::min(minAbs, a);
        }
      }
      scientific = maxAbs >= 1e8 || (maxAbs > 0 && (minAbs < 1e-4 || maxAbs / minAbs > 1e3));
    }
    for (int64_t f : flat_)
      cells_.push_back(cell(f, scientific));
    // Align columns like NumPy: pad the integer part on the left and the fraction on the right.
    size_t intWidth = 0, fracWidth = 0;
    for (const std::string &s : cells_) {
      size_t dot = s.find('.');
      bool positional = dot != std::string::npos && s.find('e') == std::string::npos;
      intWidth = std::max(intWidth, positional ? dot : s.size());
      if (positional)
        fracWidth = std::max(fracWidth, s.size() - dot);
    }
    for (std::string &s : cells_) {
      size_t dot = s.find('.');
      bool positional = dot != std::string::npos && s.find('e') == std::string::npos;
      size_t ip = positional ? dot : s.size();
      size_t fp = positional ? s.size() - dot : 0;
      s = std::string(intWidth - std::min(intWidth, ip), ' ') + s +
          std::string(fracWidth - std::min(fracWidth, fp), ' ');
    }
    next_ = 0;
    std::string out;
    emit(0, 0, out, 6);
    return out;
  }

  std::string scalar() {
    const auto *p = static_cast<const std::byte *>(t_.data());
    DType d = t_.dtype();
    if (isFloat(d)) {
      double v = elementAsDouble(p, d);
      double a = std::fabs(v);
      std::string s = formatFloat(v, d, std::isfinite(a) && a != 0 && (a >= 1e16 || a < 1e-4));
      return s.back() == '.' ? s + "0" : s;
    }
    if (d == DType::Bool)
      return elementAsInt(p, d) ? "True" : "False";
    return std::to_string(elementAsInt(p, d));
  }

private:
  const std::byte *element(int64_t flat) const {
    return static_cast<const std::byte *>(t_.data()) + flat * dtypeSize(t_.dtype());
  }
  double value(int64_t flat) const { return elementAsDouble(element(flat), t_.dtype()); }

  std::string cell(int64_t flat, bool scientific) {
    const std::byte *p = element(flat);
    DType d = t_.dtype();
    if (isFloat(d))
      return formatFloat(elementAsDouble(p, d), d, scientific);
    if (d == DType::Bool)
      return elementAsInt(p, d) ? "True" : "False";
    return std::to_string(elementAsInt(p, d));
  }

  template <typename F> void forEachIndex(const DimView &v, F f) {
    for (int64_t i = 0; i < v.head; ++i)
      f(i, false);
    if (v.elided()) {
      f(-1, true);
      for (int64_t i = v.size - v.tail; i < v.size; ++i)
        f(i, false);
    }
  }

  void collect(size_t dim, int64_t base) {
    if (dim == dims_.size()) {
      flat_.push_back(base);
      return;
    }
    forEachIndex(dims_[dim], [&](int64_t i, bool dots) {
      if (!dots)
        collect(dim + 1, base + i * strides_[dim]);
    });
  }

  void emit(size_t dim, int64_t base, std::string &out, size_t indent) {
    if (dim == dims_.size()) {
      out += cells_[next_++];
      return;
    }
    out += "[";
    bool first = true;
    bool inner = dim + 1 == dims_.size();
    // Rows of a matrix go on separate lines; blocks of higher rank get blank lines between.
    std::string sep = inner ? ", "
                            : "," + std::string(dims_.size() - dim - 1, '\n') +
                                  std::string(indent + dim + 1, ' ');
    forEachIndex(dims_[dim], [&](int64_t i, bool dots) {
      if (!first)
        out += sep;
      first = false;
      if (dots)
        out += "...";
      else
        emit(dim + 1, base + i * strides_[dim], out, indent);
    });
    out += "]";
  }

  const HostTensor &t_;
  std::vector<DimView> dims_;
  std::vector<int64_t> strides_;
  std::vector<int64_t> flat_;
  std::vector<std::string> cells_;
  size_t next_ = 0;
};

} // namespace

HostTensor::HostTensor(TensorSpec spec)
    : spec_(std::move(spec)), storage_(allocateAligned(spec_.byteSize(), spec_)) {}

HostTensor::HostTensor(DType dtype, std::vector<int64_t> shape, std::string name)
    : HostTensor(TensorSpec{std::move(name), dtype, std::move(shape)}) {}

HostTensor HostTensor::clone() const {
  HostTensor copy(spec_);
  if (storage_)
    std::memcpy(copy.data(), data(), byteSize());
  return copy;
}

void HostTensor::checkElementSize(size_t size) const {
  if (size != dtypeSize(spec_.dtype))
    throw Error("tensor '" + spec_.name + "' of dtype " + dtypeName(spec_.dtype) +
                " viewed with an element type of " + std::to_string(size) + " bytes");
}

std::string HostTensor::toString(int maxElements) const {
  std::string head =
      "<tf.Tensor: shape=" + spec_.shapeString() + ", dtype=" + dtypeName(spec_.dtype) + ", numpy=";
  if (!storage_)
    return head + "None>";
  Printer printer(*this, std::max(1, maxElements));
  if (spec_.shape.empty())
    return head + printer.scalar() + ">";
  std::string body = "array(" + printer.render();
  // NumPy leaves out the default dtypes.
  if (spec_.dtype != DType::F64 && spec_.dtype != DType::I64 && spec_.dtype != DType::Bool)
    body += std::string(", dtype=") + dtypeName(spec_.dtype);
  else if (numElements() == 0)
    body += std::string(", dtype=") + dtypeName(spec_.dtype);
  return head + "\n" + body + ")>";
}

} // namespace sinter::runtime
