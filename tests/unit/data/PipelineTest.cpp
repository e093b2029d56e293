// The tf.data-like Dataset: sources, each transformation's semantics, cardinality, prefetch.
#include "sinter/data/Dataset.h"
#include "sinter/data/ImageTransforms.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

using namespace sinter::data;

namespace {

int64_t scalarI64(const HostTensor &t) { return t.as<int64_t>()[0]; }

/// The int64 scalars of a one-component dataset (one pass).
std::vector<int64_t> values(const Dataset &ds) {
  std::vector<int64_t> out;
  for (auto &e : ds)
    out.push_back(scalarI64(e[0]));
  return out;
}

std::vector<int64_t> iota(int64_t a, int64_t b) {
  std::vector<int64_t> v;
  for (int64_t i = a; i < b; ++i)
    v.push_back(i);
  return v;
}

} // namespace

TEST_CASE("fromTensors slices along the first dimension", "[data][dataset]") {
  HostTensor x = makeTensor({3, 2}, std::vector<float>{1, 2, 3, 4, 5, 6});
  HostTensor y = makeTensor({3}, std::vector<int32_t>{7, 8, 9});
  Dataset ds = Dataset::fromTensors({x, y});
  CHECK(ds.cardinality() == 3);
  auto it = ds.iterator();
  auto e0 = it.next();
  REQUIRE(e0);
  REQUIRE(e0->size() == 2);
  CHECK((*e0)[0].shape() == std::vector<int64_t>{2});
  CHECK((*e0)[0].as<float>()[1] == 2.0f);
  CHECK((*e0)[1].shape().empty());
  CHECK((*e0)[1].as<int32_t>()[0] == 7);
  auto e1 = it.next();
  auto e2 = it.next();
  REQUIRE(e2);
  CHECK((*e2)[0].as<float>()[0] == 5.0f);
  CHECK((*e2)[1].as<int32_t>()[0] == 9);
  CHECK(!it.next());
  CHECK(!it.next()); // stays exhausted

  // Slices are copies: changing one does not touch the source.
  (*e1)[0].as<float>()[0] = 100;
  CHECK(x.as<float>()[2] == 3.0f);

  // Each range-for is a fresh pass.
  int passes = 0;
  for (int k = 0; k < 2; ++k) {
    int n = 0;
    for (auto &e : ds) {
      CHECK(e.size() == 2);
      ++n;
    }
    CHECK(n == 3);
    ++passes;
  }
  CHECK(passes == 2);

  CHECK_THROWS_AS(Dataset::fromTensors({x, makeTensor({2}, std::vector<int32_t>{1, 2})}),
                  DataError);
  CHECK_THROWS_AS(Dataset::fromTensors({}), DataError);
}

TEST_CASE("an iterator keeps the pipeline alive", "[data][dataset]") {
  auto it = Dataset::range(4).map([](Element e) { return e; }).iterator();
  CHECK(scalarI64((*it.next())[0]) == 0);
  CHECK(scalarI64((*it.next())[0]) == 1);
}

TEST_CASE("batch stacks elements, with and without the remainder", "[data][dataset]") {
  HostTensor x = makeTensor({5, 2}, std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  HostTensor y = makeTensor({5}, std::vector<int32_t>{0, 1, 2, 3, 4});
  Dataset base = Dataset::fromTensors({x, y});

  Dataset keep = base.batch(2);
  CHECK(keep.cardinality() == 3);
  std::vector<Element> b = keep.collect();
  REQUIRE(b.size() == 3);
  CHECK(b[0][0].shape() == std::vector<int64_t>{2, 2});
  CHECK(b[0][1].shape() == std::vector<int64_t>{2});
  CHECK(b[1][0].as<float>()[0] == 4.0f);
  CHECK(b[1][1].as<int32_t>()[1] == 3);
  CHECK(b[2][0].shape() == std::vector<int64_t>{1, 2}); // the remainder
  CHECK(b[2][0].as<float>()[1] == 9.0f);
  CHECK(b[2][1].as<int32_t>()[0] == 4);

  Dataset drop = base.batch(2, /*dropRemainder=*/true);
  CHECK(drop.cardinality() == 2);
  CHECK(drop.collect().size() == 2);

  CHECK(base.batch(5, true).collect().size() == 1);
  CHECK(base.batch(6, true).collect().empty());
  CHECK(base.batch(6).collect()[0][0].shape() == std::vector<int64_t>{5, 2});

  // Batches of batches.
  auto bb = base.batch(2, true).batch(2).collect();
  REQUIRE(bb.size() == 1);
  CHECK(bb[0][0].shape() == std::vector<int64_t>{2, 2, 2});

  // Elements of different shapes cannot be stacked.
  Dataset ragged = Dataset::fromElements({{makeTensor({2}, std::vector<float>{1, 2})},
                                          {makeTensor({3}, std::vector<float>{1, 2, 3})}});
  auto it = ragged.batch(2).iterator();
  CHECK_THROWS_AS(it.next(), DataError);
  CHECK_THROWS_AS(base.batch(0), DataError);
}

TEST_CASE("map applies a function lazily", "[data][dataset]") {
  std::atomic<int> calls{0};
  Dataset ds = Dataset::range(5).map([&](Element e) {
    ++calls;
    int64_t v = scalarI64(e[0]);
    return Element{makeTensor({}, std::vector<int64_t>{v * v}),
                   makeTensor({2}, std::vector<float>{float(v), -float(v)})};
  });
  CHECK(calls == 0);
  CHECK(ds.cardinality() == 5);
  auto all = ds.collect();
  CHECK(calls == 5);
  REQUIRE(all.size() == 5);
  CHECK(scalarI64(all[3][0]) == 9);
  CHECK(all[4][1].as<float>()[1] == -4.0f);
  CHECK(values(Dataset::range(6).filter([](const Element &e) {
          return scalarI64(e[0]) % 2 == 0;
        })) == std::vector<int64_t>{0, 2, 4});
}

TEST_CASE("repeat, take and skip keep the order", "[data][dataset]") {
  Dataset r = Dataset::range(3);
  CHECK(values(r.repeat(2)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2});
  CHECK(r.repeat(2).cardinality() == 6);
  CHECK(r.repeat().cardinality() == kInfiniteCardinality);
  CHECK(values(r.repeat().take(7)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0});
  CHECK(r.repeat().take(7).cardinality() == 7);
  CHECK(values(r.repeat(0)).empty());
  CHECK(values(Dataset::range(0).repeat()).empty()); // an empty input ends
  CHECK(values(Dataset::range(10).skip(3).take(4)) == std::vector<int64_t>{3, 4, 5, 6});
  CHECK(values(Dataset::range(10).take(4).skip(3)) == std::vector<int64_t>{3});
  CHECK(values(Dataset::range(5).skip(7)).empty());
  CHECK(Dataset::range(5).skip(7).cardinality() == 0);
  CHECK(Dataset::range(10).skip(3).cardinality() == 7);
  CHECK(values(Dataset::range(5).take(-1)) == iota(0, 5));
  CHECK(values(Dataset::range(5).skip(-1)).empty());
  CHECK(values(Dataset::range(4).skip(1).repeat(2)) == std::vector<int64_t>{1, 2, 3, 1, 2, 3});
  CHECK(Dataset::range(5).filter([](const Element &) { return true; }).cardinality() ==
        kUnknownCardinality);
  CHECK_THROWS_AS(r.repeat().collect(), DataError);
}

TEST_CASE("shuffle: buffer semantics, reproducible per seed, reshuffled per pass",
          "[data][dataset]") {
  const int64_t n = 100;
  Dataset base = Dataset::range(n);

  SECTION("a full buffer gives a permutation; the same seed the same order") {
    Dataset a = base.shuffle(n, 42);
    std::vector<int64_t> pass0 = values(a);
    std::vector<int64_t> sorted = pass0;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == iota(0, n));
    CHECK(pass0 != iota(0, n));
    CHECK(a.cardinality() == n);

    // A new pipeline with the same seed replays the same sequence of epochs.
    Dataset b = base.shuffle(n, 42);
    std::vector<int64_t> pass1 = values(a);
    CHECK(values(b) == pass0);
    CHECK(values(b) == pass1);
    CHECK(pass1 != pass0); // reshuffled each iteration

    // A different seed differs.
    CHECK(values(base.shuffle(n, 43)) != pass0);

    // Without reshuffling, every pass is the same.
    Dataset c = base.shuffle(n, 42, /*reshuffleEachIteration=*/false);
    CHECK(values(c) == pass0);
    CHECK(values(c) == pass0);

    // shufflePass rewinds the pass counter (e.g. to resume an epoch).
    a.shufflePass(1);
    CHECK(values(a) == pass1);
    a.batch(10).shufflePass(0); // reaches the shuffle through the batch node
    CHECK(values(a) == pass0);
  }

  SECTION("buffer size 1 is the identity") { CHECK(values(base.shuffle(1, 7)) == iota(0, n)); }

  SECTION("a small buffer only moves elements a bounded distance") {
    // With buffer B, the element emitted at step i was among the first i + B inputs, so
    // output[i] < i + B.
    const int64_t B = 5;
    std::vector<int64_t> out = values(base.shuffle(B, 3));
    std::vector<int64_t> sorted = out;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == iota(0, n));
    for (int64_t i = 0; i < n; ++i)
      CHECK(out[static_cast<size_t>(i)] < i + B);
    CHECK(out != iota(0, n));
    // The first output is one of the first B inputs.
    CHECK(out[0] < B);
  }

  SECTION("repeat after shuffle reshuffles each repetition") {
    std::vector<int64_t> all = values(base.shuffle(n, 9).repeat(2));
    REQUIRE(all.size() == 2 * n);
    std::vector<int64_t> first(all.begin(), all.begin() + n), second(all.begin() + n, all.end());
    CHECK(first != second);
    std::sort(second.begin(), second.end());
    CHECK(second == iota(0, n));
  }

  SECTION("shuffle keeps tuples together") {
    std::vector<int32_t> xs(20), ys(20);
    for (int i = 0; i < 20; ++i) {
      xs[static_cast<size_t>(i)] = i;
      ys[static_cast<size_t>(i)] = 100 + i;
    }
    Dataset ds = Dataset::fromTensors({makeTensor({20}, xs), makeTensor({20}, ys)}).shuffle(8, 1);
    for (auto &e : ds)
      CHECK(e[1].as<int32_t>()[0] == e[0].as<int32_t>()[0] + 100);
  }
  CHECK_THROWS_AS(base.shuffle(0, 1), DataError);
}

TEST_CASE("prefetch delivers the same sequence on a background thread", "[data][dataset]") {
  Dataset src = Dataset::range(200).shuffle(50, 5).batch(7);
  std::vector<Element> expect = src.collect();
  src.shufflePass(0);
  std::vector<Element> got = src.prefetch(3).collect();
  REQUIRE(got.size() == expect.size());
  for (size_t i = 0; i < got.size(); ++i) {
    REQUIRE(got[i][0].shape() == expect[i][0].shape());
    for (int64_t k = 0; k < got[i][0].numElements(); ++k)
      CHECK(got[i][0].as<int64_t>()[k] == expect[i][0].as<int64_t>()[k]);
  }
  CHECK(src.prefetch(3).cardinality() == src.cardinality());

  // The map runs on another thread.
  std::thread::id consumer = std::this_thread::get_id();
  std::atomic<bool> elsewhere{true};
  Dataset threaded = Dataset::range(10).map([&](Element e) {
    if (std::this_thread::get_id() == consumer)
      elsewhere = false;
    return e;
  });
  CHECK(values(threaded.prefetch(2)) == iota(0, 10));
  CHECK(elsewhere);

  // Prefetch of prefetch, and of an infinite dataset, stopped early: destruction joins cleanly.
  CHECK(values(Dataset::range(30).prefetch(1).map([](Element e) { return e; }).prefetch(4)) ==
        iota(0, 30));
  {
    auto it = Dataset::range(5).repeat().prefetch(2).iterator();
    for (int i = 0; i < 12; ++i)
      CHECK(it.next());
  } // iterator destroyed with the producer blocked on a full queue
  {
    std::atomic<int> produced{0};
    auto it = Dataset::range(1000)
                  .map([&](Element e) {
                    ++produced;
                    return e;
                  })
                  .prefetch(4)
                  .iterator();
    it.next();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(produced <= 1 + 4 + 1); // bounded queue: the producer waits
  }
}

TEST_CASE("prefetch propagates an exception to the consumer", "[data][dataset]") {
  Dataset bad = Dataset::range(10).map([](Element e) {
    if (scalarI64(e[0]) == 6)
      throw DataError("boom at 6");
    return e;
  });
  auto it = bad.prefetch(3).iterator();
  for (int64_t i = 0; i < 6; ++i) {
    auto e = it.next();
    REQUIRE(e);
    CHECK(scalarI64((*e)[0]) == i);
  }
  CHECK_THROWS_WITH(it.next(), Catch::Contains("boom at 6"));
  CHECK(!it.next());

  // A range-for sees it too.
  std::vector<int64_t> seen;
  auto consume = [&] {
    for (auto &e : bad.prefetch(2))
      seen.push_back(scalarI64(e[0]));
  };
  CHECK_THROWS_AS(consume(), DataError);
  CHECK(seen == iota(0, 6));
}

TEST_CASE("fromGenerator and fromElements", "[data][dataset]") {
  Dataset g = Dataset::fromGenerator([] {
    auto i = std::make_shared<int64_t>(0);
    return [i]() -> std::optional<Element> {
      if (*i >= 4)
        return std::nullopt;
      return Element{makeTensor({}, std::vector<int64_t>{(*i)++ * 10})};
    };
  });
  CHECK(g.cardinality() == kUnknownCardinality);
  CHECK(values(g) == std::vector<int64_t>{0, 10, 20, 30});
  CHECK(values(g.repeat(2)) == std::vector<int64_t>{0, 10, 20, 30, 0, 10, 20, 30});
  Dataset e = Dataset::fromElements(
      {{makeTensor({}, std::vector<int64_t>{5})}, {makeTensor({}, std::vector<int64_t>{6})}});
  CHECK(e.cardinality() == 2);
  CHECK(values(e) == std::vector<int64_t>{5, 6});
}

TEST_CASE("split of tensors and datasets", "[data][dataset]") {
  std::vector<float> xs;
  std::vector<int32_t> ys;
  for (int i = 0; i < 10; ++i) {
    xs.push_back(float(i));
    xs.push_back(float(-i));
    ys.push_back(i);
  }
  HostTensor x = makeTensor({10, 2}, xs), y = makeTensor({10}, ys);
  auto parts = split({x, y}, {0.6, 0.2, 0.2}, 11);
  REQUIRE(parts.size() == 3);
  CHECK(parts[0][0].shape() == std::vector<int64_t>{6, 2});
  CHECK(parts[1][1].shape() == std::vector<int64_t>{2});
  CHECK(parts[2][1].shape() == std::vector<int64_t>{2});
  std::set<int32_t> seen;
  for (auto &p : parts)
    for (int64_t r = 0; r < p[1].shape()[0]; ++r) {
      int32_t label = p[1].as<int32_t>()[r];
      seen.insert(label);
      CHECK(p[0].as<float>()[2 * r] == float(label)); // rows stay aligned
      CHECK(p[0].as<float>()[2 * r + 1] == -float(label));
    }
  CHECK(seen.size() == 10);
  // Reproducible, and the seed matters.
  auto again = split({x, y}, {0.6, 0.2, 0.2}, 11);
  auto other = split({x, y}, {0.6, 0.2, 0.2}, 12);
  std::vector<int32_t> a(parts[0][1].as<int32_t>().begin(), parts[0][1].as<int32_t>().end());
  std::vector<int32_t> b(again[0][1].as<int32_t>().begin(), again[0][1].as<int32_t>().end());
  std::vector<int32_t> c(other[0][1].as<int32_t>().begin(), other[0][1].as<int32_t>().end());
  CHECK(a == b);
  CHECK(a != c);
  auto ordered = split({y}, {0.5, 0.5}, 0, /*shuffle=*/false);
  CHECK(ordered[1][0].as<int32_t>()[0] == 5);
  CHECK_THROWS_AS(split({x}, {0.5, 0.4}, 0), DataError);

  auto dsParts = split(Dataset::range(20), {0.75, 0.25}, 3);
  REQUIRE(dsParts.size() == 2);
  CHECK(dsParts[0].cardinality() == 15);
  CHECK(dsParts[1].cardinality() == 5);
  std::vector<int64_t> all = values(dsParts[0]);
  for (int64_t v : values(dsParts[1]))
    all.push_back(v);
  std::sort(all.begin(), all.end());
  CHECK(all == iota(0, 20));

  std::vector<int64_t> p = permutation(50, 1);
  std::vector<int64_t> q = p;
  std::sort(q.begin(), q.end());
  CHECK(q == iota(0, 50));
  CHECK(permutation(50, 1) == p);
}

// ---------------------------------------------------------------------------------------------
// Image transforms (tf.image)

namespace {
/// A [h, w, 1] image whose pixel (i, j) holds 10·i + j.
sinter::runtime::HostTensor gridImage(int64_t h, int64_t w) {
  sinter::runtime::HostTensor t(sinter::runtime::DType::F32, {h, w, 1});
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < w; ++j)
      t.as<float>()[i * w + j] = float(10 * i + j);
  return t;
}
std::vector<float> pixels(const sinter::runtime::HostTensor &t) {
  auto s = t.as<float>();
  return {s.begin(), s.end()};
}
} // namespace

TEST_CASE("image flips, rot90, crop with padding", "[data][image]") {
  using namespace sinter::data::image;
  auto img = gridImage(2, 3); // [[0 1 2] [10 11 12]]
  CHECK(pixels(flipLeftRight(img)) == std::vector<float>{2, 1, 0, 12, 11, 10});
  CHECK(pixels(flipUpDown(img)) == std::vector<float>{10, 11, 12, 0, 1, 2});
  auto r = rot90(img); // counter-clockwise: [[2 12] [1 11] [0 10]]
  CHECK(r.shape() == std::vector<int64_t>{3, 2, 1});
  CHECK(pixels(r) == std::vector<float>{2, 12, 1, 11, 0, 10});
  CHECK(pixels(rot90(img, -1)) == pixels(rot90(img, 3)));
  CHECK(pixels(rot90(rot90(img))) == pixels(rot90(img, 2)));
  CHECK(pixels(rot90(img, 4)) == pixels(img));
  auto c = crop(img, 0, 0, 2, 3, /*padding=*/1); // the padded image's top-left 2x3
  CHECK(pixels(c) == std::vector<float>{0, 0, 0, 0, 0, 1});
  CHECK_THROWS_WITH(crop(img, 1, 0, 3, 3), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(flipLeftRight(sinter::runtime::HostTensor(sinter::runtime::DType::F32, {4})),
                    Catch::Contains("expects float32 images"));
}

TEST_CASE("image resize: nearest and bilinear with half-pixel centres", "[data][image]") {
  using namespace sinter::data::image;
  sinter::runtime::HostTensor img(sinter::runtime::DType::F32, {1, 2, 1});
  img.as<float>()[0] = 0;
  img.as<float>()[1] = 4;
  // 2 -> 4 columns: sources at -0.25, 0.25, 0.75, 1.25 (clamped) as tf.image.resize gives.
  CHECK(pixels(resize(img, 1, 4)) == std::vector<float>{0, 1, 3, 4});
  CHECK(pixels(resize(img, 1, 4, Interpolation::Nearest)) == std::vector<float>{0, 0, 4, 4});
  auto batch =
      resize(sinter::runtime::HostTensor(sinter::runtime::DType::F32, {5, 28, 28, 1}), 32, 32);
  CHECK(batch.shape() == std::vector<int64_t>{5, 32, 32, 1});
}

TEST_CASE("random augmentations as Dataset maps are reproducible", "[data][image]") {
  using namespace sinter::data;
  std::vector<Element> images;
  for (int i = 0; i < 8; ++i)
    images.push_back({gridImage(4, 4)});
  auto run = [&](uint64_t seed) {
    Dataset ds = Dataset::fromElements(images)
                     .map(image::randomCropWithPadding(2, seed))
                     .map(image::randomFlipLeftRight(seed + 1));
    std::vector<float> all;
    auto it = ds.iterator();
    while (auto e = it.next()) {
      REQUIRE((*e)[0].shape() == std::vector<int64_t>{4, 4, 1});
      for (float v : pixels((*e)[0]))
        all.push_back(v);
    }
    return all;
  };
  CHECK(run(1) == run(1));
  CHECK(run(1) != run(2));
}
