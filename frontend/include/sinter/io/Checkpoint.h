// Checkpoints: every variable of a compiled Program (weights, optimizer slots, the optimizer's
// step counter — all are program variables) plus the training step, in one file.
//
// File layout (little endian): the 8 bytes "SNTRCKPT", the uint64 length of the payload, the
// masked CRC32C of the payload (uint32, as in TFRecord), then the payload: a
// sinter.proto.Checkpoint message (proto/sinter/model.proto). The length and checksum let the
// loader tell a truncated or corrupt file from a good one.
//
// Writes are atomic: the bytes go to "<path>.tmp", are fsync()ed, and the temporary file is
// renamed over `path` (then the directory is fsync()ed). A crash or a failed write at any
// point leaves the previous checkpoint at `path` intact.
#ifndef SINTER_IO_CHECKPOINT_H
#define SINTER_IO_CHECKPOINT_H

#include "sinter/Program.h"

#include <cstdint>
#include <map>
#include <string>

namespace sinter::io {

/// What a checkpoint file holds: named tensors and a step.
struct CheckpointContents {
  int64_t step = 0;
  std::map<std::string, HostTensor> variables;
};

/// Writes `variables` and `step` to `path` (atomically). Throws Error naming the file when it
/// cannot be written.
void writeCheckpoint(const std::string &path, const std::map<std::string, HostTensor> &variables,
                     int64_t step);

/// Reads a whole checkpoint file, validated: missing, empty, truncated or corrupt files, a wrong
/// format version, a duplicated name, an invalid dtype or a data size that does not match its
/// shape are Errors naming the file (and the variable).
CheckpointContents readCheckpoint(const std::string &path);

/// Saves all of `program`'s variables and `step` to `path` (atomically). Throws Error naming
/// the file when it cannot be written.
void saveCheckpoint(Program &program, const std::string &path, int64_t step);

/// Loads a checkpoint into `program` and returns its step. Everything is validated before any
/// variable is touched: the file (missing, empty, truncated, corrupt, wrong format version) and
/// the variables (each program variable present, no unknown ones, same dtype and shape).
/// Throws Error naming the file and, where one is at fault, the variable.
int64_t loadCheckpoint(Program &program, const std::string &path);

} // namespace sinter::io

#endif
