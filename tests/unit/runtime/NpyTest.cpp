#include "sinter/runtime/Npy.h"

#include <catch2/catch.hpp>

#include <thread>

#include <cstdio>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>

using namespace sinter::runtime;
namespace fs = std::filesystem;

namespace {

std::string tmpPath(const std::string &name) {
  fs::create_directories(SINTER_TEST_TMP);
  return (fs::path(SINTER_TEST_TMP) / name).string();
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// A hand-made .npy file with the given header dict and data bytes.
std::string npyFile(const std::string &dict, const std::string &data, int version = 1) {
  std::string header = dict;
  size_t prefix = version == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6) + char(version) + '\0';
  uint32_t len = header.size();
  out += char(len & 0xff);
  out += char((len >> 8) & 0xff);
  if (version != 1) {
    out += char((len >> 16) & 0xff);
    out += char(len >> 24);
  }
  return out + header + data;
}

bool messageHas(const Error &e, const std::string &what) {
  return std::string(e.what()).find(what) != std::string::npos;
}

} // namespace

TEST_CASE("npy round-trips every supported dtype", "[npy]") {
  for (DType d : {DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool, DType::U8, DType::I8,
                  DType::I16, DType::F16}) {
    INFO(dtypeName(d));
    HostTensor t(d, {2, 3, 1});
    auto *bytes = static_cast<uint8_t *>(t.data());
    for (size_t i = 0; i < t.byteSize(); ++i)
      bytes[i] = d == DType::Bool ? (i % 2) : static_cast<uint8_t>(i * 37 + 1);
    std::string path = tmpPath(std::string("rt_") + dtypeName(d) + ".npy");
    writeNpy(path, t);
    HostTensor back = readNpy(path);
    REQUIRE(back.dtype() == d);
    REQUIRE(back.shape() == std::vector<int64_t>{2, 3, 1});
    REQUIRE(std::memcmp(back.data(), t.data(), t.byteSize()) == 0);
    // The data starts at a 64-byte boundary, as NumPy writes it.
    REQUIRE((readBytes(path).size() - t.byteSize()) % 64 == 0);
  }
  HostTensor scalar(DType::F64, {});
  scalar.as<double>()[0] = 2.5;
  writeNpy(tmpPath("scalar.npy"), scalar);
  HostTensor s = readNpy(tmpPath("scalar.npy"));
  REQUIRE(s.shape().empty());
  REQUIRE(s.as<double>()[0] == 2.5);
  HostTensor empty(DType::F32, {0, 4});
  writeNpy(tmpPath("empty.npy"), empty);
  REQUIRE(readNpy(tmpPath("empty.npy")).shape() == std::vector<int64_t>{0, 4});
}

TEST_CASE("npy reads NumPy's own header spellings and version 2.0", "[npy]") {
  float data[3] = {1, 2, 3};
  std::string raw(reinterpret_cast<char *>(data), sizeof data);
  writeBytes(tmpPath("v2.npy"),
             npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", raw, 2));
  HostTensor t = readNpy(tmpPath("v2.npy"));
  REQUIRE(t.shape() == std::vector<int64_t>{3});
  REQUIRE(t.as<float>()[2] == 3.f);
  REQUIRE(t.spec().name == "v2");
  writeBytes(tmpPath("order.npy"),
             npyFile("{'shape': (1, 3), 'fortran_order': False, 'descr': '<f4'}", raw));
  REQUIRE(readNpy(tmpPath("order.npy")).shape() == std::vector<int64_t>{1, 3});
}

TEST_CASE("npy rejects bad files with clear errors", "[npy]") {
  auto expectError = [](const std::string &path, const std::string &what) {
    try {
      readNpy(path);
      FAIL("no error for " << path);
    } catch (const Error &e) {
      INFO(e.what());
      REQUIRE(messageHas(e, what));
      REQUIRE(messageHas(e, path));
    }
  };
  expectError(tmpPath("does_not_exist.npy"), "cannot open");
  writeBytes(tmpPath("magic.npy"), "PK\x03\x04 this is a zip");
  expectError(tmpPath("magic.npy"), "bad magic");
  float data[4] = {};
  std::string raw(reinterpret_cast<char *>(data), sizeof data);
  // Files of 16 data bytes with these headers, and what their errors say. The huge one: a small
  // file claiming a huge array is refused before anything is allocated; sizes that overflow are
  // refused too.
  const struct {
    const char *file, *header, *error;
  } badHeaders[] = {
      {"fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "Fortran"},
      {"bigendian.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }",
       "unsupported dtype '>f4'"},
      {"complex.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }",
       "unsupported dtype"},
      {"truncated.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
       "truncated data"},
      {"huge.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100), }",
       "truncated data: expected 8000000000000 bytes"},
      {"overflow.npy",
       "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }", "too large"},
  };
  for (const auto &bad : badHeaders) {
    writeBytes(tmpPath(bad.file), npyFile(bad.header, raw));
    expectError(tmpPath(bad.file), bad.error);
  }
  // A FIFO or a device: refused, not read forever.
  std::string fifo = tmpPath("x.fifo");
  std::remove(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  expectError(fifo, "not a regular file");
  std::remove(fifo.c_str());
  try {
    readNpy("/dev/zero");
    FAIL("no error for /dev/zero");
  } catch (const Error &e) {
    REQUIRE(messageHas(e, "not a regular file"));
  }
  writeBytes(tmpPath("header.npy"), std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 17));
  expectError(tmpPath("header.npy"), "truncated header");
  // A header length one byte short or long: the data would be read shifted by that byte.
  std::string good =
      npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", raw + "x");
  for (int delta : {-1, 1}) {
    std::string shifted = good;
    shifted[8] = static_cast<char>(static_cast<unsigned char>(shifted[8]) + delta);
    writeBytes(tmpPath("shifted.npy"), shifted);
    expectError(tmpPath("shifted.npy"), "does not end with a newline");
  }

  HostTensor bf(DType::BF16, {2});
  REQUIRE_THROWS_AS(writeNpy(tmpPath("bf16.npy"), bf), Error);
  HostTensor ok(DType::F32, {2});
  REQUIRE_THROWS_AS(writeNpy(tmpPath("no_such_dir/x.npy"), ok), Error);
}

TEST_CASE("npy writes atomically", "[npy]") {
  std::string path = tmpPath("atomic.npy");
  HostTensor a(DType::I32, {4});
  a.as<int32_t>()[0] = 1;
  writeNpy(path, a);
  a.as<int32_t>()[0] = 2;
  writeNpy(path, a);
  REQUIRE(readNpy(path).as<int32_t>()[0] == 2);
  for (const auto &entry : fs::directory_iterator(SINTER_TEST_TMP))
    REQUIRE(entry.path().filename().string().find(".tmp.") == std::string::npos);
}

TEST_CASE("two writers of one path never mix their files", "[npy][files]") {
  // Each writer has its own temporary file, so whichever rename comes last leaves one whole
  // file (with one shared temporary name, a writer could truncate and overwrite the other's).
  std::string path = tmpPath("contested.npy");
  auto writer = [&](int32_t value) {
    HostTensor t(DType::I32, {20000});
    for (int32_t &v : t.as<int32_t>())
      v = value;
    for (int i = 0; i < 30; ++i)
      writeNpy(path, t);
  };
  std::thread a(writer, 1), b(writer, 2);
  a.join();
  b.join();
  HostTensor back = readNpy(path);
  int32_t first = back.as<int32_t>()[0];
  REQUIRE((first == 1 || first == 2));
  for (int32_t v : back.as<int32_t>())
    REQUIRE(v == first);
  for (const auto &entry : fs::directory_iterator(SINTER_TEST_TMP))
    REQUIRE(entry.path().filename().string().find(".tmp.") == std::string::npos);
}
