// Atomic file writes (temporary file, fsync, rename, fsync of the folder).
#include "sinter/runtime/File.h"

#include "sinter/runtime/Runtime.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace sinter::runtime {

namespace {
std::string errnoText() { return std::strerror(errno); }
} // namespace

std::string readFile(const std::string &path, const std::string &what, bool allowEmpty) {
  auto fail = [&](const std::string &why) { return Error(what + " '" + path + "': " + why); };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw fail("no such file");
  if (!std::filesystem::is_regular_file(path, ec))
    throw fail("not a regular file (a FIFO, device or directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw fail("cannot open (unreadable)");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad())
    throw fail("read error");
  if (bytes.empty() && !allowEmpty)
    throw fail("the file is empty");
  return bytes;
}

std::string temporaryPathFor(const std::string &path) {
  static std::atomic<uint64_t> next{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(next++);
}

void writeFileAtomically(const std::string &path, const std::string &bytes,
                         const std::string &what) {
  std::string tmp = temporaryPathFor(path);
  auto fail = [&](const std::string &why) {
    return Error("cannot write " + what + " '" + path + "': " + why +
                 " (the previous file, if any, is unchanged)");
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    throw fail("cannot create temporary file '" + tmp + "': " + errnoText());
  auto abandon = [&](const std::string &why) {
    std::string message = why + ": " + errnoText();
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(message);
  };
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw abandon("writing '" + tmp + "' failed after " + std::to_string(written) + " of " +
                    std::to_string(bytes.size()) + " bytes");
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0)
    throw abandon("fsync of '" + tmp + "' failed");
  if (::close(fd) != 0) {
    std::string message = "closing '" + tmp + "' failed: " + errnoText();
    ::unlink(tmp.c_str());
    throw fail(message);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string message = "renaming '" + tmp + "' failed: " + errnoText();
    ::unlink(tmp.c_str());
    throw fail(message);
  }
  // Make the rename itself durable.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

} // namespace sinter::runtime
