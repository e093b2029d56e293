#include "sinter/runtime/CallErrors.h"

#include "sinter/runtime/Abi.h"

#include <cmath>
#include <cstdio>

namespace sinter::runtime {

namespace {
thread_local CallErrors *current = nullptr;
} // namespace

CallErrors *currentCallErrors() { return current; }

CallErrorsScope::CallErrorsScope(CallErrors *errors) : saved_(current) { current = errors; }
CallErrorsScope::~CallErrorsScope() { current = saved_; }

} // namespace sinter::runtime

namespace {

/// Records a failed check for the call in progress. Only the first counts, so a check that
/// fails on every element of a large tensor builds one message, not one per element.
template <class Message> void reportFailure(Message message) {
  using sinter::runtime::CallErrors;
  CallErrors *errors = sinter::runtime::currentCallErrors();
  if (!errors) { // compiled code called outside Session::call: nothing can raise it
    std::fprintf(stderr, "sinter: %s\n", message().c_str());
    return;
  }
  std::lock_guard<std::mutex> guard(errors->lock);
  if (errors->first.empty())
    errors->first = message();
}

} // namespace

void sinter::runtime::reportCallError(const std::string &message) {
  reportFailure([&] { return message; });
}

extern "C" void sinter_report_index_error(int64_t index, int64_t size, const char *site) {
  reportFailure([&] {
    return std::string(site ? site : "gather") + ": index " + std::to_string(index) +
           " is out of range [0, " + std::to_string(size) + ")";
  });
}

extern "C" void sinter_report_nonfinite(int64_t element, double value, const char *site) {
  reportFailure([&] {
    std::string what = std::isnan(value) ? "NaN" : value > 0 ? "inf" : "-inf";
    return std::string(site ? site : "an op") + " produced " + what + " (element " +
           std::to_string(element) + " of its result)";
  });
}
