// TensorBoard event files: `EventWriter` appends Event records (scalars, histograms, images)
// to `<logdir>/events.out.tfevents.<time>.<host>`; `readEvents` reads them back, checking both
// CRCs of every record. Point TensorBoard at the log directory to see them.
//
// Framing (TFRecord): uint64 length, masked CRC32C of those 8 bytes, the data (a serialized
// tensorflow Event, see proto/sinter/events.proto), masked CRC32C of the data. The first record
// of a file carries file_version "brain.Event:2".
#ifndef SINTER_IO_EVENTS_H
#define SINTER_IO_EVENTS_H

#include "sinter/Graph.h"
#include "sinter/io/Image.h"

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace sinter::io {

/// A histogram as TensorBoard stores it (HistogramProto): bucket[i] counts the values in
/// [bucketLimit[i-1], bucketLimit[i]); runs of empty buckets are collapsed into one.
struct Histogram {
  double min = 0, max = 0, num = 0, sum = 0, sumSquares = 0;
  std::vector<double> bucketLimit;
  std::vector<double> bucket;

  /// TensorFlow's default buckets: 0, ±1e-12 growing by 10% up to ±1e20, and ±DBL_MAX.
  static const std::vector<double> &defaultLimits();
  /// The histogram of `values` over the default buckets, as TensorFlow's Histogram::EncodeToProto.
  static Histogram of(std::span<const double> values);
  static Histogram of(std::span<const float> values);
};

/// One Summary.Value of an event.
struct SummaryValue {
  enum class Kind { Scalar, Histogram, Image };
  std::string tag;
  Kind kind = Kind::Scalar;
  float scalar = 0;
  io::Histogram histogram;
  /// Image summaries: the size, the colorspace (3 = RGB) and the encoded PNG.
  int width = 0, height = 0, colorspace = 0;
  std::string png;
};

/// One Event record.
struct Event {
  double wallTime = 0;
  int64_t step = 0;
  std::string fileVersion; ///< set only in the first record
  std::vector<SummaryValue> values;
};

class EventWriter {
public:
  /// Creates `logdir` (and parents) if needed and a new event file in it; writes the
  /// file_version record. Throws Error naming the path when it cannot.
  explicit EventWriter(const std::string &logdir);
  ~EventWriter();
  EventWriter(const EventWriter &) = delete;
  EventWriter &operator=(const EventWriter &) = delete;

  void scalar(const std::string &tag, double value, int64_t step);
  void histogram(const std::string &tag, std::span<const float> values, int64_t step);
  void histogram(const std::string &tag, std::span<const double> values, int64_t step);
  /// A float32/float64 tensor's values (e.g. a layer's weights).
  void histogram(const std::string &tag, const HostTensor &values, int64_t step);
  /// An already encoded PNG of the given size.
  void image(const std::string &tag, const std::string &png, int width, int height, int64_t step);
  /// RGB pixels (row-major, 3 bytes per pixel), encoded as PNG here.
  void image(const std::string &tag, const Image &rgb, int64_t step);
  /// tf.summary.image of a batch: float images [n, h, w] or [n, h, w, 1 or 3] in [0, 1]; the
  /// first min(n, maxOutputs) become "<tag>/image/0", "<tag>/image/1", ... (TensorBoard's
  /// images tab), in one event.
  void images(const std::string &tag, const HostTensor &batch, int64_t step, int maxOutputs = 3);

  /// Writes buffered records to the file (each call above also flushes).
  void flush();
  void close();
  const std::string &path() const { return path_; }

private:
  void write(const Event &event);
  /// One event holding `value` at `step`.
  void writeValue(SummaryValue value, int64_t step);
  std::string path_;
  std::FILE *file_ = nullptr;
};

/// The record payloads of a TFRecord file, each checked against both of its CRCs. Throws Error
/// naming the file, the record index and its byte offset when a record is truncated or corrupt.
std::vector<std::string> readRecords(const std::string &path);
/// The events of an event file (readRecords, then parsed).
std::vector<Event> readEvents(const std::string &path);

/// Frames one record (length, masked CRC of the length, data, masked CRC of the data).
std::string frameRecord(const std::string &data);

} // namespace sinter::io

#endif
