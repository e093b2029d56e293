// Helpers shared by the unit_io_* tests.
#ifndef SINTER_TESTS_IO_TEST_UTIL_H
#define SINTER_TESTS_IO_TEST_UTIL_H

#include "sinter/Graph.h"

#include "../../common/TempFiles.h"
#include "../../common/TestUtil.h"

#include <catch2/catch.hpp>

#include <filesystem>

namespace iotest {

namespace fs = std::filesystem;

using sinter::testing::errorOf;
using sinter::testing::readFile;
using sinter::testing::TempDir;
using sinter::testing::writeFile;

} // namespace iotest

#endif
