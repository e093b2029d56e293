// Writing files so that a crash or a full disk never leaves a half-written one: every file
// Sinter writes (models, checkpoints, .npy, pictures) goes through here.
#ifndef SINTER_RUNTIME_FILE_H
#define SINTER_RUNTIME_FILE_H

#include <string>

namespace sinter::runtime {

/// Writes `bytes` to `<path>.tmp`, fsyncs it, renames it over `path` and fsyncs the folder.
/// On failure throws Error naming `what`, the path and the cause; the previous file, if any,
/// is unchanged and no temporary file is left behind.
void writeFileAtomically(const std::string &path, const std::string &bytes,
                         const std::string &what = "file");

} // namespace sinter::runtime

#endif
