// Little-endian integer fields, as the checkpoint and TensorBoard event formats store them.
#ifndef SINTER_IO_LITTLEENDIAN_H
#define SINTER_IO_LITTLEENDIAN_H

#include <cstdint>
#include <string>

namespace sinter::io {

/// Appends the low `bytes` bytes of `v`, least significant first.
inline void putLE(std::string &out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

/// Reads `bytes` bytes at `p`, least significant first.
inline uint64_t getLE(const char *p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

} // namespace sinter::io

#endif
