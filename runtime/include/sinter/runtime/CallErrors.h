//===- CallErrors.h - Errors that compiled code reports during a call ------===//
//
// Compiled code cannot throw: a check that fails in it (a gather index out of range) calls the
// runtime (sinter_report_index_error, Abi.h), which records the first such error of the entry
// call in progress and lets the code finish on a safe value; Session::call then throws it as
// an Error naming the entry. The record is found through a thread-local pointer that the call
// sets on its thread and sinter_parallel_for hands to the OpenMP threads running its chunks.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_CALLERRORS_H
#define SINTER_RUNTIME_CALLERRORS_H

#include <mutex>
#include <string>

namespace sinter::runtime {

/// The first error reported during one entry call.
struct CallErrors {
  std::mutex lock;   ///< the pool threads of sinter_parallel_for may report at once
  std::string first; ///< empty while none
};

/// The record of the call running on this thread (nullptr outside calls).
CallErrors *currentCallErrors();

/// Sets this thread's record for a scope (an entry call, or a chunk of one on a pool thread).
class CallErrorsScope {
public:
  explicit CallErrorsScope(CallErrors *errors);
  ~CallErrorsScope();
  CallErrorsScope(const CallErrorsScope &) = delete;
  CallErrorsScope &operator=(const CallErrorsScope &) = delete;

private:
  CallErrors *saved_;
};

/// Records `message` as an error of the call in progress (the first one counts); outside a
/// call, prints it. For kernels that have no other way to compute their result.
void reportCallError(const std::string &message);

} // namespace sinter::runtime

#endif // SINTER_RUNTIME_CALLERRORS_H
