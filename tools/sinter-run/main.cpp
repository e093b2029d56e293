// sinter-run: loads a compiled artifact and calls one entry point. A tool of its own, outside
// libsinter_runtime, so that a deployed binary carries no command line.
#include "sinter/runtime/Npy.h"
#include "sinter/runtime/Runtime.h"

#include "CommandLine.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>

namespace sinter::runtime {

namespace {

/// A command-line problem found after parsing: exit code 2.
using UsageError = sinter::cli::UsageError;

struct Options {
  std::string artifact;
  std::string entry;
  std::string prefix = "sinter_model";
  std::vector<std::pair<std::string, std::string>> inputs;
  uint64_t seed = 0;
  int64_t iterations = 1;
  int64_t batch = -1;
  std::string saveDir;
  bool list = false;
};

/// The options, on `app`.
void addOptions(CLI::App &app, Options &o, std::vector<std::string> &inputs) {
  app.add_option("artifact", o.artifact, "the compiled artifact (ARTIFACT.so)");
  app.add_option("--entry", o.entry, "entry point to call");
  app.add_option("--prefix", o.prefix, "symbol prefix of the artifact")->capture_default_str();
  app.add_option("--input", inputs,
                 "NAME=FILE.npy: the value of argument NAME (repeatable); arguments not given are "
                 "random: floats uniform in [0, 1), integers in [0, 10)");
  app.add_option("--random-seed", o.seed, "seed for the random arguments")->capture_default_str();
  app.add_option("--batch", o.batch,
                 "batch size of an entry compiled with a dynamic batch dimension, for its random "
                 "arguments (default: that of the --input files, else 1)")
      ->check(CLI::PositiveNumber);
  app.add_option("--iterations", o.iterations,
                 "number of calls to time; the printed results are those of the first call")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--save-dir", o.saveDir, "write each result to DIR/<result name>.npy");
  app.add_flag("--list", o.list, "print the entry points and their signatures");
}

/// The checks that need more than one option, or the files.
void checkOptions(Options &o, const std::vector<std::string> &inputs) {
  for (const std::string &v : inputs) {
    size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
      throw UsageError("invalid --input '" + v + "' (expected NAME=FILE.npy)");
    o.inputs.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  }
  if (o.artifact.empty())
    throw UsageError("missing ARTIFACT.so");
  if (!std::filesystem::is_regular_file(o.artifact))
    throw UsageError("artifact file '" + o.artifact + "' not found");
  if (!o.list && o.entry.empty())
    throw UsageError("missing --entry NAME (use --list to see the entries)");
  for (const auto &[name, file] : o.inputs)
    if (!std::filesystem::is_regular_file(file))
      throw UsageError("input file '" + file + "' for argument '" + name + "' not found");
}

uint16_t floatToHalf(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffffu;
  if (exp <= 0) { // subnormal or zero (rounding toward zero is fine for random data)
    if (exp < -10)
      return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    return static_cast<uint16_t>(sign | (mant >> (14 - exp)));
  }
  if (exp >= 31)
    return static_cast<uint16_t>(sign | 0x7c00u);
  return static_cast<uint16_t>(sign | (exp << 10) | (mant >> 13));
}

void fillRandom(HostTensor &t, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> real(0.0, 1.0);
  std::uniform_int_distribution<int> integer(0, 9);
  int64_t n = t.numElements();
  auto *bytes = static_cast<std::byte *>(t.data());
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype()) {
    case DType::F32:
      t.as<float>()[i] = static_cast<float>(real(rng));
      break;
    case DType::F64:
      t.as<double>()[i] = real(rng);
      break;
    case DType::F16:
      t.as<uint16_t>()[i] = floatToHalf(static_cast<float>(real(rng)));
      break;
    case DType::BF16:
      t.as<uint16_t>()[i] =
          static_cast<uint16_t>(std::bit_cast<uint32_t>(static_cast<float>(real(rng))) >> 16);
      break;
    case DType::I32:
      t.as<int32_t>()[i] = integer(rng);
      break;
    case DType::I64:
      t.as<int64_t>()[i] = integer(rng);
      break;
    case DType::I16:
      t.as<int16_t>()[i] = static_cast<int16_t>(integer(rng));
      break;
    case DType::I8:
    case DType::U8:
      bytes[i] = static_cast<std::byte>(integer(rng));
      break;
    case DType::Bool:
      bytes[i] = static_cast<std::byte>(integer(rng) % 2);
      break;
    }
  }
}

std::string signature(const EntryInfo &e, const Artifact &a) {
  auto specs = [](const std::vector<TensorSpec> &v) {
    std::string s;
    for (const TensorSpec &t : v)
      s += (s.empty() ? "" : ", ") + t.name + ": " + dtypeName(t.dtype) + t.shapeString();
    return s;
  };
  std::string s = e.name + "(" + specs(e.args) + ") -> (" + specs(e.results) + ")";
  if (!e.variables.empty()) {
    std::string vars;
    for (int v : e.variables)
      vars += (vars.empty() ? "" : ", ") + a.variables()[v].name;
    s += "  uses [" + vars + "]";
  }
  return s;
}

int runMain(const Options &o) {
  std::shared_ptr<Artifact> artifact = Artifact::open(o.artifact, o.prefix);
  if (o.list) {
    std::cout << "program '" << artifact->programName() << "'\n";
    for (const TensorSpec &v : artifact->variables())
      std::cout << "variable " << v.name << ": " << dtypeName(v.dtype) << v.shapeString() << "\n";
    for (const EntryInfo &e : artifact->entries())
      std::cout << "entry " << signature(e, *artifact) << "\n";
    if (o.entry.empty())
      return 0;
  }
  Session session(artifact);
  const EntryInfo &entry = artifact->entry(o.entry);

  std::map<std::string, std::string> files;
  for (const auto &[name, file] : o.inputs) {
    if (std::none_of(entry.args.begin(), entry.args.end(),
                     [&](const TensorSpec &s) { return s.name == name; }))
      throw UsageError("entry '" + entry.name + "' has no argument named '" + name + "'");
    files[name] = file;
  }
  if (o.batch > 0 && !entry.batched)
    throw UsageError("--batch: entry '" + entry.name + "' has no dynamic batch dimension");
  std::mt19937_64 rng(o.seed);
  std::vector<HostTensor> args(entry.args.size());
  int64_t batch = o.batch;
  for (size_t i = 0; i < entry.args.size(); ++i)
    if (auto it = files.find(entry.args[i].name); it != files.end()) {
      args[i] = readNpy(it->second);
      if (!entry.args[i].batch || args[i].shape().empty())
        continue; // (a wrong rank is reported by the checked call below)
      int64_t rows = args[i].shape()[0];
      if (o.batch > 0 && rows != o.batch)
        throw UsageError("--batch " + std::to_string(o.batch) + " differs from the " +
                         std::to_string(rows) + " rows of '" + it->second + "'");
      batch = rows;
    }
  if (batch < 0)
    batch = 1;
  for (size_t i = 0; i < entry.args.size(); ++i)
    if (args[i].empty()) {
      args[i] = HostTensor(entry.args[i].withBatch(batch));
      fillRandom(args[i], rng);
    }

  // The first call goes through the checked path (validates the inputs); the rest are timed raw.
  int index = session.entryIndex(entry.name);
  std::vector<double> micros;
  auto start = std::chrono::steady_clock::now();
  std::vector<HostTensor> results = session.run(entry.name, args);
  micros.push_back(
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  std::vector<const void *> argPtrs;
  for (const HostTensor &a : args)
    argPtrs.push_back(a.data());
  std::vector<HostTensor> scratch;
  std::vector<void *> resultPtrs;
  std::vector<int64_t> rowCounts;
  for (const TensorSpec &r : entry.results) {
    scratch.emplace_back(r.withBatch(batch));
    resultPtrs.push_back(scratch.back().data());
    if (r.dynamicRows)
      rowCounts.push_back(0);
  }
  for (int64_t &count : rowCounts)
    resultPtrs.push_back(&count);
  for (int64_t i = 1; i < o.iterations; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    session.call(index, argPtrs, resultPtrs, batch);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }

  for (size_t i = 0; i < results.size(); ++i) {
    std::cout << entry.results[i].name << " = " << results[i].toString() << "\n";
    if (!o.saveDir.empty()) {
      std::filesystem::create_directories(o.saveDir);
      std::string name =
          entry.results[i].name.empty() ? "result" + std::to_string(i) : entry.results[i].name;
      writeNpy((std::filesystem::path(o.saveDir) / (name + ".npy")).string(), results[i]);
    }
  }
  std::sort(micros.begin(), micros.end());
  size_t n = micros.size();
  double median = n % 2 ? micros[n / 2] : (micros[n / 2 - 1] + micros[n / 2]) / 2;
  std::cout << "time_per_call_us=" << median << std::endl;
  return 0;
}

} // namespace

} // namespace sinter::runtime

/// sinter-run ARTIFACT.so --entry NAME [--prefix P] [--input NAME=FILE.npy]...
///            [--random-seed S] [--iterations N] [--save-dir DIR] [--list] [--help]
/// Exits 0 on success, 2 on a command-line error (unknown flag, missing value, missing
/// file), 1 on any other failure. Never throws.
int main(int argc, char **argv) {
  using namespace sinter::runtime;
  CLI::App app{"Loads a compiled Sinter artifact, calls one entry point and prints its results.",
               "sinter-run"};
  Options o;
  std::vector<std::string> inputs;
  addOptions(app, o, inputs);
  if (int rc = sinter::cli::parseCommandLine(app, argc, argv); rc >= 0)
    return rc;
  try {
    checkOptions(o, inputs);
    return runMain(o);
  } catch (const UsageError &e) {
    return sinter::cli::usageError(app, e.what());
  } catch (const std::exception &e) {
    std::cerr << "sinter-run: error: " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << "sinter-run: unknown error\n";
    return 1;
  }
}
