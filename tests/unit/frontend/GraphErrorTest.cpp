// Errors at graph-building and program-building time point at the user's line and the op
// (docs/architecture.md, "Decisions"), or name the entry and the input at fault.
#include "../../common/TestUtil.h"
#include "sinter/sinter.h"

#include <catch2/catch.hpp>

#include <string>

using namespace sinter;

namespace {

using sinter::testing::errorOf;

/// "GraphErrorTest.cpp:<line>" for a line of this file.
std::string here(int line) { return std::string("GraphErrorTest.cpp:") + std::to_string(line); }

} // namespace

TEST_CASE("a shape mismatch names the user's file:line and the op", "[errors]") {
  Graph g;
  Tensor a = g.input("a", {2, 3});
  Tensor b = g.input("b", {4, 5});

  SECTION("matmul") {
    int line = 0;
    std::string msg = errorOf([&] {
      line = __LINE__ + 1;
      matmul(a, b);
    });
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(here(line)));
    CHECK_THAT(msg, Catch::Contains("matmul"));
  }
  SECTION("add (broadcast)") {
    int line = 0;
    std::string msg = errorOf([&] {
      line = __LINE__ + 1;
      add(a, b);
    });
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(here(line)));
    CHECK_THAT(msg, Catch::Contains("add"));
  }
  SECTION("operator+ points at the expression") {
    int line = 0;
    std::string msg = errorOf([&] {
      line = __LINE__ + 1;
      Tensor c = a + b;
      (void)c;
    });
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(here(line)));
    CHECK_THAT(msg, Catch::Contains("add"));
  }
  SECTION("reshape") {
    int line = 0;
    std::string msg = errorOf([&] {
      line = __LINE__ + 1;
      reshape(a, {7});
    });
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(here(line)));
    CHECK_THAT(msg, Catch::Contains("reshape"));
  }
}

TEST_CASE("an entry whose output needs an unlisted input names the input", "[errors]") {
  Graph g;
  Tensor x = g.input("x", {2, 3});
  Tensor scale = g.input("scale_factor", {2, 3});
  Tensor out = x * scale;
  std::string msg = errorOf([&] { g.compile({{"forward", {x}, {out}}}); });
  INFO(msg);
  CHECK_THAT(msg, Catch::Contains("scale_factor"));
  CHECK_THAT(msg, Catch::Contains("forward"));
}
