// Every file under fuzz-regressions/<target>/ through fuzz target <target> (fuzz/Targets.cpp):
// inputs that once crashed a loader, or made it allocate gigabytes, hang or throw something
// other than an Error. Each must now load or fail cleanly.
#include "../../fuzz/Targets.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

TEST_CASE("saved fuzz findings load or fail with an Error", "[reliability]") {
  int replayed = 0;
  for (const auto &dir : fs::directory_iterator(SINTER_FUZZ_REGRESSIONS)) {
    std::string target = dir.path().filename();
    INFO("target " << target);
    REQUIRE(sinter::fuzz::targets().count(target) == 1);
    for (const auto &file : fs::directory_iterator(dir.path())) {
      INFO("input " << file.path());
      std::ifstream in(file.path(), std::ios::binary);
      std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      CHECK(sinter::fuzz::targets().at(target)(reinterpret_cast<const uint8_t *>(bytes.data()),
                                               bytes.size()) == 0);
      ++replayed;
    }
  }
  CHECK(replayed > 0);
}
