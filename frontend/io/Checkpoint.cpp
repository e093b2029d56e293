// Checkpoints (see sinter/io/Checkpoint.h): framed sinter.proto.Checkpoint messages, written
// atomically, validated completely before any variable is overwritten.
#include "sinter/io/Checkpoint.h"

#include "sinter/io/Crc32c.h"
#include "sinter/io/LittleEndian.h"
#include "sinter/model.pb.h"
#include "sinter/runtime/DTypeProto.h"
#include "sinter/runtime/File.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

namespace pb = ::sinter::proto;

namespace sinter::io {

namespace {

constexpr char kMagic[8] = {'S', 'N', 'T', 'R', 'C', 'K', 'P', 'T'};
constexpr size_t kHeaderSize = 8 + 8 + 4;
constexpr uint32_t kFormatVersion = 1;

using runtime::fromProto;
using runtime::toProto;

using runtime::shapeString;

} // namespace

void writeCheckpoint(const std::string &path, const std::map<std::string, HostTensor> &variables,
                     int64_t step) {
  pb::Checkpoint ckpt;
  ckpt.set_format_version(kFormatVersion);
  ckpt.set_step(step);
  for (const auto &[name, value] : variables) {
    pb::TensorValue *tv = ckpt.add_variables();
    pb::TensorSpec *spec = tv->mutable_spec();
    spec->set_name(name);
    spec->set_dtype(toProto(value.dtype()));
    for (int64_t d : value.shape())
      spec->add_shape(d);
    tv->set_data(value.data(), value.byteSize());
  }
  std::string payload;
  if (!ckpt.SerializeToString(&payload))
    throw Error("cannot write checkpoint '" + path + "': serialization failed");
  std::string file(kMagic, sizeof kMagic);
  putLE(file, payload.size(), 8);
  putLE(file, maskCrc(crc32c(payload)), 4);
  file += payload;
  runtime::writeFileAtomically(path, file, "checkpoint");
}

CheckpointContents readCheckpoint(const std::string &path) {
  auto fail = [&](const std::string &what) { return Error("checkpoint '" + path + "': " + what); };
  std::string bytes = runtime::readFile(path, "checkpoint");
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw fail("not a Sinter checkpoint (bad magic bytes)");
  if (bytes.size() < kHeaderSize)
    throw fail("truncated: the header is incomplete (" + std::to_string(bytes.size()) + " bytes)");
  uint64_t length = getLE(bytes.data() + 8, 8);
  uint32_t storedCrc = static_cast<uint32_t>(getLE(bytes.data() + 16, 4));
  uint64_t actual = bytes.size() - kHeaderSize;
  if (actual < length)
    throw fail("truncated: " + std::to_string(actual) + " of " + std::to_string(length) +
               " payload bytes present");
  if (actual > length)
    throw fail("corrupt: " + std::to_string(actual - length) +
               " unexpected bytes after the payload");
  std::string_view payload(bytes.data() + kHeaderSize, length);
  if (maskCrc(crc32c(payload)) != storedCrc)
    throw fail("corrupt: checksum mismatch (CRC32C of the payload differs from the stored one)");
  pb::Checkpoint ckpt;
  if (!ckpt.ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    throw fail("corrupt: the payload is not a valid Checkpoint message");
  if (ckpt.format_version() != kFormatVersion)
    throw fail("unsupported format version " + std::to_string(ckpt.format_version()) +
               " (this build reads version " + std::to_string(kFormatVersion) + ")");

  CheckpointContents contents;
  contents.step = ckpt.step();
  for (const pb::TensorValue &tv : ckpt.variables()) {
    const std::string &name = tv.spec().name();
    if (contents.variables.count(name))
      throw fail("variable '" + name + "' appears twice");
    std::optional<DType> dtype = fromProto(tv.spec().dtype());
    if (!dtype)
      throw fail("variable '" + name + "' has an invalid dtype");
    runtime::TensorSpec spec{
        name, *dtype, std::vector<int64_t>(tv.spec().shape().begin(), tv.spec().shape().end())};
    size_t expected = 0;
    try {
      for (int64_t d : spec.shape)
        if (d < 0)
          throw runtime::Error("a negative dimension in " + shapeString(spec.shape));
      expected = spec.byteSize();
    } catch (const runtime::Error &e) {
      throw fail("variable '" + name + "': " + e.what());
    }
    if (tv.data().size() != expected)
      throw fail("variable '" + name + "' holds " + std::to_string(tv.data().size()) +
                 " bytes of data, its shape " + shapeString(spec.shape) + " needs " +
                 std::to_string(expected));
    HostTensor value(spec);
    std::memcpy(value.data(), tv.data().data(), expected);
    contents.variables.emplace(name, std::move(value));
  }
  return contents;
}

void saveCheckpoint(Program &program, const std::string &path, int64_t step) {
  runtime::Session &session = program.session();
  std::map<std::string, HostTensor> variables;
  for (const std::string &name : session.variableNames())
    variables.emplace(name, session.variable(name));
  writeCheckpoint(path, variables, step);
}

int64_t loadCheckpoint(Program &program, const std::string &path) {
  auto fail = [&](const std::string &what) { return Error("checkpoint '" + path + "': " + what); };
  CheckpointContents saved = readCheckpoint(path);
  runtime::Session &session = program.session();
  std::vector<std::string> names = session.variableNames();
  for (const auto &[name, value] : saved.variables)
    if (std::find(names.begin(), names.end(), name) == names.end())
      throw fail("holds variable '" + name + "', which the program does not have");
  // Validate everything first, then copy: a rejected checkpoint leaves the program unchanged.
  for (const std::string &name : names) {
    auto it = saved.variables.find(name);
    if (it == saved.variables.end())
      throw fail("lacks variable '" + name + "' of the program");
    const HostTensor &target = session.variable(name);
    if (it->second.dtype() != target.dtype())
      throw fail("variable '" + name + "' has dtype " + runtime::dtypeName(it->second.dtype()) +
                 ", the program's has " + runtime::dtypeName(target.dtype()));
    if (it->second.shape() != target.shape())
      throw fail("variable '" + name + "' has shape " + shapeString(it->second.shape()) +
                 ", the program's has " + shapeString(target.shape()));
  }
  for (const std::string &name : names) {
    HostTensor &target = session.variable(name);
    std::memcpy(target.data(), saved.variables.at(name).data(), target.byteSize());
  }
  return saved.step;
}

} // namespace sinter::io
