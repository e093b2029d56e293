#include "sinter/runtime/CallErrors.h"

#include "sinter/runtime/Abi.h"

#include <cmath>
#include <cstdio>

namespace sinter::runtime {

namespace {
thread_local CallErrors *current = nullptr;
} // namespace

void CallErrors::report(const std::string &message) {
  std::lock_guard<std::mutex> guard(lock);
  if (first.empty())
    first = message;
}

CallErrors *currentCallErrors() { return current; }

CallErrorsScope::CallErrorsScope(CallErrors *errors) : saved_(current) { current = errors; }
CallErrorsScope::~CallErrorsScope() { current = saved_; }

} // namespace sinter::runtime

extern "C" void sinter_report_index_error(int64_t index, int64_t size, const char *site) {
  std::string message = std::string(site ? site : "gather") + ": index " + std::to_string(index) +
                        " is out of range [0, " + std::to_string(size) + ")";
  if (sinter::runtime::CallErrors *errors = sinter::runtime::currentCallErrors())
    errors->report(message);
  else // compiled code called outside Session::call: nothing can raise it
    std::fprintf(stderr, "sinter: %s\n", message.c_str());
}

extern "C" void sinter_report_nonfinite(int64_t element, double value, const char *site) {
  std::string what = std::isnan(value) ? "NaN" : value > 0 ? "inf" : "-inf";
  std::string message = std::string(site ? site : "an op") + " produced " + what + " (element " +
                        std::to_string(element) + " of its result)";
  if (sinter::runtime::CallErrors *errors = sinter::runtime::currentCallErrors())
    errors->report(message);
  else
    std::fprintf(stderr, "sinter: %s\n", message.c_str());
}
