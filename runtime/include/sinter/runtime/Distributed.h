//===- Distributed.h - The processes of a data-parallel job ----------------===//
//
// A distributed job is N copies of one program started by `mpirun -np N`; each copy is a
// rank. Compiled code reduces across ranks through the sinter.all_reduce op; the host code of
// a training program uses the calls below (start-up, the initial broadcast of the weights,
// averaging metrics, the consistency check). MPI does the communication: it lives in its own
// library (libsinter_mpi, built when MPI is found), which the runtime loads only when a
// program calls initialize() or runs an all_reduce under mpirun, so a program that never
// communicates neither loads nor needs MPI.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_DISTRIBUTED_H
#define SINTER_RUNTIME_DISTRIBUTED_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sinter::runtime {
class Session;
}

namespace sinter::distributed {

/// Joins the job this process was started in (MPI_Init). An Error when the process was not
/// started by mpirun (or another MPI launcher), or when this build has no MPI. Once per
/// process; later calls do nothing. At exit, a process that initialised and did not call
/// finalize() ends the whole job (MPI_Abort), so a rank that fails never leaves the others
/// waiting in a collective.
void initialize();
/// Whether initialize() has run (and finalize() has not).
bool initialized();
/// Whether this process was started by an MPI launcher (its environment says so).
bool launchedByMpi();
/// This process's rank and the job's size: 0 and 1 outside a job.
int rank();
int size();
/// Leaves the job (MPI_Finalize) after every rank has reached this point. Call it once, at
/// the end of a successful run.
void finalize();
/// Ends every rank of the job now, with `message` on this rank's stderr.
[[noreturn]] void abort(const std::string &message, int code = 1);

/// In place: values[i] = Σ over ranks of every rank's values[i].
void allReduceSum(double *values, size_t count);
/// In place: rank `root`'s bytes, on every rank.
void broadcast(void *data, size_t bytes, int root = 0);
/// Rank 0's text, on every rank.
std::string broadcast(const std::string &text);
/// Every rank's value, by rank.
std::vector<uint64_t> allGather(uint64_t value);
/// Waits until every rank has called it.
void barrier();

/// Checks that every rank has the same `description` (e.g. the variables of its program: names,
/// dtypes and shapes); otherwise an Error on every rank naming `what` and the first line where
/// a rank differs from rank 0. Collective: every rank must call it.
void checkSameOnEveryRank(const std::string &what, const std::string &description);

/// The start of data-parallel training: checks that every rank has compiled the same program
/// (variables and entry points: names, dtypes, shapes), then gives every rank rank 0's
/// variable values, so all start from the same weights and optimizer state. Collective.
void broadcastVariables(runtime::Session &session);

/// The part of a global batch of `rows` rows that this rank takes: [begin, end), the ranks'
/// parts in rank order, their sizes differing by at most one.
std::pair<int64_t, int64_t> shard(int64_t rows);

/// The collectives the process has made so far (all_reduce from compiled code and the host
/// calls above): count, bytes reduced, seconds the caller's threads spent waiting for them
/// (the communication the computation did not hide), and seconds the all-reduces of compiled
/// code were in flight on the communication thread, overlapping the step.
struct Stats {
  int64_t calls = 0;
  int64_t bytes = 0;
  double seconds = 0;
  double backgroundSeconds = 0;
};
Stats stats();
void resetStats();

} // namespace sinter::distributed

#endif // SINTER_RUNTIME_DISTRIBUTED_H
