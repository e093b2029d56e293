// libsinter_mpi: the collectives of Backend.h over MPI's world communicator. Errors are
// returned (MPI_ERRORS_RETURN) so the runtime can name the call that failed; a rank that dies
// is handled by the launcher, which ends the job.
#include "Backend.h"

#include <mpi.h>

#include <cstdio>
#include <vector>

namespace {

/// 0, or the MPI error `code` of `what` written into `error`.
int check(int code, const char *what, char *error) {
  if (code == MPI_SUCCESS)
    return 0;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  std::snprintf(error, SINTER_BACKEND_ERROR_SIZE, "%s failed: %.*s", what, length, text);
  return 1;
}

int initialize(int *rank, int *size, char *error) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    // Collectives are made by one thread at a time (the runtime holds a lock around every
    // call): the caller's thread, or the runtime's communication thread for the all-reduces of
    // compiled code. SERIALIZED lets that thread vary.
    int provided = 0;
    if (int rc = check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided),
                       "MPI_Init_thread", error))
      return rc;
    if (provided < MPI_THREAD_SERIALIZED) {
      std::snprintf(error, SINTER_BACKEND_ERROR_SIZE,
                    "this MPI library cannot be called from more than one thread "
                    "(MPI_THREAD_SERIALIZED)");
      return 1;
    }
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  if (int rc = check(MPI_Comm_rank(MPI_COMM_WORLD, rank), "MPI_Comm_rank", error))
    return rc;
  return check(MPI_Comm_size(MPI_COMM_WORLD, size), "MPI_Comm_size", error);
}

int finalize(char *error) { return check(MPI_Finalize(), "MPI_Finalize", error); }

void abortJob(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

// MPI counts are int: buffers go in chunks of at most 2^30 elements.
constexpr int64_t kChunk = int64_t(1) << 30;

MPI_Datatype mpiType(int32_t dtype) { return dtype == 0 ? MPI_FLOAT : MPI_DOUBLE; }
size_t elementSize(int32_t dtype) { return dtype == 0 ? sizeof(float) : sizeof(double); }

/// The sum over ranks in `out` becomes the mean.
void divideBySize(void *out, int64_t count, int32_t dtype) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size == 1)
    return;
  if (dtype == 0)
    for (float *p = static_cast<float *>(out), *e = p + count; p != e; ++p)
      *p /= static_cast<float>(size);
  else
    for (double *p = static_cast<double *>(out), *e = p + count; p != e; ++p)
      *p /= static_cast<double>(size);
}

int allReduce(const void *in, void *out, int64_t count, int32_t dtype, int32_t mean, char *error) {
  size_t element = elementSize(dtype);
  for (int64_t done = 0; done < count; done += kChunk) {
    int n = static_cast<int>(count - done < kChunk ? count - done : kChunk);
    char *o = static_cast<char *>(out) + static_cast<size_t>(done) * element;
    const void *i = in == out ? MPI_IN_PLACE
                              : static_cast<const char *>(in) + static_cast<size_t>(done) * element;
    if (int rc = check(MPI_Allreduce(i, o, n, mpiType(dtype), MPI_SUM, MPI_COMM_WORLD),
                       "MPI_Allreduce", error))
      return rc;
  }
  if (mean)
    divideBySize(out, count, dtype);
  return 0;
}

struct AllReduceRequest {
  std::vector<MPI_Request> parts;
  void *data;
  int64_t count;
  int32_t dtype, mean;
};

int startAllReduce(void *data, int64_t count, int32_t dtype, int32_t mean, void **request,
                   char *error) {
  auto *r = new AllReduceRequest{{}, data, count, dtype, mean};
  for (int64_t done = 0; done < count; done += kChunk) {
    int n = static_cast<int>(count - done < kChunk ? count - done : kChunk);
    r->parts.push_back(MPI_REQUEST_NULL);
    if (int rc = check(MPI_Iallreduce(MPI_IN_PLACE,
                                      static_cast<char *>(data) +
                                          static_cast<size_t>(done) * elementSize(dtype),
                                      n, mpiType(dtype), MPI_SUM, MPI_COMM_WORLD, &r->parts.back()),
                       "MPI_Iallreduce", error)) {
      delete r;
      return rc;
    }
  }
  *request = r;
  return 0;
}

int testAllReduce(void *request, int *done, char *error) {
  auto *r = static_cast<AllReduceRequest *>(request);
  int flag = 0;
  if (int rc = check(MPI_Testall(static_cast<int>(r->parts.size()), r->parts.data(), &flag,
                                 MPI_STATUSES_IGNORE),
                     "MPI_Iallreduce", error)) {
    delete r;
    return rc;
  }
  *done = flag;
  if (flag) {
    if (r->mean)
      divideBySize(r->data, r->count, r->dtype);
    delete r;
  }
  return 0;
}

int broadcast(void *data, int64_t bytes, int32_t root, char *error) {
  const int64_t chunk = int64_t(1) << 30;
  for (int64_t done = 0; done < bytes; done += chunk) {
    int n = static_cast<int>(bytes - done < chunk ? bytes - done : chunk);
    if (int rc =
            check(MPI_Bcast(static_cast<char *>(data) + done, n, MPI_BYTE, root, MPI_COMM_WORLD),
                  "MPI_Bcast", error))
      return rc;
  }
  return 0;
}

int allGather(const void *in, void *out, int64_t bytes, char *error) {
  return check(MPI_Allgather(in, static_cast<int>(bytes), MPI_BYTE, out, static_cast<int>(bytes),
                             MPI_BYTE, MPI_COMM_WORLD),
               "MPI_Allgather", error);
}

int barrier(char *error) { return check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier", error); }

const SinterCollectives kTable = {
    SINTER_BACKEND_VERSION, initialize,    finalize,  abortJob,  allReduce,
    startAllReduce,         testAllReduce, broadcast, allGather, barrier};

} // namespace

extern "C" __attribute__((visibility("default"))) const SinterCollectives *
sinter_mpi_collectives(void) {
  return &kTable;
}
