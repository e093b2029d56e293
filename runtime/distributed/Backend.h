//===- Backend.h - The table of collectives libsinter_mpi exports ----------===//
//
// The runtime calls MPI only through this table, which it loads with dlopen from
// libsinter_mpi (next to libsinter_runtime), so neither the runtime nor a deployed model links
// MPI. Every function returns 0 on success or writes a message into `error` (size
// kBackendErrorSize) and returns non-zero. Plain C: the two libraries may be built apart.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_DISTRIBUTED_BACKEND_H
#define SINTER_RUNTIME_DISTRIBUTED_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#define SINTER_BACKEND_VERSION 2u
#define SINTER_BACKEND_ERROR_SIZE 512u

/* Element types of allReduce (the SINTER_COLLECTIVE_* values of Abi.h). */
typedef struct SinterCollectives {
  uint32_t version;
  int (*initialize)(int *rank, int *size, char *error);
  int (*finalize)(char *error);
  void (*abort)(int code);
  /* out = Σ (or mean) over ranks of in; in == out reduces in place. */
  int (*allReduce)(const void *in, void *out, int64_t count, int32_t dtype, int32_t mean,
                   char *error);
  /* A non-blocking allReduce of `data` in place: *request names it for testAllReduce, which
   * must be called until it reports done (the request is then freed, the result in data). */
  int (*startAllReduce)(void *data, int64_t count, int32_t dtype, int32_t mean, void **request,
                        char *error);
  int (*testAllReduce)(void *request, int *done, char *error);
  int (*broadcast)(void *data, int64_t bytes, int32_t root, char *error);
  /* out holds size * bytes: rank r's `in` at r * bytes. */
  int (*allGather)(const void *in, void *out, int64_t bytes, char *error);
  int (*barrier)(char *error);
} SinterCollectives;

/* The one symbol libsinter_mpi exports. */
typedef const SinterCollectives *(*SinterCollectivesFn)(void);
#define SINTER_COLLECTIVES_SYMBOL "sinter_mpi_collectives"

#endif /* SINTER_RUNTIME_DISTRIBUTED_BACKEND_H */
