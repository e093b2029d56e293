// A tf.data-like input pipeline on the host: lazy, composable, value semantics.
//
//   auto ds = Dataset::fromTensors({x, y}).shuffle(100, 42).batch(32).prefetch(2);
//   for (auto &elem : ds) { ... elem[0] is x's batch [b, ...], elem[1] is y's batch [b] ... }
//
// Each element is a tuple of runtime::HostTensor (a std::vector). Transformations return a new
// Dataset that shares the (immutable) upstream pipeline; nothing runs until it is iterated.
// Host side only: no graph API, no MLIR. Library `sinter_data` (links sinter_runtime).
#pragma once

#include "sinter/data/ImageDatasets.h"
#include "sinter/runtime/Runtime.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sinter::data {

using runtime::DType;
using runtime::HostTensor;

/// One element of a dataset: a tuple of tensors, e.g. (x, y).
using Element = std::vector<HostTensor>;

/// tf.data.INFINITE_CARDINALITY / UNKNOWN_CARDINALITY.
inline constexpr int64_t kInfiniteCardinality = -1;
inline constexpr int64_t kUnknownCardinality = -2;

namespace detail {
/// One pass over a dataset: next() yields elements until std::nullopt.
struct IteratorState {
  virtual ~IteratorState() = default;
  virtual std::optional<Element> next() = 0;
};
/// A node of the (immutable) pipeline graph.
struct DatasetNode {
  virtual ~DatasetNode() = default;
  virtual std::unique_ptr<IteratorState> makeIterator() const = 0;
  virtual int64_t cardinality() const = 0;
  /// The upstream nodes (for pipeline-wide settings such as shufflePass).
  virtual std::vector<const DatasetNode *> inputs() const { return {}; }
  /// Shuffle nodes: the next pass index.
  virtual void setPass(uint64_t) const {}
};
} // namespace detail

class Dataset {
public:
  /// A single pass over the dataset. Move-only; destroying it stops any prefetch threads.
  class Iterator {
  public:
    Iterator() = default;
    Iterator(std::unique_ptr<detail::IteratorState> state,
             std::shared_ptr<const detail::DatasetNode> keepAlive)
        : keep_(std::move(keepAlive)), state_(std::move(state)) {}
    /// The next element, or std::nullopt at the end (and ever after). An exception thrown by a
    /// map function or a loader (also on a prefetch thread) propagates from here.
    std::optional<Element> next();

  private:
    std::shared_ptr<const detail::DatasetNode> keep_; // the pipeline outlives the pass
    std::unique_ptr<detail::IteratorState> state_;
  };

  /// Input-iterator adaptor for range-for; `for (auto &elem : ds)` starts a fresh pass.
  class RangeIterator {
  public:
    struct Sentinel {};
    explicit RangeIterator(Iterator it) : it_(std::make_shared<Iterator>(std::move(it))) {
      advance();
    }
    Element &operator*() { return *current_; }
    Element *operator->() { return &*current_; }
    RangeIterator &operator++() {
      advance();
      return *this;
    }
    bool operator==(Sentinel) const { return !current_.has_value(); }
    bool operator!=(Sentinel) const { return current_.has_value(); }

  private:
    void advance() { current_ = it_->next(); }
    std::shared_ptr<Iterator> it_;
    std::optional<Element> current_;
  };

  Dataset() = default;
  explicit Dataset(std::shared_ptr<const detail::DatasetNode> node) : node_(std::move(node)) {}

  // ---- sources ------------------------------------------------------------------------------
  /// from_tensor_slices: element i is (t[i] for t in tensors). All tensors need rank >= 1 and
  /// the same first dimension (DataError otherwise). Slices are copies; the inputs are kept
  /// (shared, not copied) by the dataset.
  static Dataset fromTensors(std::vector<HostTensor> tensors);
  /// A dataset of these elements, in order.
  static Dataset fromElements(std::vector<Element> elements);
  /// 0, 1, ..., n-1 as int64 scalars (tf.data.Dataset.range).
  static Dataset range(int64_t n);
  /// Elements produced by a fresh generator for every pass: `factory()` returns a function that
  /// yields elements until std::nullopt (tf.data.Dataset.from_generator). Cardinality unknown.
  static Dataset fromGenerator(std::function<std::function<std::optional<Element>()>()> factory,
                               int64_t cardinality = kUnknownCardinality);

  // ---- transformations ----------------------------------------------------------------------
  /// TensorFlow's buffered shuffle: a buffer of up to `bufferSize` elements is filled from the
  /// input; each step emits a uniformly chosen buffer entry and refills its slot with the next
  /// input element. bufferSize >= cardinality gives a uniform permutation; 1 is the identity.
  /// The random stream of the k-th pass (k = 0, 1, ...) is mt19937_64 seeded with
  /// seed_seq{seed, k} when `reshuffleEachIteration` (so each epoch differs, and the sequence of
  /// epochs is reproducible for a given seed), and with seed_seq{seed, 0} on every pass
  /// otherwise. The pass counter belongs to this shuffle node and is shared by copies of the
  /// returned Dataset (like one tf.data object iterated several times); `shufflePass` sets it,
  /// e.g. to resume at a given epoch.
  Dataset shuffle(int64_t bufferSize, uint64_t seed, bool reshuffleEachIteration = true) const;
  /// Stacks `size` consecutive elements component-wise into [size, ...]; the last batch is
  /// smaller unless `dropRemainder`. Components must agree in dtype and shape (DataError).
  Dataset batch(int64_t size, bool dropRemainder = false) const;
  /// Applies `fn` to every element (lazily, on the thread that pulls the element).
  Dataset map(std::function<Element(Element)> fn) const;
  /// Keeps the elements for which `pred` is true. Cardinality becomes unknown.
  Dataset filter(std::function<bool(const Element &)> pred) const;
  /// Repeats the input `count` times (-1: forever). Each repetition is a fresh pass of the
  /// input (so an upstream shuffle reshuffles). An empty input ends the repetition.
  Dataset repeat(int64_t count = -1) const;
  /// The first n elements (n = -1: all).
  Dataset take(int64_t n) const;
  /// All but the first n elements (n = -1: none left).
  Dataset skip(int64_t n) const;
  /// Runs the input on a background std::thread that keeps up to `bufferSize` elements ready
  /// (bufferSize <= 0: 2). Same sequence as the input; an exception on the background thread is
  /// rethrown by the consumer's next() after the elements produced before it. Destroying the
  /// iterator stops and joins the thread.
  Dataset prefetch(int64_t bufferSize = 2) const;

  // ---- iteration ----------------------------------------------------------------------------
  /// A fresh pass over the dataset.
  Iterator iterator() const;
  RangeIterator begin() const { return RangeIterator(iterator()); }
  RangeIterator::Sentinel end() const { return {}; }

  /// Number of elements when known; kInfiniteCardinality or kUnknownCardinality otherwise.
  int64_t cardinality() const;
  /// Every element of one pass (DataError for an infinite dataset).
  std::vector<Element> collect() const;

  /// Sets the pass counter of every shuffle node in this pipeline (the next pass uses `pass`).
  void shufflePass(uint64_t pass) const;

  const std::shared_ptr<const detail::DatasetNode> &node() const { return node_; }

private:
  std::shared_ptr<const detail::DatasetNode> node_;
};

// ---- tensor helpers -------------------------------------------------------------------------

/// A tensor of `shape` holding `values` (count must match; DataError otherwise).
HostTensor makeTensor(const std::vector<int64_t> &shape, const std::vector<float> &values);
HostTensor makeTensor(const std::vector<int64_t> &shape, const std::vector<double> &values);
HostTensor makeTensor(const std::vector<int64_t> &shape, const std::vector<int32_t> &values);
HostTensor makeTensor(const std::vector<int64_t> &shape, const std::vector<int64_t> &values);

/// Row i of a rank >= 1 tensor, as a new tensor of shape shape[1:].
HostTensor sliceRow(const HostTensor &t, int64_t i);
/// Rows idx[0], idx[1], ... of a rank >= 1 tensor, as a new tensor [idx.size(), ...].
HostTensor gatherRows(const HostTensor &t, const std::vector<int64_t> &idx);
/// Stacks equal-shaped, equal-dtype tensors into [parts.size(), ...].
HostTensor stack(const std::vector<HostTensor> &parts);

/// Random split into parts of sizes round(cumulative fraction * n) (fractions must be positive
/// and sum to 1 within 1e-6). Rows of every tensor follow one permutation: Fisher-Yates over
/// std::mt19937_64(seed) drawn with a portable bounded draw, so the split is the same on every
/// platform; `shuffle = false` keeps the order. Result: parts x tensors.
std::vector<std::vector<HostTensor>> split(const std::vector<HostTensor> &tensors,
                                           const std::vector<double> &fractions, uint64_t seed,
                                           bool shuffle = true);
/// The same for a finite dataset: its elements (one pass) are split into datasets.
std::vector<Dataset> split(const Dataset &dataset, const std::vector<double> &fractions,
                           uint64_t seed, bool shuffle = true);

/// A permutation of 0..n-1 (Fisher-Yates over std::mt19937_64(seed), portable).
std::vector<int64_t> permutation(int64_t n, uint64_t seed);

} // namespace sinter::data
