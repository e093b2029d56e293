// Test cases that read a fetched data set: a visible skip when it is not there.
#ifndef SINTER_TESTS_COMMON_REQUIREDATA_H
#define SINTER_TESTS_COMMON_REQUIREDATA_H

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace sinter::testing {

/// The folder of a fetched data set for a test case tagged [real] (run by sinter_add_data_test):
/// the value of `envVar`; when it is unset or lacks `probe` (a path inside it), prints why and
/// how to fetch it and exits with 77, which CTest reports as "Skipped".
inline std::string requireData(const char *envVar, const std::string &probe, const char *fetch) {
  const char *dir = std::getenv(envVar);
  std::string why = !dir || !*dir ? std::string(envVar) + " is not set"
                                  : std::string(dir) + "/" + probe + " is missing";
  if (dir && *dir && std::filesystem::exists(std::string(dir) + "/" + probe))
    return dir;
  std::printf("SKIP: %s (%s fetches it)\n", why.c_str(), fetch);
  std::fflush(stdout);
  std::exit(77);
}

} // namespace sinter::testing

#endif // SINTER_TESTS_COMMON_REQUIREDATA_H
