// The sinter-compile command line, as a library call (tools/sinter-compile is a few lines).
#ifndef SINTER_COMPILETOOL_H
#define SINTER_COMPILETOOL_H

namespace sinter {
/// Exit codes: 0 success, 1 compile/model error, 2 bad command line.
int compileToolMain(int argc, char **argv);
} // namespace sinter

#endif
