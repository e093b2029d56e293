// libsinter_mpi: the collectives of Backend.h over MPI's world communicator. Errors are
// returned (MPI_ERRORS_RETURN) so the runtime can name the call that failed; a rank that dies
// is handled by the launcher, which ends the job.
#include "Backend.h"

#include <mpi.h>

#include <cstdio>

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
    // Collectives are made by one thread at a time (the entry calls of one process are
    // serialised by the data-parallel step); SERIALIZED lets that thread vary.
    int provided = 0;
    if (int rc = check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided),
                       "MPI_Init_thread", error))
      return rc;
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  if (int rc = check(MPI_Comm_rank(MPI_COMM_WORLD, rank), "MPI_Comm_rank", error))
    return rc;
  return check(MPI_Comm_size(MPI_COMM_WORLD, size), "MPI_Comm_size", error);
}

int finalize(char *error) { return check(MPI_Finalize(), "MPI_Finalize", error); }

void abortJob(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

int allReduce(const void *in, void *out, int64_t count, int32_t dtype, int32_t mean, char *error) {
  MPI_Datatype type = dtype == 0 ? MPI_FLOAT : MPI_DOUBLE;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  // MPI counts are int: reduce in chunks of at most 2^30 elements.
  const int64_t chunk = int64_t(1) << 30;
  size_t element = dtype == 0 ? sizeof(float) : sizeof(double);
  for (int64_t done = 0; done < count; done += chunk) {
    int n = static_cast<int>(count - done < chunk ? count - done : chunk);
    char *o = static_cast<char *>(out) + static_cast<size_t>(done) * element;
    const void *i = in == out ? MPI_IN_PLACE
                              : static_cast<const char *>(in) + static_cast<size_t>(done) * element;
    if (int rc =
            check(MPI_Allreduce(i, o, n, type, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce", error))
      return rc;
  }
  if (mean && size > 1) {
    if (dtype == 0)
      for (float *p = static_cast<float *>(out), *e = p + count; p != e; ++p)
        *p /= static_cast<float>(size);
    else
      for (double *p = static_cast<double *>(out), *e = p + count; p != e; ++p)
        *p /= static_cast<double>(size);
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

const SinterCollectives kTable = {SINTER_BACKEND_VERSION,
                                  initialize,
                                  finalize,
                                  abortJob,
                                  allReduce,
                                  broadcast,
                                  allGather,
                                  barrier};

} // namespace

extern "C" __attribute__((visibility("default"))) const SinterCollectives *
sinter_mpi_collectives(void) {
  return &kTable;
}
