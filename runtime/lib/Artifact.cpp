//===- Artifact.cpp - Load and validate compiled artifacts ----------------===//
#include "sinter/runtime/Runtime.h"

// protobuf_generate_cpp drops the proto's directory; accept either layout of the generated code.
#include "sinter/manifest.pb.h"
#include "sinter/runtime/DTypeProto.h"

#include <algorithm>
#include <dlfcn.h>
#include <sys/stat.h>

#include <limits>
#include <set>

namespace sinter::runtime {

struct Artifact::Impl {
  std::string origin;
  void *handle = nullptr;            // dlopen handle; null for fromSymbols
  std::shared_ptr<const void> owner; // what holds the code and data of fromSymbols, if anything
  std::string programName;
  const uint8_t *varData = nullptr;
  uint64_t varDataSize = 0;
  std::vector<TensorSpec> variables;
  std::vector<const void *> initialData;
  std::vector<EntryInfo> entries;
  std::vector<SinterEntryFn> functions;

  ~Impl() {
    if (handle)
      dlclose(handle);
  }
};

namespace {

[[noreturn]] void fail(const std::string &origin, const std::string &what) {
  throw Error("artifact '" + origin + "': " + what);
}

DType convertDType(proto::DType d, const std::string &origin, const std::string &where) {
  std::optional<DType> dtype = fromProto(d);
  if (!dtype)
    fail(origin, where + " has an invalid dtype (" + std::to_string(static_cast<int>(d)) + ")");
  return *dtype;
}

TensorSpec convertSpec(const proto::TensorSpec &p, const std::string &origin,
                       const std::string &where, bool isResult = false) {
  TensorSpec spec;
  spec.name = p.name();
  spec.dtype = convertDType(p.dtype(), origin, where);
  for (int i = 0; i < p.shape_size(); ++i) {
    int64_t d = p.shape(i);
    if (d == -1 && i == 0 && p.batch()) {
      spec.batch = true;
    } else if (d == -1 && i == 0 && isResult && p.max_leading_dim() >= 0) {
      spec.dynamicRows = true;
      d = p.max_leading_dim();
    } else if (d < 0) {
      fail(origin, where + " has a negative dimension (" + std::to_string(d) + ")");
    }
    spec.shape.push_back(d);
  }
  if (p.batch() && !spec.batch)
    fail(origin, where + " is marked batch-sized but its leading dimension is not -1");
  try {
    (void)spec.withBatch(1).byteSize();
  } catch (const Error &) {
    fail(origin, where + " is too large");
  }
  return spec;
}

} // namespace

Artifact::Artifact(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Artifact::~Artifact() = default;

namespace {

/// Parses and validates the manifest into `impl`; throws Error naming the part at fault.
void load(Artifact::Impl &impl, const uint8_t *manifest, uint64_t manifestSize,
          const uint8_t *varData, uint64_t varDataSize, const Artifact::SymbolResolver &resolve) {
  const std::string &origin = impl.origin;
  if (!manifest)
    fail(origin, "manifest is missing");
  if (manifestSize > static_cast<uint64_t>(std::numeric_limits<int>::max()))
    fail(origin, "manifest is corrupt (size " + std::to_string(manifestSize) + ")");
  proto::Manifest m;
  if (!m.ParseFromArray(manifest, static_cast<int>(manifestSize)))
    fail(origin, "manifest is corrupt (protobuf parse failed)");
  if (m.abi_version() != SINTER_ABI_VERSION)
    fail(origin, "ABI version " + std::to_string(m.abi_version()) +
                     " does not match the runtime's ABI version " +
                     std::to_string(SINTER_ABI_VERSION) + "; recompile the model");
  if (!varData && varDataSize)
    fail(origin, "variable data is missing");
  impl.programName = m.program_name();
  impl.varData = varData;
  impl.varDataSize = varDataSize;

  std::set<std::string> names;
  for (int i = 0; i < m.variables_size(); ++i) {
    const proto::VariableSpec &v = m.variables(i);
    std::string where = "variable #" + std::to_string(i) + " '" + v.spec().name() + "'";
    if (v.spec().name().empty())
      fail(origin, where + " has no name");
    if (!names.insert(v.spec().name()).second)
      fail(origin, "variable name '" + v.spec().name() + "' is not unique");
    TensorSpec spec = convertSpec(v.spec(), origin, where);
    if (spec.batch)
      fail(origin, where + " has a batch dimension (variables have static shapes)");
    const void *init = nullptr;
    if (v.has_initial_value()) {
      uint64_t size = spec.byteSize();
      if (v.data_offset() > varDataSize || size > varDataSize - v.data_offset())
        fail(origin, where + " has initial data [" + std::to_string(v.data_offset()) + ", " +
                         std::to_string(v.data_offset() + size) +
                         ") outside the variable blob of " + std::to_string(varDataSize) +
                         " bytes");
      init = varData + v.data_offset();
    }
    impl.variables.push_back(std::move(spec));
    impl.initialData.push_back(init);
  }

  std::set<std::string> entryNames;
  for (int i = 0; i < m.entries_size(); ++i) {
    const proto::EntrySpec &e = m.entries(i);
    std::string where = "entry '" + e.name() + "'";
    if (e.name().empty())
      fail(origin, "entry #" + std::to_string(i) + " has no name");
    if (!entryNames.insert(e.name()).second)
      fail(origin, "entry name '" + e.name() + "' is not unique");
    EntryInfo info;
    info.name = e.name();
    info.symbol = e.symbol();
    for (int j = 0; j < e.args_size(); ++j)
      info.args.push_back(
          convertSpec(e.args(j), origin, where + " argument '" + e.args(j).name() + "'"));
    for (int j = 0; j < e.results_size(); ++j)
      info.results.push_back(convertSpec(e.results(j), origin,
                                         where + " result '" + e.results(j).name() + "'",
                                         /*isResult=*/true));
    info.batched = e.batched();
    bool batchArgs = std::any_of(info.args.begin(), info.args.end(),
                                 [](const TensorSpec &s) { return s.batch; });
    bool batchResults = std::any_of(info.results.begin(), info.results.end(),
                                    [](const TensorSpec &s) { return s.batch; });
    if (batchArgs != info.batched || (batchResults && !info.batched))
      fail(origin, where + (info.batched ? " is batched but has no batch-sized argument"
                                         : " has batch-sized tensors but is not batched"));
    for (int32_t v : e.variables()) {
      if (v < 0 || v >= m.variables_size())
        fail(origin, where + " uses variable index " + std::to_string(v) + ", but there are " +
                         std::to_string(m.variables_size()) + " variables");
      info.variables.push_back(v);
    }
    if (info.symbol.empty())
      fail(origin, where + " has no symbol");
    SinterEntryFn fn = resolve ? resolve(info.symbol) : nullptr;
    if (!fn)
      fail(origin, where + ": symbol '" + info.symbol + "' not found");
    impl.entries.push_back(std::move(info));
    impl.functions.push_back(fn);
  }
}

} // namespace

std::shared_ptr<Artifact> Artifact::fromSymbols(const uint8_t *manifest, uint64_t manifestSize,
                                                const uint8_t *varData, uint64_t varDataSize,
                                                SymbolResolver resolve, const std::string &origin,
                                                std::shared_ptr<const void> owner) {
  auto impl = std::make_unique<Impl>();
  impl->origin = origin;
  impl->owner = std::move(owner);
  load(*impl, manifest, manifestSize, varData, varDataSize, resolve);
  return std::shared_ptr<Artifact>(new Artifact(std::move(impl)));
}

std::shared_ptr<Artifact> Artifact::open(const std::string &soPath, const std::string &prefix) {
  struct stat st;
  if (::stat(soPath.c_str(), &st) != 0)
    fail(soPath, "no such file");
  auto impl = std::make_unique<Impl>();
  impl->origin = soPath;
  // dlopen searches the library path for names without a slash; an artifact is a file.
  std::string path = soPath.find('/') == std::string::npos ? "./" + soPath : soPath;
  // RTLD_LOCAL: two artifacts may export the same prefix.
  impl->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!impl->handle) {
    const char *msg = dlerror();
    fail(soPath, std::string("cannot be loaded: ") + (msg ? msg : "unknown dlopen error"));
  }
  void *handle = impl->handle;
  auto symbol = [&](const std::string &name) -> void * {
    dlerror();
    void *p = dlsym(handle, name.c_str());
    if (!p)
      fail(soPath, "symbol '" + name + "' not found (is the prefix '" + prefix + "' right?)");
    return p;
  };
  const auto *manifest = static_cast<const uint8_t *>(symbol(prefix + "_manifest"));
  uint64_t manifestSize = *static_cast<const uint64_t *>(symbol(prefix + "_manifest_size"));
  const auto *varData = static_cast<const uint8_t *>(symbol(prefix + "_variable_data"));
  uint64_t varDataSize = *static_cast<const uint64_t *>(symbol(prefix + "_variable_data_size"));
  load(*impl, manifest, manifestSize, varData, varDataSize, [handle](const std::string &s) {
    return reinterpret_cast<SinterEntryFn>(dlsym(handle, s.c_str()));
  });
  return std::shared_ptr<Artifact>(new Artifact(std::move(impl)));
}

const std::string &Artifact::origin() const { return impl_->origin; }
const std::string &Artifact::programName() const { return impl_->programName; }
const std::vector<TensorSpec> &Artifact::variables() const { return impl_->variables; }
const std::vector<EntryInfo> &Artifact::entries() const { return impl_->entries; }

const void *Artifact::variableInitialData(int index) const {
  if (index < 0 || index >= static_cast<int>(impl_->initialData.size()))
    fail(impl_->origin, "variable index " + std::to_string(index) + " out of range");
  return impl_->initialData[index];
}

int Artifact::findEntry(const std::string &name) const {
  for (size_t i = 0; i < impl_->entries.size(); ++i)
    if (impl_->entries[i].name == name)
      return static_cast<int>(i);
  return -1;
}

const EntryInfo &Artifact::entry(const std::string &name) const {
  int i = findEntry(name);
  if (i < 0) {
    std::string known;
    for (const EntryInfo &e : impl_->entries)
      known += (known.empty() ? "" : ", ") + e.name;
    fail(impl_->origin,
         "no entry named '" + name + "' (entries: " + (known.empty() ? "none" : known) + ")");
  }
  return impl_->entries[i];
}

SinterEntryFn Artifact::entryFunction(const std::string &name) const {
  return impl_->functions[&entry(name) - impl_->entries.data()];
}

SinterEntryFn Artifact::entryFunction(int index) const {
  if (index < 0 || index >= static_cast<int>(impl_->functions.size()))
    fail(impl_->origin, "entry index " + std::to_string(index) + " out of range");
  return impl_->functions[index];
}

} // namespace sinter::runtime
