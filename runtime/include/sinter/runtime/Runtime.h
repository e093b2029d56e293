//===- Runtime.h - Load compiled artifacts and call their entries ---------===//
//
// The host-side runtime: tensors on the host, an Artifact (a loaded compiled program, see
// Abi.h) and a Session (one set of variable values for an artifact). No protobuf and no MLIR
// types appear here, so that a deployed program needs only this header and Abi.h.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_RUNTIME_RUNTIME_H
#define SINTER_RUNTIME_RUNTIME_H

#include "sinter/runtime/Abi.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace sinter::runtime {

/// Every runtime failure; the message names the file, entry or argument at fault.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Element types; values match nothing on purpose (the manifest's enum is mapped explicitly).
enum class DType { F32, F64, I32, I64, Bool, F16, BF16, I8, I16, U8 };

size_t dtypeSize(DType dtype);
/// A shape in Python tuple style: "(2, 3)", "(5,)", "()"; -1, the batch dimension of a
/// program compiled for any batch size, shows as None (Keras' spelling).
std::string shapeString(const std::vector<int64_t> &shape);
/// NumPy/TensorFlow spelling: "float32", "int64", "bool", ...
const char *dtypeName(DType dtype);
/// F32, F64, F16 or BF16.
bool isFloat(DType dtype);

/// Whether programs compiled now may call the library (oneDNN) kernels: false when
/// SINTER_GENERATED_ONLY=1 is set, and every op then runs as generated loops or scans (to
/// compare the library kernels' numbers with them, or to profile the generated code).
bool libraryKernelsEnabled();

/// How many library kernel calls (oneDNN matmuls, convolutions, poolings, batch normalisations)
/// failed in this process and computed their result with the reference loops instead (each
/// kind also warns once on stderr). The tests require it to stay 0, so a broken library path
/// cannot hide behind the fallback.
uint64_t libraryKernelFallbacks();

struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// A result whose leading dimension is known only at run time (boolean_mask, where):
  /// shape[0] is then its largest value, and the entry reports the actual row count.
  bool dynamicRows = false;
  /// An argument or result of a batched entry whose leading dimension is the batch size of
  /// each call: shape[0] is -1 (see withBatch).
  bool batch = false;

  /// Throws Error for a batch spec (its size depends on the call: use withBatch first).
  int64_t numElements() const;
  size_t byteSize() const;
  /// "(2, 3)" in Python tuple style; "()" for scalars; the batch dimension shows as None.
  std::string shapeString() const;
  /// This spec for a call with `rows` as batch size (unchanged when it is not a batch spec).
  TensorSpec withBatch(int64_t rows) const;
};

/// An owning, dense, row-major host tensor with SINTER_BUFFER_ALIGNMENT-aligned storage.
/// Copies share the storage (like a NumPy view of the same array); use clone() to copy data.
class HostTensor {
public:
  HostTensor() = default;
  /// Zero-initialised storage for `spec`.
  explicit HostTensor(TensorSpec spec);
  HostTensor(DType dtype, std::vector<int64_t> shape, std::string name = "");

  /// A tensor with its own copy of the data.
  HostTensor clone() const;

  const TensorSpec &spec() const { return spec_; }
  DType dtype() const { return spec_.dtype; }
  const std::vector<int64_t> &shape() const { return spec_.shape; }
  int64_t numElements() const { return spec_.numElements(); }
  size_t byteSize() const { return spec_.byteSize(); }
  bool empty() const { return !storage_; }

  void *data() { return storage_.get(); }
  const void *data() const { return storage_.get(); }

  /// Typed view of the elements; throws Error when sizeof(T) differs from the element size.
  template <typename T> std::span<T> as() {
    checkElementSize(sizeof(T));
    return {static_cast<T *>(data()), static_cast<size_t>(numElements())};
  }
  template <typename T> std::span<const T> as() const {
    checkElementSize(sizeof(T));
    return {static_cast<const T *>(data()), static_cast<size_t>(numElements())};
  }

  /// TensorFlow-style rendering:
  ///   <tf.Tensor: shape=(2, 3), dtype=float32, numpy=
  ///   array([[1., 2., 3.],
  ///          [4., 5., 6.]], dtype=float32)>
  /// Dimensions longer than `maxElements` show their first and last maxElements/2 entries
  /// around "...".
  std::string toString(int maxElements = 6) const;

private:
  void checkElementSize(size_t size) const;

  TensorSpec spec_;
  std::shared_ptr<std::byte> storage_;
};

/// One entry point's signature.
struct EntryInfo {
  std::string name;
  std::string symbol;
  std::vector<TensorSpec> args;
  std::vector<int> variables; ///< indices into Artifact::variables(), in buffer order
  std::vector<TensorSpec> results;
  /// Compiled with a dynamic batch dimension: any batch size per call (TensorSpec::batch).
  bool batched = false;
};

/// A loaded, validated compiled program: its manifest, variable initial values and entry points.
class Artifact {
public:
  using SymbolResolver = std::function<SinterEntryFn(const std::string &symbol)>;

  /// dlopen()s the shared object and reads the symbols exported with `prefix` (Abi.h).
  static std::shared_ptr<Artifact> open(const std::string &soPath,
                                        const std::string &prefix = "sinter_model");
  /// For an artifact linked into the program: the caller hands the ABI symbols over directly.
  /// The data must outlive the Artifact, or be owned by `owner`, which the Artifact keeps alive
  /// (code loaded in process). `resolve` returns nullptr for an unknown symbol.
  static std::shared_ptr<Artifact> fromSymbols(const uint8_t *manifest, uint64_t manifestSize,
                                               const uint8_t *varData, uint64_t varDataSize,
                                               SymbolResolver resolve,
                                               const std::string &origin = "<linked>",
                                               std::shared_ptr<const void> owner = nullptr);
  ~Artifact();
  Artifact(const Artifact &) = delete;
  Artifact &operator=(const Artifact &) = delete;

  /// Where the artifact came from (the .so path); used in error messages.
  const std::string &origin() const;
  const std::string &programName() const;
  const std::vector<TensorSpec> &variables() const;
  /// The initial value of variable `index`, or nullptr if it has none (then it starts at zero).
  const void *variableInitialData(int index) const;
  const std::vector<EntryInfo> &entries() const;
  /// Index into entries(); -1 when absent.
  int findEntry(const std::string &name) const;
  /// Throws Error naming the artifact and the available entries when absent.
  const EntryInfo &entry(const std::string &name) const;
  SinterEntryFn entryFunction(const std::string &name) const;
  SinterEntryFn entryFunction(int index) const;

  struct Impl;

private:
  explicit Artifact(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// One instance of a program's state: a buffer per variable, initialised from the artifact.
/// Not thread-safe: calls on one Session must not overlap (entries update variables in place).
class Session {
public:
  explicit Session(std::shared_ptr<Artifact> artifact);
  ~Session();
  Session(Session &&) noexcept;
  Session &operator=(Session &&) noexcept;

  const Artifact &artifact() const { return *artifact_; }

  HostTensor &variable(const std::string &name);
  const HostTensor &variable(const std::string &name) const;
  std::vector<std::string> variableNames() const;
  /// Restores every variable to its initial value.
  void resetVariables();

  /// Throws Error naming the entry and the available ones when absent.
  int entryIndex(const std::string &entry) const;

  /// Raw call: the caller provides dense buffers of the right spec (aligned to 64 bytes); after
  /// the results come one int64 row-count buffer per result with dynamicRows (Abi.h). A
  /// batched entry takes `batch` (>= 1), the rows of its batch-sized buffers; other entries
  /// ignore it. Only the counts are checked; this is the fast path of a training loop.
  void call(int entry, const std::vector<const void *> &args, const std::vector<void *> &results,
            int64_t batch = -1);
  void call(const std::string &entry, const std::vector<const void *> &args,
            const std::vector<void *> &results, int64_t batch = -1);
  /// Same, with pointer arrays, for callers that keep their own storage (generated headers).
  void call(int entry, const void *const *args, void *const *results, int64_t batch = -1);

  /// Checked call: validates each argument's dtype and shape and allocates the results. For a
  /// batched entry the batch size is the leading dimension of its batch-sized arguments, which
  /// must agree.
  std::vector<HostTensor> run(const std::string &entry,
                              const std::vector<const HostTensor *> &args);
  std::vector<HostTensor> run(const std::string &entry, const std::vector<HostTensor> &args);

private:
  struct EntryLayout;
  std::shared_ptr<Artifact> artifact_;
  std::vector<HostTensor> variables_;
  std::vector<EntryLayout> layouts_;
};

} // namespace sinter::runtime

#endif // SINTER_RUNTIME_RUNTIME_H
