//===- Session.cpp - Variable store and entry calls -----------------------===//
#include "sinter/runtime/CallErrors.h"
#include "sinter/runtime/Runtime.h"
#include "sinter/runtime/Threads.h"

#include <algorithm>
#include <cstring>

namespace sinter::runtime {

/// The buffer array of one entry, built once: argument and result slots are filled per call,
/// variable slots point at the session's variables for good.
struct Session::EntryLayout {
  SinterEntryFn fn = nullptr;
  size_t numArgs = 0, numVars = 0, numResults = 0, numRowCounts = 0;
  bool batched = false;
  int64_t batch = 0; ///< a batched entry's last buffer points here
  std::vector<void *> buffers;
};

Session::Session(std::shared_ptr<Artifact> artifact) : artifact_(std::move(artifact)) {
  if (!artifact_)
    throw Error("Session: null artifact");
  const auto &vars = artifact_->variables();
  variables_.reserve(vars.size());
  for (size_t i = 0; i < vars.size(); ++i)
    variables_.emplace_back(vars[i]);
  resetVariables();
  const auto &entries = artifact_->entries();
  layouts_.resize(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const EntryInfo &e = entries[i];
    EntryLayout &l = layouts_[i];
    l.fn = artifact_->entryFunction(static_cast<int>(i));
    l.numArgs = e.args.size();
    l.numVars = e.variables.size();
    l.numResults = e.results.size();
    for (const TensorSpec &r : e.results)
      l.numRowCounts += r.dynamicRows;
    l.batched = e.batched;
    l.buffers.assign(l.numArgs + l.numVars + l.numResults + l.numRowCounts + l.batched, nullptr);
    for (size_t v = 0; v < l.numVars; ++v)
      l.buffers[l.numArgs + v] = variables_[e.variables[v]].data();
  }
  // The batch slots point into layouts_, which no longer moves.
  for (EntryLayout &l : layouts_)
    if (l.batched)
      l.buffers.back() = &l.batch;
}

Session::~Session() = default;
Session::Session(Session &&) noexcept = default;
Session &Session::operator=(Session &&) noexcept = default;

void Session::resetVariables() {
  for (size_t i = 0; i < variables_.size(); ++i) {
    HostTensor &v = variables_[i];
    const void *init = artifact_->variableInitialData(static_cast<int>(i));
    if (init)
      std::memcpy(v.data(), init, v.byteSize());
    else
      std::memset(v.data(), 0, v.byteSize());
  }
}

HostTensor &Session::variable(const std::string &name) {
  for (HostTensor &v : variables_)
    if (v.spec().name == name)
      return v;
  std::string known;
  for (const HostTensor &v : variables_)
    known += (known.empty() ? "" : ", ") + v.spec().name;
  throw Error("artifact '" + artifact_->origin() + "': no variable named '" + name +
              "' (variables: " + (known.empty() ? "none" : known) + ")");
}

const HostTensor &Session::variable(const std::string &name) const {
  return const_cast<Session *>(this)->variable(name);
}

std::vector<std::string> Session::variableNames() const {
  std::vector<std::string> names;
  for (const HostTensor &v : variables_)
    names.push_back(v.spec().name);
  return names;
}

int Session::entryIndex(const std::string &entry) const {
  const EntryInfo &e = artifact_->entry(entry); // throws with the list of entries
  return static_cast<int>(&e - artifact_->entries().data());
}

void Session::call(int entry, const void *const *args, void *const *results, int64_t batch) {
  if (entry < 0 || entry >= static_cast<int>(layouts_.size()))
    throw Error("artifact '" + artifact_->origin() + "': entry index " + std::to_string(entry) +
                " out of range");
  EntryLayout &l = layouts_[entry];
  if (l.batched) {
    if (batch < 1)
      throw Error("entry '" + artifact_->entries()[entry].name +
                  "' has a dynamic batch dimension: the call needs a batch size >= 1, got " +
                  std::to_string(batch));
    l.batch = batch;
  }
  for (size_t i = 0; i < l.numArgs; ++i)
    l.buffers[i] =
        const_cast<void *>(args[i]); // the ABI takes void**; compiled code never writes args
  for (size_t i = 0; i < l.numResults + l.numRowCounts; ++i)
    l.buffers[l.numArgs + l.numVars + i] = results[i];
  CallThreads threads;
  CallErrors errors;
  {
    CallErrorsScope scope(&errors);
    l.fn(l.buffers.data());
  }
  if (!errors.first.empty())
    throw Error("entry '" + artifact_->entries()[entry].name + "': " + errors.first +
                " (the call ran to its end; its variable updates were applied)");
}

void Session::call(int entry, const std::vector<const void *> &args,
                   const std::vector<void *> &results, int64_t batch) {
  if (entry < 0 || entry >= static_cast<int>(layouts_.size()))
    throw Error("artifact '" + artifact_->origin() + "': entry index " + std::to_string(entry) +
                " out of range");
  const EntryLayout &l = layouts_[entry];
  if (args.size() != l.numArgs || results.size() != l.numResults + l.numRowCounts) {
    const EntryInfo &e = artifact_->entries()[entry];
    throw Error("entry '" + e.name + "' takes " + std::to_string(l.numArgs) + " arguments and " +
                std::to_string(l.numResults + l.numRowCounts) +
                " result buffers (row counts included), got " + std::to_string(args.size()) +
                " and " + std::to_string(results.size()));
  }
  call(entry, args.data(), results.data(), batch);
}

void Session::call(const std::string &entry, const std::vector<const void *> &args,
                   const std::vector<void *> &results, int64_t batch) {
  call(entryIndex(entry), args, results, batch);
}

std::vector<HostTensor> Session::run(const std::string &entry,
                                     const std::vector<const HostTensor *> &args) {
  int index = entryIndex(entry);
  const EntryInfo &e = artifact_->entries()[index];
  if (args.size() != e.args.size())
    throw Error("entry '" + entry + "' takes " + std::to_string(e.args.size()) +
                " arguments, got " + std::to_string(args.size()));
  std::vector<const void *> argPtrs;
  int64_t batch = -1;
  size_t batchArg = 0; // the argument that set the batch size
  for (size_t i = 0; i < args.size(); ++i) {
    const TensorSpec &want = e.args[i];
    auto what = [&](size_t a) {
      return "entry '" + entry + "' argument #" + std::to_string(a) + " '" + e.args[a].name + "'";
    };
    if (!args[i] || args[i]->empty())
      throw Error(what(i) + ": missing tensor");
    const TensorSpec &got = args[i]->spec();
    if (got.dtype != want.dtype)
      throw Error(what(i) + ": expected dtype " + dtypeName(want.dtype) + ", got " +
                  dtypeName(got.dtype));
    bool sameInner = got.shape.size() == want.shape.size() &&
                     std::equal(want.shape.begin() + want.batch, want.shape.end(),
                                got.shape.begin() + want.batch);
    if (!sameInner)
      throw Error(what(i) + ": expected shape " + want.shapeString() + ", got " +
                  got.shapeString());
    if (want.batch) {
      if (got.shape[0] < 1)
        throw Error(what(i) + ": a batch of " + std::to_string(got.shape[0]) +
                    " rows (the batch size must be at least 1)");
      if (batch >= 0 && got.shape[0] != batch)
        throw Error(what(i) + ": batch size " + std::to_string(got.shape[0]) + " differs from " +
                    std::to_string(batch) + " of " + what(batchArg));
      if (batch < 0) {
        batch = got.shape[0];
        batchArg = i;
      }
    }
    argPtrs.push_back(args[i]->data());
  }
  std::vector<HostTensor> results;
  std::vector<void *> resultPtrs;
  results.reserve(e.results.size());
  for (const TensorSpec &r : e.results) {
    results.emplace_back(r.withBatch(batch));
    resultPtrs.push_back(results.back().data());
  }
  std::vector<int64_t> rowCounts(layouts_[index].numRowCounts);
  for (int64_t &count : rowCounts)
    resultPtrs.push_back(&count);
  call(index, argPtrs, resultPtrs, batch);
  // Results with a run-time row count: keep the rows the entry filled.
  size_t next = 0;
  for (HostTensor &r : results) {
    if (!r.spec().dynamicRows)
      continue;
    TensorSpec spec = r.spec();
    spec.dynamicRows = false;
    spec.shape[0] = rowCounts[next++];
    HostTensor trimmed(spec);
    std::memcpy(trimmed.data(), r.data(), trimmed.byteSize());
    r = trimmed;
  }
  return results;
}

std::vector<HostTensor> Session::run(const std::string &entry,
                                     const std::vector<HostTensor> &args) {
  std::vector<const HostTensor *> ptrs;
  for (const HostTensor &a : args)
    ptrs.push_back(&a);
  return run(entry, ptrs);
}

} // namespace sinter::runtime
