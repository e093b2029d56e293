// Experience replay (DQN): the latest `capacity` transitions, the oldest dropped first
// (Python's deque(maxlen=...)), and uniform mini-batches drawn without replacement
// (random.sample).
#ifndef SINTER_RL_REPLAYBUFFER_H
#define SINTER_RL_REPLAYBUFFER_H

#include "sinter/Graph.h"

#include <algorithm>
#include <random>
#include <vector>

namespace sinter::rl {

template <class Transition> class ReplayBuffer {
public:
  explicit ReplayBuffer(size_t capacity) : capacity_(capacity) {
    if (capacity == 0)
      throw Error("rl::ReplayBuffer: capacity must be at least 1");
    items_.reserve(std::min<size_t>(capacity, 1 << 16));
  }
  void put(Transition t) {
    if (items_.size() < capacity_) {
      items_.push_back(std::move(t));
    } else {
      items_[next_] = std::move(t); // overwrites the oldest
      next_ = (next_ + 1) % capacity_;
    }
  }
  size_t size() const { return items_.size(); }
  size_t capacity() const { return capacity_; }
  /// `n` distinct transitions, each equally likely; Error when fewer than `n` are stored.
  template <class Rng> std::vector<Transition> sample(size_t n, Rng &rng) const {
    if (n > items_.size())
      throw Error("rl::ReplayBuffer::sample: asked for " + std::to_string(n) +
                  " transitions but only " + std::to_string(items_.size()) + " are stored");
    std::vector<Transition> out;
    out.reserve(n);
    // Selection sampling (Knuth's algorithm S), then a shuffle: random.sample's distribution.
    std::sample(items_.begin(), items_.end(), std::back_inserter(out), n, rng);
    std::shuffle(out.begin(), out.end(), rng);
    return out;
  }

private:
  size_t capacity_;
  size_t next_ = 0;
  std::vector<Transition> items_;
};

} // namespace sinter::rl

#endif
