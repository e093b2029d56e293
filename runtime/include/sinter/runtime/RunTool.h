//===- RunTool.h - The sinter-run command line ------------------*- C++ -*-===//
#ifndef SINTER_RUNTIME_RUNTOOL_H
#define SINTER_RUNTIME_RUNTOOL_H

namespace sinter::runtime {

/// sinter-run ARTIFACT.so --entry NAME [--prefix P] [--input NAME=FILE.npy]...
///            [--random-seed S] [--iterations N] [--save-dir DIR] [--list] [--help]
/// Returns 0 on success, 2 on a command-line error (unknown flag, missing value, missing
/// file), 1 on any other failure. Never throws.
int runToolMain(int argc, char **argv);

} // namespace sinter::runtime

#endif // SINTER_RUNTIME_RUNTOOL_H
