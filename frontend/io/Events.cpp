// TensorBoard event files: TFRecord framing with masked CRC32C, Event protos from
// proto/sinter/events.proto (TensorFlow's field numbers).
#include "sinter/io/Events.h"

#include "sinter/events.pb.h"
#include "sinter/io/Crc32c.h"
#include "sinter/io/LittleEndian.h"

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace tb = ::sinter::tensorboard;

namespace sinter::io {

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

template <class T> Histogram histogramOf(std::span<const T> values) {
  const std::vector<double> &limits = Histogram::defaultLimits();
  std::vector<double> counts(limits.size(), 0.0);
  Histogram h;
  h.min = limits.back();
  h.max = -DBL_MAX;
  for (T raw : values) {
    double v = static_cast<double>(raw);
    size_t b =
        static_cast<size_t>(std::upper_bound(limits.begin(), limits.end(), v) - limits.begin());
    counts[std::min(b, counts.size() - 1)] += 1.0;
    h.min = std::min(h.min, v);
    h.max = std::max(h.max, v);
    h.num += 1.0;
    h.sum += v;
    h.sumSquares += v * v;
  }
  // As TensorFlow's Histogram::EncodeToProto(preserve_zero_buckets = false).
  for (size_t i = 0; i < counts.size();) {
    double end = limits[i], count = counts[i];
    ++i;
    if (count <= 0.0) {
      while (i < counts.size() && counts[i] <= 0.0) {
        end = limits[i];
        count = counts[i];
        ++i;
      }
    }
    h.bucketLimit.push_back(end);
    h.bucket.push_back(count);
  }
  if (h.bucket.empty()) {
    h.bucketLimit.push_back(DBL_MAX);
    h.bucket.push_back(0.0);
  }
  return h;
}

void toProto(const Histogram &h, tb::HistogramProto *p) {
  p->set_min(h.min);
  p->set_max(h.max);
  p->set_num(h.num);
  p->set_sum(h.sum);
  p->set_sum_squares(h.sumSquares);
  for (double l : h.bucketLimit)
    p->add_bucket_limit(l);
  for (double c : h.bucket)
    p->add_bucket(c);
}

Histogram fromProto(const tb::HistogramProto &p) {
  Histogram h;
  h.min = p.min();
  h.max = p.max();
  h.num = p.num();
  h.sum = p.sum();
  h.sumSquares = p.sum_squares();
  h.bucketLimit.assign(p.bucket_limit().begin(), p.bucket_limit().end());
  h.bucket.assign(p.bucket().begin(), p.bucket().end());
  return h;
}

std::string hostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0])
    return "localhost";
  return buf;
}

} // namespace

const std::vector<double> &Histogram::defaultLimits() {
  static const std::vector<double> limits = [] {
    std::vector<double> pos, neg;
    for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) {
      pos.push_back(v);
      neg.push_back(-v);
    }
    pos.push_back(DBL_MAX);
    neg.push_back(-DBL_MAX);
    std::reverse(neg.begin(), neg.end());
    std::vector<double> all = neg;
    all.push_back(0.0);
    all.insert(all.end(), pos.begin(), pos.end());
    return all;
  }();
  return limits;
}

Histogram Histogram::of(std::span<const double> values) { return histogramOf(values); }
Histogram Histogram::of(std::span<const float> values) { return histogramOf(values); }

std::string frameRecord(const std::string &data) {
  std::string out;
  out.reserve(data.size() + 16);
  putLE(out, data.size(), 8);
  putLE(out, maskCrc(crc32c(out.data(), 8)), 4);
  out += data;
  putLE(out, maskCrc(crc32c(data)), 4);
  return out;
}

EventWriter::EventWriter(const std::string &logdir) {
  std::error_code ec;
  std::filesystem::create_directories(logdir, ec);
  if (ec)
    throw Error("event writer: cannot create log directory '" + logdir + "': " + ec.message());
  std::string base =
      (std::filesystem::path(logdir) /
       ("events.out.tfevents." + std::to_string(static_cast<long long>(now())) + "." + hostName()))
          .string();
  // Two writers in the same second: later ones get a ".<n>" suffix (TensorBoard matches
  // "tfevents" anywhere in the name).
  for (int n = 0; !file_ && n < 1000; ++n) {
    path_ = n ? base + "." + std::to_string(n) : base;
    file_ = std::fopen(path_.c_str(), "wbx");
    if (!file_ && errno != EEXIST)
      break;
  }
  if (!file_)
    throw Error("event writer: cannot create '" + path_ + "': " + std::strerror(errno));
  Event first;
  first.wallTime = now();
  first.fileVersion = "brain.Event:2";
  write(first);
}

EventWriter::~EventWriter() { close(); }

void EventWriter::close() {
  if (file_)
    std::fclose(file_);
  file_ = nullptr;
}

void EventWriter::flush() {
  if (file_ && std::fflush(file_) != 0)
    throw Error("event writer: cannot write '" + path_ + "': " + std::strerror(errno));
}

void EventWriter::write(const Event &event) {
  if (!file_)
    throw Error("event writer: '" + path_ + "' is closed");
  tb::Event e;
  e.set_wall_time(event.wallTime);
  e.set_step(event.step);
  if (!event.fileVersion.empty())
    e.set_file_version(event.fileVersion);
  else {
    tb::Summary *summary = e.mutable_summary();
    for (const SummaryValue &v : event.values) {
      tb::Summary::Value *pv = summary->add_value();
      pv->set_tag(v.tag);
      switch (v.kind) {
      case SummaryValue::Kind::Scalar:
        pv->set_simple_value(v.scalar);
        break;
      case SummaryValue::Kind::Histogram:
        toProto(v.histogram, pv->mutable_histo());
        break;
      case SummaryValue::Kind::Image: {
        tb::Summary::Image *img = pv->mutable_image();
        img->set_width(v.width);
        img->set_height(v.height);
        img->set_colorspace(v.colorspace);
        img->set_encoded_image_string(v.png);
        break;
      }
      }
    }
  }
  std::string record = frameRecord(e.SerializeAsString());
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size())
    throw Error("event writer: cannot write '" + path_ + "': " + std::strerror(errno));
  flush();
}

void EventWriter::writeValue(SummaryValue value, int64_t step) {
  Event e{now(), step, "", {}};
  e.values.push_back(std::move(value));
  write(e);
}

void EventWriter::scalar(const std::string &tag, double value, int64_t step) {
  SummaryValue v;
  v.tag = tag;
  v.scalar = static_cast<float>(value);
  writeValue(std::move(v), step);
}

void EventWriter::histogram(const std::string &tag, std::span<const double> values, int64_t step) {
  SummaryValue v;
  v.tag = tag;
  v.kind = SummaryValue::Kind::Histogram;
  v.histogram = Histogram::of(values);
  writeValue(std::move(v), step);
}

void EventWriter::histogram(const std::string &tag, std::span<const float> values, int64_t step) {
  std::vector<double> wide(values.begin(), values.end());
  histogram(tag, std::span<const double>(wide), step);
}

void EventWriter::histogram(const std::string &tag, const HostTensor &values, int64_t step) {
  if (values.dtype() == DType::F32)
    histogram(tag, values.as<float>(), step);
  else if (values.dtype() == DType::F64)
    histogram(tag, values.as<double>(), step);
  else
    throw Error("event writer: histogram '" + tag + "' needs a float32 or float64 tensor, got " +
                runtime::dtypeName(values.dtype()));
}

void EventWriter::image(const std::string &tag, const std::string &png, int width, int height,
                        int64_t step) {
  SummaryValue v;
  v.tag = tag;
  v.kind = SummaryValue::Kind::Image;
  v.width = width;
  v.height = height;
  v.colorspace = 3;
  v.png = png;
  writeValue(std::move(v), step);
}

void EventWriter::image(const std::string &tag, const Image &rgb, int64_t step) {
  image(tag, encodePng(rgb), rgb.width, rgb.height, step);
}

void EventWriter::images(const std::string &tag, const HostTensor &batch, int64_t step,
                         int maxOutputs) {
  if (batch.shape().size() < 3)
    throw Error("event file: images '" + tag + "' must be [n, h, w] or [n, h, w, c], got " +
                shapeString(batch.shape()));
  int64_t n = std::min<int64_t>(batch.shape()[0], std::max(maxOutputs, 0));
  int64_t one = n > 0 ? batch.numElements() / batch.shape()[0] : 0;
  Event event{now(), step, "", {}};
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int64_t> shape = batch.shape();
    shape[0] = 1;
    HostTensor single(batch.dtype(), shape);
    std::memcpy(single.data(), static_cast<const float *>(batch.data()) + i * one,
                single.byteSize());
    Image rgb = imageGrid(single, 1);
    SummaryValue v;
    v.tag = tag + "/image/" + std::to_string(i);
    v.kind = SummaryValue::Kind::Image;
    v.width = rgb.width;
    v.height = rgb.height;
    v.colorspace = 3;
    v.png = encodePng(rgb);
    event.values.push_back(std::move(v));
  }
  write(event);
}

std::vector<std::string> readRecords(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw Error("event file '" + path + "': not a regular file (a FIFO, device or directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("event file '" + path + "': cannot open");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> records;
  size_t pos = 0;
  while (pos < bytes.size()) {
    std::string where = "event file '" + path + "': record " + std::to_string(records.size()) +
                        " at byte " + std::to_string(pos) + ": ";
    if (bytes.size() - pos < 12)
      throw Error(where + "truncated header");
    uint64_t length = getLE(bytes.data() + pos, 8);
    uint32_t lengthCrc = static_cast<uint32_t>(getLE(bytes.data() + pos + 8, 4));
    if (maskCrc(crc32c(bytes.data() + pos, 8)) != lengthCrc)
      throw Error(where + "corrupt length (CRC mismatch)");
    // (length + 4 would wrap for a length near 2^64)
    if (length > bytes.size() - pos - 12 || bytes.size() - pos - 12 - length < 4)
      throw Error(where + "truncated data (" + std::to_string(length) + " bytes expected)");
    std::string data = bytes.substr(pos + 12, length);
    uint32_t dataCrc = static_cast<uint32_t>(getLE(bytes.data() + pos + 12 + length, 4));
    if (maskCrc(crc32c(data)) != dataCrc)
      throw Error(where + "corrupt data (CRC mismatch)");
    records.push_back(std::move(data));
    pos += 12 + length + 4;
  }
  return records;
}

std::vector<Event> readEvents(const std::string &path) {
  std::vector<Event> events;
  for (const std::string &record : readRecords(path)) {
    tb::Event e;
    if (!e.ParseFromString(record))
      throw Error("event file '" + path + "': record " + std::to_string(events.size()) +
                  " is not an Event");
    Event out;
    out.wallTime = e.wall_time();
    out.step = e.step();
    out.fileVersion = e.file_version();
    for (const tb::Summary::Value &pv : e.summary().value()) {
      SummaryValue v;
      v.tag = pv.tag();
      if (pv.has_histo()) {
        v.kind = SummaryValue::Kind::Histogram;
        v.histogram = fromProto(pv.histo());
      } else if (pv.has_image()) {
        v.kind = SummaryValue::Kind::Image;
        v.width = pv.image().width();
        v.height = pv.image().height();
        v.colorspace = pv.image().colorspace();
        v.png = pv.image().encoded_image_string();
      } else {
        v.scalar = pv.simple_value();
      }
      out.values.push_back(std::move(v));
    }
    events.push_back(std::move(out));
  }
  return events;
}

} // namespace sinter::io
