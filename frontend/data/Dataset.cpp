// The tf.data-like pipeline: sources, transformations and the prefetch thread.
#include "sinter/data/Dataset.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>

namespace sinter::data {

using detail::DatasetNode;
using detail::IteratorState;
using NodePtr = std::shared_ptr<const DatasetNode>;

namespace {

std::string shapeText(const HostTensor &t) { return t.spec().shapeString(); }

/// Uniform in [0, n) from a 64-bit engine, identical on every platform.
uint64_t uniformBelow(std::mt19937_64 &rng, uint64_t n) {
  uint64_t threshold = (0 - n) % n;
  for (;;) {
    uint64_t r = rng();
    if (r >= threshold)
      return r % n;
  }
}

int64_t rowBytes(const HostTensor &t) {
  if (t.shape().empty())
    throw DataError("dataset: cannot slice a scalar tensor '" + t.spec().name + "'");
  int64_t rows = t.shape()[0];
  return rows == 0 ? 0 : static_cast<int64_t>(t.byteSize()) / rows;
}

template <typename T>
HostTensor makeTensorT(DType dtype, const std::vector<int64_t> &shape,
                       const std::vector<T> &values) {
  HostTensor t(dtype, shape);
  if (t.numElements() != static_cast<int64_t>(values.size()))
    throw DataError("makeTensor: " + std::to_string(values.size()) + " values do not fill shape " +
                    shapeText(t));
  if (!values.empty())
    std::memcpy(t.data(), values.data(), values.size() * sizeof(T));
  return t;
}

// ---- sources ----------------------------------------------------------------------------------

struct SlicesNode final : DatasetNode {
  std::vector<HostTensor> tensors;
  int64_t n = 0;

  struct It final : IteratorState {
    const SlicesNode *node;
    int64_t i = 0;
    std::optional<Element> next() override {
      if (i >= node->n)
        return std::nullopt;
      Element e;
      e.reserve(node->tensors.size());
      for (const HostTensor &t : node->tensors)
        e.push_back(sliceRow(t, i));
      ++i;
      return e;
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->node = this;
    return it;
  }
  int64_t cardinality() const override { return n; }
};

struct ElementsNode final : DatasetNode {
  std::vector<Element> elements;
  struct It final : IteratorState {
    const ElementsNode *node;
    size_t i = 0;
    std::optional<Element> next() override {
      if (i >= node->elements.size())
        return std::nullopt;
      return node->elements[i++];
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->node = this;
    return it;
  }
  int64_t cardinality() const override { return static_cast<int64_t>(elements.size()); }
};

struct GeneratorNode final : DatasetNode {
  std::function<std::function<std::optional<Element>()>()> factory;
  int64_t card = kUnknownCardinality;
  struct It final : IteratorState {
    std::function<std::optional<Element>()> gen;
    bool done = false;
    std::optional<Element> next() override {
      if (done)
        return std::nullopt;
      auto e = gen();
      if (!e)
        done = true;
      return e;
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->gen = factory();
    return it;
  }
  int64_t cardinality() const override { return card; }
};

// ---- transformations --------------------------------------------------------------------------

struct UnaryNode : DatasetNode {
  NodePtr input;
  std::vector<const DatasetNode *> inputs() const override { return {input.get()}; }
};

struct ShuffleNode final : UnaryNode {
  int64_t bufferSize = 1;
  uint64_t seed = 0;
  bool reshuffle = true;
  mutable std::atomic<uint64_t> pass{0};

  struct It final : IteratorState {
    std::unique_ptr<IteratorState> in;
    std::vector<Element> buffer;
    size_t cap;
    std::mt19937_64 rng;
    bool inputDone = false;
    std::optional<Element> next() override {
      while (!inputDone && buffer.size() < cap) {
        auto e = in->next();
        if (!e) {
          inputDone = true;
          break;
        }
        buffer.push_back(std::move(*e));
      }
      if (buffer.empty())
        return std::nullopt;
      size_t k = static_cast<size_t>(uniformBelow(rng, buffer.size()));
      Element out = std::move(buffer[k]);
      if (!inputDone) {
        if (auto e = in->next()) {
          buffer[k] = std::move(*e);
          return out;
        }
        inputDone = true;
      }
      buffer[k] = std::move(buffer.back());
      buffer.pop_back();
      return out;
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    uint64_t k = reshuffle ? pass.fetch_add(1) : 0;
    auto it = std::make_unique<It>();
    it->in = input->makeIterator();
    it->cap = static_cast<size_t>(bufferSize);
    std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                      static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32)};
    it->rng.seed(seq);
    return it;
  }
  int64_t cardinality() const override { return input->cardinality(); }
  void setPass(uint64_t p) const override { pass.store(p); }
};

struct BatchNode final : UnaryNode {
  int64_t size = 1;
  bool dropRemainder = false;
  struct It final : IteratorState {
    std::unique_ptr<IteratorState> in;
    int64_t size;
    bool drop;
    bool done = false;
    std::optional<Element> next() override {
      if (done)
        return std::nullopt;
      std::vector<Element> rows;
      rows.reserve(static_cast<size_t>(size));
      while (static_cast<int64_t>(rows.size()) < size) {
        auto e = in->next();
        if (!e) {
          done = true;
          break;
        }
        rows.push_back(std::move(*e));
      }
      if (rows.empty() || (drop && static_cast<int64_t>(rows.size()) < size))
        return std::nullopt;
      size_t arity = rows[0].size();
      Element out;
      out.reserve(arity);
      for (size_t c = 0; c < arity; ++c) {
        std::vector<HostTensor> parts;
        parts.reserve(rows.size());
        for (size_t r = 0; r < rows.size(); ++r) {
          if (rows[r].size() != arity)
            throw DataError("batch: elements have " + std::to_string(arity) + " and " +
                            std::to_string(rows[r].size()) + " components");
          parts.push_back(rows[r][c]);
        }
        try {
          out.push_back(stack(parts));
        } catch (const DataError &err) {
          throw DataError("batch: component " + std::to_string(c) + ": " + err.what() +
                          " (a batch stacks elements of one shape: pad sequences of different "
                          "lengths first, e.g. with data::padSequences)");
        }
      }
      return out;
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->in = input->makeIterator();
    it->size = size;
    it->drop = dropRemainder;
    return it;
  }
  int64_t cardinality() const override {
    int64_t n = input->cardinality();
    if (n < 0)
      return n;
    return dropRemainder ? n / size : (n + size - 1) / size;
  }
};

struct MapNode final : UnaryNode {
  std::function<Element(Element)> fn;
  struct It final : IteratorState {
    std::unique_ptr<IteratorState> in;
    const std::function<Element(Element)> *fn;
    std::optional<Element> next() override {
      auto e = in->next();
      if (!e)
        return std::nullopt;
      return (*fn)(std::move(*e));
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->in = input->makeIterator();
    it->fn = &fn;
    return it;
  }
  int64_t cardinality() const override { return input->cardinality(); }
};

struct FilterNode final : UnaryNode {
  std::function<bool(const Element &)> pred;
  struct It final : IteratorState {
    std::unique_ptr<IteratorState> in;
    const std::function<bool(const Element &)> *pred;
    std::optional<Element> next() override {
      while (auto e = in->next())
        if ((*pred)(*e))
          return e;
      return std::nullopt;
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->in = input->makeIterator();
    it->pred = &pred;
    return it;
  }
  int64_t cardinality() const override {
    return input->cardinality() == kInfiniteCardinality ? kInfiniteCardinality
                                                        : kUnknownCardinality;
  }
};

struct RepeatNode final : UnaryNode {
  int64_t count = -1;
  struct It final : IteratorState {
    const RepeatNode *node;
    std::unique_ptr<IteratorState> in;
    int64_t done = 0;
    bool producedThisPass = false;
    std::optional<Element> next() override {
      for (;;) {
        if (node->count >= 0 && done >= node->count)
          return std::nullopt;
        if (!in) {
          in = node->input->makeIterator();
          producedThisPass = false;
        }
        if (auto e = in->next()) {
          producedThisPass = true;
          return e;
        }
        in.reset();
        ++done;
        if (!producedThisPass) // an empty input repeats to nothing
          return std::nullopt;
      }
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->node = this;
    return it;
  }
  int64_t cardinality() const override {
    int64_t n = input->cardinality();
    if (n == 0 || count == 0)
      return 0;
    if (n == kInfiniteCardinality)
      return n;
    if (count < 0)
      return n == kUnknownCardinality ? kUnknownCardinality : kInfiniteCardinality;
    return n < 0 ? n : n * count;
  }
};

struct TakeNode final : UnaryNode {
  int64_t n = -1;
  struct It final : IteratorState {
    std::unique_ptr<IteratorState> in;
    int64_t left;
    std::optional<Element> next() override {
      if (left == 0)
        return std::nullopt;
      auto e = in->next();
      if (!e) {
        left = 0;
        return std::nullopt;
      }
      if (left > 0)
        --left;
      return e;
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->in = input->makeIterator();
    it->left = n;
    return it;
  }
  int64_t cardinality() const override {
    int64_t c = input->cardinality();
    if (n < 0)
      return c;
    if (c == kInfiniteCardinality)
      return n;
    if (c == kUnknownCardinality)
      return kUnknownCardinality;
    return std::min(c, n);
  }
};

struct SkipNode final : UnaryNode {
  int64_t n = 0;
  struct It final : IteratorState {
    std::unique_ptr<IteratorState> in;
    int64_t toSkip;
    bool all;
    std::optional<Element> next() override {
      if (all)
        return std::nullopt;
      while (toSkip > 0) {
        if (!in->next()) {
          toSkip = 0;
          all = true;
          return std::nullopt;
        }
        --toSkip;
      }
      return in->next();
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->in = input->makeIterator();
    it->toSkip = n < 0 ? 0 : n;
    it->all = n < 0;
    return it;
  }
  int64_t cardinality() const override {
    int64_t c = input->cardinality();
    if (n < 0)
      return 0;
    if (c < 0)
      return c;
    return std::max<int64_t>(0, c - n);
  }
};

struct PrefetchNode final : UnaryNode {
  int64_t bufferSize = 2;
  struct It final : IteratorState {
    std::unique_ptr<IteratorState> in;
    size_t cap;
    std::mutex m;
    std::condition_variable cv;
    std::deque<Element> queue;
    bool finished = false; // producer reached the end or failed
    bool stop = false;     // consumer gone
    std::exception_ptr error;
    std::thread worker;

    void run() {
      try {
        for (;;) {
          {
            std::unique_lock<std::mutex> lock(m);
            cv.wait(lock, [&] { return stop || queue.size() < cap; });
            if (stop)
              return;
          }
          std::optional<Element> e = in->next();
          std::lock_guard<std::mutex> lock(m);
          if (!e) {
            finished = true;
            cv.notify_all();
            return;
          }
          queue.push_back(std::move(*e));
          cv.notify_all();
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(m);
        error = std::current_exception();
        finished = true;
        cv.notify_all();
      }
    }
    std::optional<Element> next() override {
      std::unique_lock<std::mutex> lock(m);
      cv.wait(lock, [&] { return !queue.empty() || finished; });
      if (!queue.empty()) {
        Element e = std::move(queue.front());
        queue.pop_front();
        cv.notify_all();
        return e;
      }
      if (error) {
        std::exception_ptr err = error;
        error = nullptr;
        std::rethrow_exception(err);
      }
      return std::nullopt;
    }
    ~It() override {
      {
        std::lock_guard<std::mutex> lock(m);
        stop = true;
      }
      cv.notify_all();
      if (worker.joinable())
        worker.join();
    }
  };
  std::unique_ptr<IteratorState> makeIterator() const override {
    auto it = std::make_unique<It>();
    it->in = input->makeIterator();
    it->cap = static_cast<size_t>(bufferSize);
    It *raw = it.get();
    it->worker = std::thread([raw] { raw->run(); });
    return it;
  }
  int64_t cardinality() const override { return input->cardinality(); }
};

/// A node of type N reading `input`, its own fields set by `configure`.
template <typename N, typename Configure>
std::shared_ptr<N> unary(const NodePtr &input, const char *what, Configure configure) {
  if (!input)
    throw DataError(std::string("dataset: ") + what + " on an empty (default) Dataset");
  auto node = std::make_shared<N>();
  node->input = input;
  configure(*node);
  return node;
}

} // namespace

// ---- Dataset ----------------------------------------------------------------------------------

std::optional<Element> Dataset::Iterator::next() {
  if (!state_)
    return std::nullopt;
  return state_->next();
}

Dataset Dataset::fromTensors(std::vector<HostTensor> tensors) {
  if (tensors.empty())
    throw DataError("Dataset::fromTensors: no tensors");
  auto node = std::make_shared<SlicesNode>();
  for (size_t i = 0; i < tensors.size(); ++i) {
    const HostTensor &t = tensors[i];
    if (t.shape().empty())
      throw DataError("Dataset::fromTensors: tensor " + std::to_string(i) +
                      " is a scalar; slicing needs rank >= 1");
    if (i == 0)
      node->n = t.shape()[0];
    else if (t.shape()[0] != node->n)
      throw DataError("Dataset::fromTensors: tensor " + std::to_string(i) + " has " +
                      std::to_string(t.shape()[0]) + " rows, tensor 0 has " +
                      std::to_string(node->n));
  }
  node->tensors = std::move(tensors);
  return Dataset(node);
}

Dataset Dataset::fromElements(std::vector<Element> elements) {
  auto node = std::make_shared<ElementsNode>();
  node->elements = std::move(elements);
  return Dataset(node);
}

Dataset Dataset::range(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(std::max<int64_t>(0, n)));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<int64_t>(i);
  return fromTensors({makeTensor({static_cast<int64_t>(v.size())}, v)});
}

Dataset Dataset::fromGenerator(std::function<std::function<std::optional<Element>()>()> factory,
                               int64_t cardinality) {
  if (!factory)
    throw DataError("Dataset::fromGenerator: empty factory");
  auto node = std::make_shared<GeneratorNode>();
  node->factory = std::move(factory);
  node->card = cardinality;
  return Dataset(node);
}

Dataset Dataset::shuffle(int64_t bufferSize, uint64_t seed, bool reshuffleEachIteration) const {
  if (bufferSize < 1)
    throw DataError("Dataset::shuffle: buffer size must be >= 1, got " +
                    std::to_string(bufferSize));
  return Dataset(unary<ShuffleNode>(node_, "shuffle", [&](ShuffleNode &node) {
    node.bufferSize = bufferSize;
    node.seed = seed;
    node.reshuffle = reshuffleEachIteration;
  }));
}

Dataset Dataset::batch(int64_t size, bool dropRemainder) const {
  if (size < 1)
    throw DataError("Dataset::batch: batch size must be >= 1, got " + std::to_string(size));
  return Dataset(unary<BatchNode>(node_, "batch", [&](BatchNode &node) {
    node.size = size;
    node.dropRemainder = dropRemainder;
  }));
}

Dataset Dataset::map(std::function<Element(Element)> fn) const {
  if (!fn)
    throw DataError("Dataset::map: empty function");
  return Dataset(unary<MapNode>(node_, "map", [&](MapNode &node) { node.fn = std::move(fn); }));
}

Dataset Dataset::filter(std::function<bool(const Element &)> pred) const {
  if (!pred)
    throw DataError("Dataset::filter: empty predicate");
  return Dataset(
      unary<FilterNode>(node_, "filter", [&](FilterNode &node) { node.pred = std::move(pred); }));
}

Dataset Dataset::repeat(int64_t count) const {
  return Dataset(unary<RepeatNode>(node_, "repeat",
                                   [&](RepeatNode &node) { node.count = count < 0 ? -1 : count; }));
}

Dataset Dataset::take(int64_t n) const {
  return Dataset(unary<TakeNode>(node_, "take", [&](TakeNode &node) { node.n = n < 0 ? -1 : n; }));
}

Dataset Dataset::skip(int64_t n) const {
  return Dataset(unary<SkipNode>(node_, "skip", [&](SkipNode &node) { node.n = n < 0 ? -1 : n; }));
}

Dataset Dataset::prefetch(int64_t bufferSize) const {
  return Dataset(unary<PrefetchNode>(node_, "prefetch", [&](PrefetchNode &node) {
    node.bufferSize = bufferSize <= 0 ? 2 : bufferSize;
  }));
}

Dataset::Iterator Dataset::iterator() const {
  if (!node_)
    return Iterator();
  return Iterator(node_->makeIterator(), node_);
}

int64_t Dataset::cardinality() const { return node_ ? node_->cardinality() : 0; }

std::vector<Element> Dataset::collect() const {
  if (cardinality() == kInfiniteCardinality)
    throw DataError("Dataset::collect: the dataset is infinite");
  std::vector<Element> out;
  Iterator it = iterator();
  while (auto e = it.next())
    out.push_back(std::move(*e));
  return out;
}

void Dataset::shufflePass(uint64_t pass) const {
  std::vector<const DatasetNode *> stack{node_.get()};
  std::unordered_set<const DatasetNode *> seen;
  while (!stack.empty()) {
    const DatasetNode *n = stack.back();
    stack.pop_back();
    if (!n || !seen.insert(n).second)
      continue;
    n->setPass(pass);
    for (const DatasetNode *in : n->inputs())
      stack.push_back(in);
  }
}

// ---- tensor helpers ---------------------------------------------------------------------------

HostTensor makeTensor(const std::vector<int64_t> &shape, const std::vector<float> &values) {
  return makeTensorT(DType::F32, shape, values);
}
HostTensor makeTensor(const std::vector<int64_t> &shape, const std::vector<double> &values) {
  return makeTensorT(DType::F64, shape, values);
}
HostTensor makeTensor(const std::vector<int64_t> &shape, const std::vector<int32_t> &values) {
  return makeTensorT(DType::I32, shape, values);
}
HostTensor makeTensor(const std::vector<int64_t> &shape, const std::vector<int64_t> &values) {
  return makeTensorT(DType::I64, shape, values);
}

HostTensor sliceRow(const HostTensor &t, int64_t i) {
  int64_t bytes = rowBytes(t);
  if (i < 0 || i >= t.shape()[0])
    throw DataError("row " + std::to_string(i) + " out of range for shape " + shapeText(t));
  std::vector<int64_t> shape(t.shape().begin() + 1, t.shape().end());
  HostTensor out(t.dtype(), shape, t.spec().name);
  if (bytes)
    std::memcpy(out.data(), static_cast<const std::byte *>(t.data()) + i * bytes,
                static_cast<size_t>(bytes));
  return out;
}

HostTensor gatherRows(const HostTensor &t, const std::vector<int64_t> &idx) {
  int64_t bytes = rowBytes(t);
  std::vector<int64_t> shape = t.shape();
  shape[0] = static_cast<int64_t>(idx.size());
  HostTensor out(t.dtype(), shape, t.spec().name);
  auto *dst = static_cast<std::byte *>(out.data());
  const auto *src = static_cast<const std::byte *>(t.data());
  for (size_t r = 0; r < idx.size(); ++r) {
    if (idx[r] < 0 || idx[r] >= t.shape()[0])
      throw DataError("row " + std::to_string(idx[r]) + " out of range for shape " + shapeText(t));
    if (bytes)
      std::memcpy(dst + r * bytes, src + idx[r] * bytes, static_cast<size_t>(bytes));
  }
  return out;
}

HostTensor stack(const std::vector<HostTensor> &parts) {
  if (parts.empty())
    throw DataError("stack: no tensors");
  const HostTensor &first = parts[0];
  std::vector<int64_t> shape{static_cast<int64_t>(parts.size())};
  shape.insert(shape.end(), first.shape().begin(), first.shape().end());
  HostTensor out(first.dtype(), shape, first.spec().name);
  size_t bytes = first.byteSize();
  auto *dst = static_cast<std::byte *>(out.data());
  for (size_t i = 0; i < parts.size(); ++i) {
    const HostTensor &p = parts[i];
    if (p.dtype() != first.dtype() || p.shape() != first.shape())
      throw DataError("stack: element " + std::to_string(i) + " is " +
                      runtime::dtypeName(p.dtype()) + shapeText(p) + ", element 0 is " +
                      runtime::dtypeName(first.dtype()) + shapeText(first));
    if (bytes)
      std::memcpy(dst + i * bytes, p.data(), bytes);
  }
  return out;
}

std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(static_cast<size_t>(std::max<int64_t>(0, n)));
  for (size_t i = 0; i < p.size(); ++i)
    p[i] = static_cast<int64_t>(i);
  std::mt19937_64 rng(seed);
  for (size_t i = p.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(uniformBelow(rng, i));
    std::swap(p[i - 1], p[j]);
  }
  return p;
}

namespace {
std::vector<int64_t> partSizes(int64_t n, const std::vector<double> &fractions) {
  if (fractions.empty())
    throw DataError("split: no fractions");
  double sum = 0;
  for (double f : fractions) {
    if (!(f > 0))
      throw DataError("split: fractions must be positive");
    sum += f;
  }
  if (std::abs(sum - 1.0) > 1e-6)
    throw DataError("split: fractions sum to " + std::to_string(sum) + ", not 1");
  std::vector<int64_t> sizes;
  double cum = 0;
  int64_t prev = 0;
  for (size_t i = 0; i < fractions.size(); ++i) {
    cum += fractions[i];
    int64_t end = i + 1 == fractions.size() ? n : static_cast<int64_t>(std::llround(cum * n));
    end = std::clamp<int64_t>(end, prev, n);
    sizes.push_back(end - prev);
    prev = end;
  }
  return sizes;
}
} // namespace

std::vector<std::vector<HostTensor>> split(const std::vector<HostTensor> &tensors,
                                           const std::vector<double> &fractions, uint64_t seed,
                                           bool shuffle) {
  if (tensors.empty())
    throw DataError("split: no tensors");
  for (const HostTensor &t : tensors)
    if (t.shape().empty() || t.shape()[0] != tensors[0].shape()[0])
      throw DataError("split: tensors need rank >= 1 and the same number of rows");
  int64_t n = tensors[0].shape()[0];
  std::vector<int64_t> order = shuffle ? permutation(n, seed) : permutation(n, 0);
  if (!shuffle)
    for (int64_t i = 0; i < n; ++i)
      order[static_cast<size_t>(i)] = i;
  std::vector<std::vector<HostTensor>> parts;
  int64_t start = 0;
  for (int64_t size : partSizes(n, fractions)) {
    std::vector<int64_t> idx(order.begin() + start, order.begin() + start + size);
    std::vector<HostTensor> part;
    for (const HostTensor &t : tensors)
      part.push_back(gatherRows(t, idx));
    parts.push_back(std::move(part));
    start += size;
  }
  return parts;
}

std::vector<Dataset> split(const Dataset &dataset, const std::vector<double> &fractions,
                           uint64_t seed, bool shuffle) {
  std::vector<Element> all = dataset.collect();
  int64_t n = static_cast<int64_t>(all.size());
  std::vector<int64_t> order = permutation(n, seed);
  if (!shuffle)
    for (int64_t i = 0; i < n; ++i)
      order[static_cast<size_t>(i)] = i;
  std::vector<Dataset> parts;
  int64_t start = 0;
  for (int64_t size : partSizes(n, fractions)) {
    std::vector<Element> part;
    part.reserve(static_cast<size_t>(size));
    for (int64_t i = start; i < start + size; ++i)
      part.push_back(all[static_cast<size_t>(order[static_cast<size_t>(i)])]);
    parts.push_back(Dataset::fromElements(std::move(part)));
    start += size;
  }
  return parts;
}

} // namespace sinter::data
