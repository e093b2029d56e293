// Reading whole files, and writing them so that a crash or a full disk never leaves a
// half-written one: every file Sinter writes (models, checkpoints, .npy, pictures) goes
// through here.
#ifndef SINTER_RUNTIME_FILE_H
#define SINTER_RUNTIME_FILE_H

#include <string>

namespace sinter::runtime {

/// Writes `bytes` to a new temporary file beside `path` (temporaryPathFor), fsyncs it, renames
/// it over `path` and fsyncs the folder. On failure throws Error naming `what`, the path and
/// the cause; the previous file, if any, is unchanged and no temporary file is left behind.
/// Two writers of one path never share a temporary file: the last rename wins, whole.
void writeFileAtomically(const std::string &path, const std::string &bytes,
                         const std::string &what = "file");

/// The whole content of a regular file. Throws Error "<what> '<path>': ..." when it does not
/// exist, is not a regular file (a FIFO or device would block or never end), cannot be read
/// or, unless `allowEmpty` (text whose parser reports it), is empty.
std::string readFile(const std::string &path, const std::string &what = "file",
                     bool allowEmpty = false);

/// A name for a temporary file beside `path` that no other writer in this or another process
/// uses: `<path>.tmp.<pid>.<n>`.
std::string temporaryPathFor(const std::string &path);

} // namespace sinter::runtime

#endif
