// The runtime's side of distributed jobs (Distributed.h): loads libsinter_mpi on first use,
// keeps the rank and size, counts the time spent in collectives, and provides the kernels that
// compiled all_reduce ops call (Abi.h): started there, they run on a communication thread
// while the step goes on, and are waited for where their result is first needed.
#include "sinter/runtime/Distributed.h"

#include "Backend.h"
#include "sinter/runtime/Abi.h"
#include "sinter/runtime/CallErrors.h"
#include "sinter/runtime/Runtime.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <dlfcn.h>
#include <mutex>
#include <omp.h>
#include <sched.h>
#include <sstream>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>

namespace sinter::distributed {

using runtime::Error;

namespace {

struct State {
  std::mutex lock; // initialize() may race with a kernel's lazy start on another thread
  /// Held around every backend call: MPI is called by one thread at a time (SERIALIZED).
  std::mutex mpi;
  const SinterCollectives *backend = nullptr;
  bool initialized = false, finalized = false;
  int rank = 0, size = 1;
  Stats stats;
};

/// Never destroyed: the exit handler and late kernels may still read it.
State &state() {
  static State *s = new State;
  return *s;
}

/// The folder of the library this code is in (libsinter_runtime, or a program that links the
/// runtime statically): libsinter_mpi is installed beside it.
std::string runtimeDirectory() {
  Dl_info info{};
  if (!dladdr(reinterpret_cast<void *>(&runtimeDirectory), &info) || !info.dli_fname)
    return ".";
  std::string path = info.dli_fname;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

const SinterCollectives *loadBackend() {
  std::string path = runtimeDirectory() + "/libsinter_mpi.so";
  // RTLD_GLOBAL: Open MPI loads its own components with dlopen, and they need libmpi's
  // symbols visible to the whole process.
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  std::string first = handle ? "" : dlerror();
  if (!handle)
    handle = dlopen("libsinter_mpi.so", RTLD_NOW | RTLD_GLOBAL);
  if (!handle)
    throw Error("distributed: cannot load libsinter_mpi.so (" + first +
                "); distributed training needs Sinter built with MPI (install libopenmpi-dev "
                "and rebuild)");
  auto fn = reinterpret_cast<SinterCollectivesFn>(dlsym(handle, SINTER_COLLECTIVES_SYMBOL));
  const SinterCollectives *table = fn ? fn() : nullptr;
  if (!table || table->version != SINTER_BACKEND_VERSION)
    throw Error("distributed: " + path + " is not a collectives library of this Sinter version");
  return table;
}

void exitHandler() {
  State &s = state();
  if (!s.initialized || s.finalized)
    return;
  std::fprintf(stderr,
               "sinter: rank %d of %d exits without distributed::finalize() (an error?); ending "
               "the job so that no rank waits for it\n",
               s.rank, s.size);
  std::fflush(stderr);
  s.backend->abort(1);
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The all-reduces of compiled code in flight. Started calls queue here; a communication
/// thread starts them in order as non-blocking MPI calls and drives them (MPI progresses only
/// inside its calls) while the caller's thread computes, sleeping briefly between tests rather
/// than polling as MPI's blocking calls do, so it leaves the cores to the computation. A
/// caller that waits drives them itself until its ticket is done.
class Communicator {
public:
  /// Queues `data` (count elements of dtype) for an in-place all-reduce; returns its ticket.
  int64_t start(void *data, int64_t count, int32_t dtype, bool mean, int64_t bytes) {
    std::lock_guard<std::mutex> guard(lock_);
    if (!thread_.joinable())
      thread_ = std::thread([this] { run(); });
    queue_.push_back({++issued_, data, count, dtype, mean, bytes});
    wake_.notify_one();
    return issued_;
  }

  /// Returns once the all-reduce of `ticket` (and every earlier one) is done; an Error if one
  /// failed.
  void wait(int64_t ticket) {
    for (;;) {
      {
        std::lock_guard<std::mutex> guard(lock_);
        if (!error_.empty())
          throw Error(error_);
        if (completed_ >= ticket)
          return;
      }
      progress();
      std::this_thread::yield();
    }
  }

  void drain() { wait(issued()); }
  int64_t issued() {
    std::lock_guard<std::mutex> guard(lock_);
    return issued_;
  }
  /// Adds the finished all-reduces' count, bytes and time in flight to `stats`.
  void addStats(Stats &stats) {
    std::lock_guard<std::mutex> guard(lock_);
    stats.calls += calls_;
    stats.bytes += bytes_;
    stats.backgroundSeconds += backgroundSeconds_;
  }
  void resetStats() {
    std::lock_guard<std::mutex> guard(lock_);
    calls_ = bytes_ = 0;
    backgroundSeconds_ = 0;
  }

private:
  struct Job {
    int64_t ticket;
    void *data;
    int64_t count;
    int32_t dtype;
    bool mean;
    int64_t bytes;
  };
  struct InFlight {
    Job job;
    void *request;
    std::chrono::steady_clock::time_point started;
  };

  void run();
  void progress();
  void fail(const std::string &message) {
    std::lock_guard<std::mutex> guard(lock_);
    if (error_.empty())
      error_ = "distributed: rank " + std::to_string(state().rank) + ": all_reduce: " + message;
  }

  std::mutex lock_; // the queue, counters and error
  std::condition_variable wake_;
  std::deque<Job> queue_;
  int64_t issued_ = 0, completed_ = 0, calls_ = 0, bytes_ = 0;
  double backgroundSeconds_ = 0;
  std::string error_;
  std::deque<InFlight> inFlight_; // under State::mpi
  std::thread thread_;            // never joined: the communicator lives until the process ends
};

Communicator &communicator() {
  static Communicator *c = new Communicator;
  return *c;
}

/// Runs a backend call, counting its time and bytes; an Error naming `what` if it fails.
template <class Call> void collective(const char *what, int64_t bytes, Call call) {
  State &s = state();
  if (!s.initialized)
    throw Error(std::string("distributed: ") + what + " before initialize()");
  communicator().drain(); // collectives reach MPI in the order they were made
  char error[SINTER_BACKEND_ERROR_SIZE] = {};
  auto start = std::chrono::steady_clock::now();
  int rc;
  {
    std::lock_guard<std::mutex> guard(s.mpi);
    rc = call(error);
  }
  s.stats.seconds += secondsSince(start);
  s.stats.calls += 1;
  s.stats.bytes += bytes;
  if (rc != 0)
    throw Error("distributed: rank " + std::to_string(s.rank) + ": " + what + ": " + error);
}

/// Starts the queued all-reduces and finishes those done, in order (a later one may finish
/// first; its ticket waits). One thread at a time: the other may be doing it already.
void Communicator::progress() {
  State &s = state();
  std::unique_lock<std::mutex> mpi(s.mpi, std::try_to_lock);
  if (!mpi.owns_lock())
    return;
  std::deque<Job> fresh;
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (!error_.empty())
      return;
    fresh.swap(queue_);
  }
  char error[SINTER_BACKEND_ERROR_SIZE] = {};
  for (const Job &job : fresh) {
    void *request = nullptr;
    if (s.backend->startAllReduce(job.data, job.count, job.dtype, job.mean, &request, error) != 0)
      return fail(error);
    inFlight_.push_back({job, request, std::chrono::steady_clock::now()});
  }
  while (!inFlight_.empty()) {
    int done = 0;
    if (s.backend->testAllReduce(inFlight_.front().request, &done, error) != 0) {
      inFlight_.pop_front();
      return fail(error);
    }
    if (!done)
      return;
    const InFlight &finished = inFlight_.front();
    std::lock_guard<std::mutex> guard(lock_);
    completed_ = finished.job.ticket;
    backgroundSeconds_ += secondsSince(finished.started);
    calls_ += 1;
    bytes_ += finished.job.bytes;
    inFlight_.pop_front();
  }
}

void Communicator::run() {
  // Sleeps of 20 µs, not the default 50 µs timer slack on top.
  prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
  for (;;) {
    {
      std::unique_lock<std::mutex> guard(lock_);
      wake_.wait(guard, [&] { return completed_ < issued_ && error_.empty(); });
    }
    progress();
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

} // namespace

bool launchedByMpi() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name))
      return true;
  return false;
}

void initialize() {
  State &s = state();
  std::lock_guard<std::mutex> guard(s.lock);
  if (s.initialized)
    return;
  if (s.finalized)
    throw Error("distributed: initialize() after finalize() (MPI cannot start twice)");
  if (!launchedByMpi())
    throw Error("distributed: this process was not started by mpirun; start every rank with "
                "`mpirun -np N <program> ...` (docs/distributed.md)");
  if (!s.backend)
    s.backend = loadBackend();
  char error[SINTER_BACKEND_ERROR_SIZE] = {};
  if (s.backend->initialize(&s.rank, &s.size, error) != 0)
    throw Error(std::string("distributed: ") + error);
  s.initialized = true;
  static bool registered = false;
  if (!registered)
    std::atexit(exitHandler);
  registered = true;
}

bool initialized() { return state().initialized; }
int rank() { return state().rank; }
int size() { return state().size; }

void finalize() {
  State &s = state();
  if (!s.initialized)
    return;
  char error[SINTER_BACKEND_ERROR_SIZE] = {};
  s.initialized = false;
  s.finalized = true;
  if (s.backend->finalize(error) != 0)
    throw Error(std::string("distributed: ") + error);
}

void abort(const std::string &message, int code) {
  State &s = state();
  std::fprintf(stderr, "sinter: rank %d of %d: %s\n", s.rank, s.size, message.c_str());
  std::fflush(stderr);
  if (s.initialized)
    s.backend->abort(code);
  std::_Exit(code);
}

void allReduceSum(double *values, size_t count) {
  if (size() == 1)
    return;
  collective("all-reduce", static_cast<int64_t>(count * sizeof(double)), [&](char *error) {
    return state().backend->allReduce(values, values, static_cast<int64_t>(count),
                                      SINTER_COLLECTIVE_F64, 0, error);
  });
}

void broadcast(void *data, size_t bytes, int root) {
  if (size() == 1)
    return;
  collective("broadcast", static_cast<int64_t>(bytes), [&](char *error) {
    return state().backend->broadcast(data, static_cast<int64_t>(bytes), root, error);
  });
}

std::string broadcast(const std::string &text) {
  uint64_t length = text.size();
  broadcast(&length, sizeof length);
  std::string out = rank() == 0 ? text : std::string(length, '\0');
  broadcast(out.data(), length);
  return out;
}

std::vector<uint64_t> allGather(uint64_t value) {
  std::vector<uint64_t> out(static_cast<size_t>(size()), value);
  if (size() == 1)
    return out;
  collective("all-gather", static_cast<int64_t>(sizeof value), [&](char *error) {
    return state().backend->allGather(&value, out.data(), sizeof value, error);
  });
  return out;
}

void barrier() {
  if (size() == 1)
    return;
  collective("barrier", 0, [&](char *error) { return state().backend->barrier(error); });
}

void checkSameOnEveryRank(const std::string &what, const std::string &description) {
  uint64_t hash = 1469598103934665603ull; // FNV-1a
  for (unsigned char c : description)
    hash = (hash ^ c) * 1099511628211ull;
  std::vector<uint64_t> hashes = allGather(hash);
  std::string differing;
  for (size_t r = 1; r < hashes.size(); ++r)
    if (hashes[r] != hashes[0])
      differing += (differing.empty() ? "" : ", ") + std::to_string(r);
  if (differing.empty())
    return;
  std::string reference = broadcast(description);
  std::ostringstream message;
  message << "distributed: the ranks disagree on " << what << ": rank(s) " << differing
          << " differ from rank 0 (every rank must run the same program)";
  if (hash != hashes[0]) {
    std::istringstream mine(description), theirs(reference);
    std::string a, b;
    for (int line = 1;; ++line) {
      bool haveA = static_cast<bool>(std::getline(mine, a));
      bool haveB = static_cast<bool>(std::getline(theirs, b));
      if (!haveA && !haveB)
        break;
      if (!haveA || !haveB || a != b) {
        message << "; on rank " << rank() << ", item " << line << " is '" << (haveA ? a : "(none)")
                << "' where rank 0 has '" << (haveB ? b : "(none)") << "'";
        break;
      }
    }
  }
  throw Error(message.str());
}

void broadcastVariables(runtime::Session &session) {
  const runtime::Artifact &artifact = session.artifact();
  std::ostringstream description;
  auto spec = [&](const runtime::TensorSpec &t) {
    description << t.name << ": " << runtime::dtypeName(t.dtype) << " " << t.shapeString();
  };
  for (const runtime::TensorSpec &v : artifact.variables()) {
    description << "variable ";
    spec(v);
    description << "\n";
  }
  for (const runtime::EntryInfo &e : artifact.entries()) {
    description << "entry " << e.name << " (";
    for (const runtime::TensorSpec &a : e.args) {
      spec(a);
      description << "; ";
    }
    description << ")\n";
  }
  checkSameOnEveryRank("the program's variables and entry points", description.str());
  for (const std::string &name : session.variableNames()) {
    runtime::HostTensor &value = session.variable(name);
    broadcast(value.data(), value.byteSize());
  }
}

std::pair<int64_t, int64_t> shard(int64_t rows) {
  int64_t r = rank(), n = size();
  return {rows * r / n, rows * (r + 1) / n};
}

Stats stats() {
  Stats out = state().stats;
  communicator().addStats(out);
  return out;
}
void resetStats() {
  state().stats = Stats();
  communicator().resetStats();
}

} // namespace sinter::distributed

namespace {

/// Whether compiled all-reduces run on the communication thread (overlapping the step) or to
/// completion where they start. The thread needs a core of its own: where this machine's ranks
/// already keep every core busy (ranks here × OpenMP threads ≥ cores), waking it costs the
/// computation more than the overlap gains (measured: docs/distributed.md), so it is used only
/// when a core is left. SINTER_ASYNC_COLLECTIVES=1 or 0 decides instead.
bool asyncCollectives() {
  static const bool on = [] {
    if (const char *env = std::getenv("SINTER_ASYNC_COLLECTIVES"); env && *env)
      return std::strcmp(env, "0") != 0;
    int ranksHere = 1;
    for (const char *name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"})
      if (const char *v = std::getenv(name); v && std::atoi(v) > 0)
        ranksHere = std::atoi(v);
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    int cores = sched_getaffinity(0, sizeof cpus, &cpus) == 0
                    ? CPU_COUNT(&cpus)
                    : static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    return ranksHere * omp_get_max_threads() < cores;
  }();
  return on;
}

} // namespace

extern "C" int64_t sinter_kernel_all_reduce_start(int32_t reduction, const void *in, void *out,
                                                  int64_t count, int64_t dtype) {
  namespace d = sinter::distributed;
  size_t bytes = static_cast<size_t>(count) *
                 (dtype == SINTER_COLLECTIVE_F32 ? sizeof(float) : sizeof(double));
  try {
    // A program run under mpirun joins the job at its first collective, even when its host
    // code never called initialize(); anywhere else the "job" is this process alone.
    if (!d::initialized() && d::launchedByMpi())
      d::initialize();
    // The result buffer takes a copy and is reduced in place, so `in` is free on return.
    if (in != out)
      std::memcpy(out, in, bytes);
    if (d::size() == 1)
      return 0;
    if (!asyncCollectives()) {
      d::collective("all_reduce", static_cast<int64_t>(bytes), [&](char *error) {
        return d::state().backend->allReduce(out, out, count, static_cast<int32_t>(dtype),
                                             reduction == SINTER_REDUCE_MEAN, error);
      });
      return 0;
    }
    if (!d::initialized())
      throw sinter::runtime::Error("distributed: all_reduce before initialize()");
    return d::communicator().start(out, count, static_cast<int32_t>(dtype),
                                   reduction == SINTER_REDUCE_MEAN, static_cast<int64_t>(bytes));
  } catch (const std::exception &e) {
    sinter::runtime::reportCallError(e.what());
    return 0;
  }
}

extern "C" void sinter_kernel_all_reduce_wait(int64_t ticket) {
  if (ticket == 0)
    return;
  namespace d = sinter::distributed;
  auto start = std::chrono::steady_clock::now();
  try {
    d::communicator().wait(ticket);
  } catch (const std::exception &e) {
    sinter::runtime::reportCallError(e.what());
  }
  d::state().stats.seconds += d::secondsSince(start);
}
