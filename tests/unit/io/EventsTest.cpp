// TensorBoard event files: CRC32C against known vectors, TFRecord framing, and the round trip
// writer → readEvents of scalars, histograms (TensorFlow's buckets) and images; corrupt and
// truncated records are rejected.
#include "sinter/io/Events.h"
#include "sinter/io/Crc32c.h"

#include "IoTestUtil.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using namespace sinter;
using namespace sinter::io;
using namespace iotest;

TEST_CASE("CRC32C matches the Castagnoli test vectors", "[crc32c]") {
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c("") == 0u);
  CHECK(crc32c("a") == 0xC1D04330u);
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, of 0xFF, ascending, descending.
  std::string zeros(32, '\0'), ones(32, '\xff'), up(32, '\0'), down(32, '\0');
  for (int i = 0; i < 32; ++i) {
    up[static_cast<size_t>(i)] = static_cast<char>(i);
    down[static_cast<size_t>(i)] = static_cast<char>(31 - i);
  }
  CHECK(crc32c(zeros) == 0x8A9136AAu);
  CHECK(crc32c(ones) == 0x62A8AB43u);
  CHECK(crc32c(up) == 0x46DD794Eu);
  CHECK(crc32c(down) == 0x113FDB5Cu);
  // Running checksum over pieces == checksum of the whole.
  CHECK(crc32c("6789", 4, crc32c("12345", 5)) == 0xE3069283u);
  // Masking is invertible.
  for (uint32_t v : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu})
    CHECK(unmaskCrc(maskCrc(v)) == v);
}

TEST_CASE("TFRecord framing: length, masked CRCs", "[events]") {
  std::string rec = frameRecord("hello");
  REQUIRE(rec.size() == 8 + 4 + 5 + 4);
  CHECK(rec[0] == 5);
  for (int i = 1; i < 8; ++i)
    CHECK(rec[static_cast<size_t>(i)] == 0);
  uint32_t lengthCrc, dataCrc;
  std::memcpy(&lengthCrc, rec.data() + 8, 4);
  std::memcpy(&dataCrc, rec.data() + 17, 4);
  CHECK(lengthCrc == maskCrc(crc32c(rec.data(), 8)));
  CHECK(dataCrc == maskCrc(crc32c("hello")));
  CHECK(rec.substr(12, 5) == "hello");
}

TEST_CASE("TensorFlow's default histogram buckets", "[events]") {
  const std::vector<double> &limits = Histogram::defaultLimits();
  REQUIRE(limits.size() % 2 == 1);
  size_t mid = limits.size() / 2;
  CHECK(limits[mid] == 0.0);
  CHECK(limits[mid + 1] == 1e-12);
  CHECK(limits[mid - 1] == -1e-12);
  CHECK(limits.back() == DBL_MAX);
  CHECK(limits.front() == -DBL_MAX);
  CHECK(limits.size() == 1551); // 0, and each side 774 limits 1e-12·1.1^k < 1e20 plus DBL_MAX
  CHECK(std::is_sorted(limits.begin(), limits.end()));

  std::vector<double> values = {-2.0, 0.0, 0.5, 0.5, 3.0};
  Histogram h = Histogram::of(values);
  CHECK(h.min == -2.0);
  CHECK(h.max == 3.0);
  CHECK(h.num == 5);
  CHECK(h.sum == 2.0);
  CHECK(h.sumSquares == 4.0 + 0.25 + 0.25 + 9.0);
  REQUIRE(h.bucket.size() == h.bucketLimit.size());
  double total = 0;
  for (double c : h.bucket)
    total += c;
  CHECK(total == 5);
  // Empty runs are collapsed: 4 occupied buckets (-2, 0, 0.5 twice, 3) and the empty runs
  // between them, at most 9 entries instead of 1549.
  CHECK(h.bucket.size() <= 9);
  // Each value lies in its bucket: [previous limit, limit).
  auto bucketOf = [&](double v) {
    for (size_t i = 0; i < h.bucketLimit.size(); ++i)
      if (v < h.bucketLimit[i])
        return i;
    return h.bucketLimit.size();
  };
  CHECK(h.bucket[bucketOf(0.5)] == 2);
  CHECK(h.bucket[bucketOf(3.0)] == 1);
  CHECK(h.bucket[bucketOf(0.0)] == 1);
  CHECK(h.bucketLimit[bucketOf(0.0)] == 1e-12); // 0 falls in [0, 1e-12)

  Histogram empty = Histogram::of(std::span<const double>{});
  CHECK(empty.bucket == std::vector<double>{0.0});
  CHECK(empty.bucketLimit == std::vector<double>{DBL_MAX});
}

TEST_CASE("image summaries of a batch: the first maxOutputs images, one event", "[events]") {
  TempDir dir;
  HostTensor batch(DType::F32, {5, 2, 3, 1});
  auto b = batch.as<float>();
  for (int64_t i = 0; i < batch.numElements(); ++i)
    b[i] = static_cast<float>(i / 6) / 4.0f; // image k is uniformly k/4
  std::string path;
  {
    EventWriter w(dir.file("logs"));
    path = w.path();
    w.images("train", batch, 7, 3);
    CHECK_THROWS_WITH(w.images("bad", HostTensor(DType::F32, {2, 3}), 7),
                      Catch::Contains("[n, h, w]"));
  }
  std::vector<Event> events = readEvents(path);
  REQUIRE(events.size() == 2);
  REQUIRE(events[1].values.size() == 3);
  for (int k = 0; k < 3; ++k) {
    const SummaryValue &v = events[1].values[k];
    CHECK(v.tag == "train/image/" + std::to_string(k));
    CHECK(v.kind == SummaryValue::Kind::Image);
    CHECK(v.width == 3);
    CHECK(v.height == 2);
    Image img = decodePng(v.png);
    uint8_t grey = static_cast<uint8_t>(std::lround(k / 4.0 * 255));
    CHECK(img.at(2, 1) == Rgb{grey, grey, grey});
  }
}

TEST_CASE("event files round trip: scalars, histograms, images", "[events]") {
  TempDir dir;
  std::string logdir = dir.file("logs/run1");
  std::string path;
  std::vector<float> weights;
  for (int i = 0; i < 1000; ++i)
    weights.push_back(std::sin(static_cast<float>(i)) * 0.3f);
  Image img(4, 3, {10, 20, 30});
  img.set(1, 2, {255, 0, 0});
  {
    EventWriter w(logdir);
    path = w.path();
    CHECK(fs::path(path).parent_path() == fs::path(logdir));
    std::string name = fs::path(path).filename().string();
    CHECK(name.rfind("events.out.tfevents.", 0) == 0);
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    CHECK_THAT(name, Catch::Contains(std::string(".") + host));
    w.scalar("loss", 0.5, 1);
    w.scalar("loss", 0.0, 2); // zero is still written (a oneof)
    w.scalar("val/accuracy", 0.875, 2);
    w.histogram("dense/kernel", weights, 3);
    HostTensor t(DType::F64, {2, 2});
    auto td = t.as<double>();
    td[0] = 1, td[1] = 2, td[2] = 3, td[3] = 4;
    w.histogram("t", t, 4);
    w.image("sample", img, 5);
  }
  // A second writer in the same directory gets its own file.
  {
    EventWriter other(logdir);
    CHECK(other.path() != path);
  }

  std::vector<Event> events = readEvents(path);
  REQUIRE(events.size() == 7);
  CHECK(events[0].fileVersion == "brain.Event:2");
  CHECK(events[0].wallTime > 1.6e9);
  CHECK(events[0].values.empty());

  REQUIRE(events[1].values.size() == 1);
  CHECK(events[1].step == 1);
  CHECK(events[1].values[0].tag == "loss");
  CHECK(events[1].values[0].kind == SummaryValue::Kind::Scalar);
  CHECK(events[1].values[0].scalar == 0.5f);
  CHECK(events[2].step == 2);
  CHECK(events[2].values.at(0).scalar == 0.0f);
  CHECK(events[3].values.at(0).tag == "val/accuracy");
  CHECK(events[3].values.at(0).scalar == 0.875f);

  const SummaryValue &hv = events[4].values.at(0);
  CHECK(events[4].step == 3);
  CHECK(hv.kind == SummaryValue::Kind::Histogram);
  Histogram expected = Histogram::of(weights);
  CHECK(hv.histogram.min == expected.min);
  CHECK(hv.histogram.max == expected.max);
  CHECK(hv.histogram.num == 1000);
  CHECK(hv.histogram.sum == expected.sum);
  CHECK(hv.histogram.sumSquares == expected.sumSquares);
  CHECK(hv.histogram.bucketLimit == expected.bucketLimit);
  CHECK(hv.histogram.bucket == expected.bucket);
  CHECK(events[5].values.at(0).histogram.sum == 10.0);

  const SummaryValue &iv = events[6].values.at(0);
  CHECK(iv.kind == SummaryValue::Kind::Image);
  CHECK(iv.width == 4);
  CHECK(iv.height == 3);
  CHECK(iv.colorspace == 3);
  CHECK(iv.png.substr(1, 3) == "PNG");
  Image back = decodePng(iv.png);
  CHECK(back.width == 4);
  CHECK(back.height == 3);
  CHECK(back.pixels == img.pixels);
  for (size_t i = 1; i < events.size(); ++i)
    CHECK(events[i].wallTime >= events[i - 1].wallTime);
}

TEST_CASE("corrupt or truncated event files are rejected", "[events]") {
  TempDir dir;
  std::string path;
  {
    EventWriter w(dir.file("logs"));
    path = w.path();
    w.scalar("loss", 1.0, 1);
    w.scalar("loss", 0.5, 2);
  }
  std::string bytes = readFile(path);
  REQUIRE(readRecords(path).size() == 3);

  std::string bad = dir.file("bad.tfevents");
  writeFile(bad, bytes.substr(0, bytes.size() - 3));
  std::string msg = errorOf([&] { readEvents(bad); });
  CHECK_THAT(msg,
             Catch::Contains(bad) && Catch::Contains("record 2") && Catch::Contains("truncated"));

  std::string flipped = bytes;
  flipped[flipped.size() - 8] ^= 0x01; // in the data of the last record
  writeFile(bad, flipped);
  msg = errorOf([&] { readEvents(bad); });
  CHECK_THAT(msg, Catch::Contains("record 2") && Catch::Contains("corrupt data"));

  flipped = bytes;
  flipped[2] ^= 0x10; // in the first record's length
  writeFile(bad, flipped);
  msg = errorOf([&] { readEvents(bad); });
  CHECK_THAT(msg, Catch::Contains("record 0") && Catch::Contains("corrupt length"));

  msg = errorOf([&] { readEvents(dir.file("missing")); });
  CHECK_THAT(msg, Catch::Contains("missing"));

  // A record claiming 2^64 - 2 bytes, with a valid length CRC: length + 4 wrapped to 2 and
  // passed the truncation check before.
  std::string huge(8, '\xff');
  huge[0] = '\xfe';
  uint32_t lengthCrc = maskCrc(crc32c(huge));
  for (int i = 0; i < 4; ++i)
    huge.push_back(static_cast<char>((lengthCrc >> (8 * i)) & 0xff));
  writeFile(bad, huge + "abcdefgh");
  msg = errorOf([&] { readEvents(bad); });
  CHECK_THAT(msg, Catch::Contains("record 0") && Catch::Contains("truncated data"));

  // A FIFO (nothing will ever write to it) is refused, not waited on.
  std::string fifo = dir.file("events.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  msg = errorOf([&] { readEvents(fifo); });
  CHECK_THAT(msg, Catch::Contains("not a regular file"));
}

TEST_CASE("an event writer reports a log directory it cannot create", "[events]") {
  TempDir dir;
  writeFile(dir.file("plainfile"), "x");
  std::string msg = errorOf([&] { EventWriter w(dir.file("plainfile/logs")); });
  CHECK_THAT(msg, Catch::Contains("plainfile/logs"));
}
