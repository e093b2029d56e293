// The book-check programs (ch10_conv_basics, ch11_rnn_layers, ch11_gradient_clipping): one
// printed line per check against the book's value, and a last line
//   checks=N failed=F
// that the CTest of each program matches; the exit status is 1 when a check failed.
#ifndef SINTER_MODELS_COMMON_CHECKS_H
#define SINTER_MODELS_COMMON_CHECKS_H

#include "sinter/Graph.h"

#include <cstdio>
#include <string>

namespace sinter::models {

inline int checksRun = 0, checksFailed = 0;

inline void report(const std::string &what, bool ok, const std::string &got = "") {
  ++checksRun;
  checksFailed += ok ? 0 : 1;
  std::printf("%-66s %s  %s\n", what.c_str(), ok ? "ok  " : "FAIL", got.c_str());
}

inline void checkShape(const std::string &what, const Tensor &t, const Shape &want) {
  report(what + " -> " + shapeString(want), t.shape() == want, shapeString(t.shape()));
}

/// Prints the last line; the program's exit status.
inline int finishChecks() {
  std::printf("checks=%d failed=%d\n", checksRun, checksFailed);
  return checksFailed ? 1 : 0;
}

} // namespace sinter::models

#endif
