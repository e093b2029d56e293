// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), table-driven, as used by
// TFRecord framing and Sinter's checkpoint files.
#ifndef SINTER_IO_CRC32C_H
#define SINTER_IO_CRC32C_H

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sinter::io {

/// CRC32C of `size` bytes; pass a previous result as `crc` to continue a running checksum.
/// crc32c("123456789") == 0xE3069283.
uint32_t crc32c(const void *data, size_t size, uint32_t crc = 0);
inline uint32_t crc32c(std::string_view bytes) { return crc32c(bytes.data(), bytes.size()); }

/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
inline uint32_t maskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t unmaskCrc(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

} // namespace sinter::io

#endif
