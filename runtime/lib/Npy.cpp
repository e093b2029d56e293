//===- Npy.cpp - NumPy .npy reader and writer -----------------------------===//
#include "sinter/runtime/Npy.h"

#include "sinter/runtime/File.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

namespace sinter::runtime {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

[[noreturn]] void fail(const std::string &path, const std::string &what) {
  throw Error("npy file '" + path + "': " + what);
}

const char *descrFor(DType d) {
  switch (d) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::F16:
    return "<f2";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::I16:
    return "<i2";
  case DType::I8:
    return "|i1";
  case DType::U8:
    return "|u1";
  case DType::Bool:
    return "|b1";
  case DType::BF16:
    return nullptr; // NumPy has no bfloat16
  }
  return nullptr;
}

bool dtypeFromDescr(std::string descr, DType &out) {
  // Single-byte types may be written with any byte-order mark.
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '>' || descr[0] == '=') &&
      descr[2] == '1')
    descr[0] = '|';
  if (descr.size() == 3 && descr[0] == '=')
    descr[0] = '<'; // native order; this runtime is little-endian only
  for (DType d : {DType::F32, DType::F64, DType::F16, DType::I32, DType::I64, DType::I16, DType::I8,
                  DType::U8, DType::Bool}) {
    if (descr == descrFor(d)) {
      out = d;
      return true;
    }
  }
  return false;
}

/// The value after `'key':` in the header dict, as raw text up to the matching delimiter.
std::string headerValue(const std::string &header, const std::string &key,
                        const std::string &path) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    k = header.find("\"" + key + "\"");
  if (k == std::string::npos)
    fail(path, "header has no '" + key + "' field");
  size_t colon = header.find(':', k + key.size() + 2);
  if (colon == std::string::npos)
    fail(path, "header field '" + key + "' is malformed");
  size_t v = header.find_first_not_of(" \t", colon + 1);
  if (v == std::string::npos)
    fail(path, "header field '" + key + "' is malformed");
  char open = header[v];
  size_t end;
  if (open == '\'' || open == '"') {
    end = header.find(open, v + 1);
    if (end == std::string::npos)
      fail(path, "header field '" + key + "' is malformed");
    return header.substr(v + 1, end - v - 1);
  }
  if (open == '(') {
    end = header.find(')', v);
    if (end == std::string::npos)
      fail(path, "header field '" + key + "' is malformed");
    return header.substr(v, end - v + 1);
  }
  end = header.find_first_of(",}", v);
  if (end == std::string::npos)
    fail(path, "header field '" + key + "' is malformed");
  std::string s = header.substr(v, end - v);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.pop_back();
  return s;
}

std::vector<int64_t> parseShape(const std::string &tuple, const std::string &path) {
  std::vector<int64_t> shape;
  std::string inner = tuple.substr(1, tuple.size() - 2);
  size_t pos = 0;
  while (pos < inner.size()) {
    size_t comma = inner.find(',', pos);
    std::string item =
        inner.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \tL");
    if (b != std::string::npos) {
      item = item.substr(b, e - b + 1);
      char *endp = nullptr;
      errno = 0;
      long long d = std::strtoll(item.c_str(), &endp, 10);
      if (errno || *endp || d < 0)
        fail(path, "bad shape " + tuple);
      shape.push_back(d);
    }
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  return shape;
}

} // namespace

HostTensor readNpy(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    fail(path, "not a regular file (a FIFO, device or directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(path, std::string("cannot open: ") + std::strerror(errno));
  char magic[kMagicSize + 2];
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, kMagicSize) != 0)
    fail(path, "not a .npy file (bad magic)");
  uint8_t major = static_cast<uint8_t>(magic[6]);
  uint32_t headerLen = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char *>(b), 2))
      fail(path, "truncated header");
    headerLen = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char *>(b), 4))
      fail(path, "truncated header");
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  } else {
    fail(path, "unsupported format version " + std::to_string(major));
  }
  if (headerLen > (1u << 24))
    fail(path, "header is implausibly large");
  std::string header(headerLen, '\0');
  if (!in.read(header.data(), headerLen))
    fail(path, "truncated header");
  // The format ends the header with '\n': a length field off by a byte would otherwise read
  // the data shifted by that byte.
  if (header.empty() || header.back() != '\n')
    fail(path, "the header does not end with a newline where its length field says (" +
                   std::to_string(headerLen) + " bytes)");

  std::string descr = headerValue(header, "descr", path);
  DType dtype;
  if (!dtypeFromDescr(descr, dtype))
    fail(path, "unsupported dtype '" + descr +
                   "' (supported: float32, float64, float16, int8, "
                   "int16, int32, int64, uint8, bool; little-endian)");
  if (headerValue(header, "fortran_order", path) != "False")
    fail(path, "Fortran-order arrays are not supported (save with a C-contiguous array)");
  std::string shapeText = headerValue(header, "shape", path);
  if (shapeText.empty() || shapeText.front() != '(')
    fail(path, "bad shape '" + shapeText + "'");

  std::string stem = std::filesystem::path(path).stem().string();
  TensorSpec spec{stem, dtype, parseShape(shapeText, path)};
  size_t bytes = 0;
  try {
    bytes = spec.byteSize();
  } catch (const Error &e) {
    fail(path, e.what());
  }
  // The data must be in the file before anything is allocated for it: a few-byte file
  // claiming a huge shape is an error, not an attempt to allocate it.
  std::streamoff start = in.tellg();
  in.seekg(0, std::ios::end);
  std::streamoff available = in.tellg() - start;
  in.seekg(start);
  if (start < 0 || available < 0 || static_cast<uint64_t>(available) < bytes)
    fail(path, "truncated data: expected " + std::to_string(bytes) + " bytes for shape " +
                   spec.shapeString() + ", the file has " +
                   std::to_string(std::max<std::streamoff>(available, 0)));
  HostTensor tensor(spec);
  if (!in.read(static_cast<char *>(tensor.data()), static_cast<std::streamsize>(bytes)))
    fail(path, "read error after " + std::to_string(in.gcount()) + " of " + std::to_string(bytes) +
                   " data bytes");
  return tensor;
}

void writeNpy(const std::string &path, const HostTensor &tensor) {
  const char *descr = descrFor(tensor.dtype());
  if (!descr)
    fail(path, std::string("cannot write dtype ") + dtypeName(tensor.dtype()));
  if (tensor.empty() && tensor.numElements() != 0)
    fail(path, "tensor has no storage");
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + tensor.spec().shapeString() + ", }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes; the header ends in '\n'.
  size_t prefix = kMagicSize + 2 + 2;
  bool v2 = false;
  size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  if (total - prefix > 0xffff) {
    v2 = true;
    prefix += 2;
    total = (prefix + header.size() + 1 + 63) / 64 * 64;
  }
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';

  std::string bytes(kMagic, kMagicSize);
  bytes += static_cast<char>(v2 ? 2 : 1);
  bytes += '\0';
  size_t len = header.size();
  for (int i = 0; i < (v2 ? 4 : 2); ++i)
    bytes += static_cast<char>((len >> (8 * i)) & 0xff);
  bytes += header;
  if (tensor.byteSize())
    bytes.append(static_cast<const char *>(tensor.data()), tensor.byteSize());
  writeFileAtomically(path, bytes, ".npy file");
}

} // namespace sinter::runtime
