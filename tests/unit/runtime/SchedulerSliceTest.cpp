// setShortSchedulerSlice (runtime/lib/SchedulerSlice.h): a thread asks the kernel for short
// slices and back, keeping its nice value; a thread under another policy is left alone.
#include "../../../runtime/lib/SchedulerSlice.h"

#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <thread>

namespace {

/// The kernel's struct sched_attr.
struct SchedAttr {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
  uint32_t utilMin, utilMax;
};

SchedAttr threadAttr() {
  SchedAttr attr{};
  if (syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) != 0)
    attr.policy = ~0u;
  return attr;
}

/// Whether the kernel takes a slice for SCHED_OTHER threads (Linux 6.12 and later).
bool kernelTakesSlices() {
  utsname name{};
  int major = 0, minor = 0;
  return uname(&name) == 0 && std::sscanf(name.release, "%d.%d", &major, &minor) == 2 &&
         (major > 6 || (major == 6 && minor >= 12));
}

/// Runs `body` on a thread of its own, so the test's thread keeps its scheduling (and the
/// assertions stay on the test's thread).
template <typename Body> void onNewThread(Body body) { std::thread(body).join(); }

} // namespace

TEST_CASE("a thread asks for short scheduler slices and back, keeping its nice value",
          "[threads]") {
  bool niced = false, setShort = false, setDefault = false;
  SchedAttr shortSlice{}, normal{};
  onNewThread([&] {
    niced = setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5) == 0;
    setShort = sinter::runtime::setShortSchedulerSlice(true);
    shortSlice = threadAttr();
    setDefault = sinter::runtime::setShortSchedulerSlice(false);
    normal = threadAttr();
  });
  REQUIRE(niced);
  REQUIRE(setShort);
  REQUIRE(setDefault);
  CHECK(shortSlice.policy == SCHED_OTHER);
  CHECK(shortSlice.nice == 5);
  CHECK(normal.nice == 5);
  if (kernelTakesSlices()) {
    CHECK(shortSlice.runtime == 100'000);
    CHECK(normal.runtime > 100'000); // the kernel's default, a few milliseconds
  }
}

TEST_CASE("a thread under another scheduling policy is left alone", "[threads]") {
  bool batch = false, setShort = true;
  SchedAttr attr{};
  onNewThread([&] {
    sched_param param{};
    batch = sched_setscheduler(0, SCHED_BATCH, &param) == 0;
    setShort = sinter::runtime::setShortSchedulerSlice(true);
    attr = threadAttr();
  });
  REQUIRE(batch);
  CHECK_FALSE(setShort);
  CHECK(attr.policy == SCHED_BATCH);
  CHECK(attr.runtime != 100'000);
}
