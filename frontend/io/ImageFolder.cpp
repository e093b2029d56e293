// The image-folder data set: class folders → labels, a CSV index written once in a shuffled
// order, the 60/20/20 split, and a lazily decoding Dataset.
#include "sinter/io/ImageFolder.h"
#include "sinter/runtime/File.h"

#include "sinter/Graph.h"
#include "sinter/data/ImageTransforms.h"
#include "sinter/io/Checkpoint.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>

namespace sinter::io {

namespace fs = std::filesystem;
using data::DataError;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// `root` joined with a CSV path (kept as is when absolute).
std::string resolve(const fs::path &root, const std::string &path) {
  fs::path p(path);
  return (p.is_absolute() ? p : root / p).lexically_normal().string();
}

std::vector<std::string> classFolders(const fs::path &root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw DataError("image folder '" + root.string() +
                    "': " + (fs::exists(root, ec) ? "not a directory" : "no such folder"));
  std::vector<std::string> names;
  for (const fs::directory_entry &entry : fs::directory_iterator(root, ec))
    if (entry.is_directory(ec))
      names.push_back(entry.path().filename().string());
  if (ec)
    throw DataError("image folder '" + root.string() + "': cannot list: " + ec.message());
  if (names.empty())
    throw DataError("image folder '" + root.string() +
                    "': no class folders (expected one sub-folder of images per class)");
  std::sort(names.begin(), names.end());
  return names;
}

/// Writes `entries` (paths relative to the root) as `path,label` lines.
void writeCsv(const std::string &csvPath, const std::vector<ImageFolderEntry> &entries) {
  std::string out;
  for (const ImageFolderEntry &e : entries) {
    if (e.path.find_first_of("\r\n") != std::string::npos)
      throw DataError("image index '" + csvPath + "': cannot write the path '" + e.path +
                      "' (it contains a line break)");
    out += e.path + "," + std::to_string(e.label) + "\n";
  }
  try {
    runtime::writeFileAtomically(csvPath, out, "image index");
  } catch (const Error &e) {
    throw DataError(e.what());
  }
}

std::vector<ImageFolderEntry> readCsv(const std::string &csvPath, const fs::path &root,
                                      size_t classes) {
  std::ifstream in(csvPath, std::ios::binary);
  if (!in)
    throw DataError("image index '" + csvPath + "': cannot open");
  std::vector<ImageFolderEntry> entries;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    auto where = [&] { return "image index '" + csvPath + "', line " + std::to_string(number); };
    size_t comma = line.rfind(',');
    if (comma == std::string::npos || comma == 0)
      throw DataError(where() + ": expected 'path,label', got '" + line + "'");
    std::string label = line.substr(comma + 1);
    int32_t value = 0;
    auto [end, err] = std::from_chars(label.data(), label.data() + label.size(), value);
    if (err != std::errc() || end != label.data() + label.size() || label.empty())
      throw DataError(where() + ": the label '" + label + "' is not an integer");
    if (value < 0 || static_cast<size_t>(value) >= classes)
      throw DataError(where() + ": label " + label + " outside 0.." + std::to_string(classes - 1) +
                      " (" + std::to_string(classes) + " class folders in '" + root.string() +
                      "')");
    std::string path = resolve(root, line.substr(0, comma));
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      throw DataError(where() + ": the image '" + path +
                      "' no longer exists (delete the index to rebuild it)");
    entries.push_back({path, value});
  }
  if (in.bad())
    throw DataError("image index '" + csvPath + "': read error");
  if (entries.empty())
    throw DataError("image index '" + csvPath + "': no images listed");
  return entries;
}

} // namespace

bool isImageFileName(const std::string &path) {
  std::string ext = lower(fs::path(path).extension().string());
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".gif";
}

ImageFolderIndex indexImageFolder(const std::string &root, const std::string &csvPath,
                                  uint64_t seed) {
  fs::path rootPath(root);
  ImageFolderIndex index;
  index.classNames = classFolders(rootPath);
  std::error_code ec;
  if (fs::exists(csvPath, ec)) {
    index.entries = readCsv(csvPath, rootPath, index.classNames.size());
    index.fromCsv = true;
    return index;
  }
  // Paths relative to the root ('/' separators), as the CSV lists them.
  std::vector<ImageFolderEntry> found;
  for (size_t label = 0; label < index.classNames.size(); ++label) {
    fs::path folder = rootPath / index.classNames[label];
    auto it = fs::recursive_directory_iterator(folder,
                                               fs::directory_options::follow_directory_symlink, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && isImageFileName(it->path().string()))
        found.push_back({(fs::path(index.classNames[label]) / it->path().lexically_relative(folder))
                             .generic_string(),
                         static_cast<int32_t>(label)});
    if (ec)
      throw DataError("image folder '" + folder.string() + "': cannot list: " + ec.message());
  }
  if (found.empty())
    throw DataError("image folder '" + root +
                    "': no images (.png, .jpg, .jpeg or .gif) in its class folders");
  std::sort(found.begin(), found.end(),
            [](const ImageFolderEntry &a, const ImageFolderEntry &b) { return a.path < b.path; });
  std::vector<int64_t> order = data::permutation(static_cast<int64_t>(found.size()), seed);
  std::vector<ImageFolderEntry> relative;
  relative.reserve(found.size());
  for (int64_t i : order)
    relative.push_back(found[static_cast<size_t>(i)]);
  writeCsv(csvPath, relative);
  for (const ImageFolderEntry &e : relative)
    index.entries.push_back({resolve(rootPath, e.path), e.label});
  return index;
}

ImageFolderSplit splitImageFolder(const std::vector<ImageFolderEntry> &entries) {
  size_t n = entries.size();
  // int(0.6 * n) and int(0.8 * n) as the book computes them (in doubles).
  size_t a = static_cast<size_t>(0.6 * static_cast<double>(n));
  size_t b = static_cast<size_t>(0.8 * static_cast<double>(n));
  ImageFolderSplit split;
  split.train.assign(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(a));
  split.validation.assign(entries.begin() + static_cast<std::ptrdiff_t>(a),
                          entries.begin() + static_cast<std::ptrdiff_t>(b));
  split.test.assign(entries.begin() + static_cast<std::ptrdiff_t>(b), entries.end());
  return split;
}

runtime::HostTensor loadImageTensor(const std::string &path, const ImageFolderOptions &options) {
  if (options.height <= 0 || options.width <= 0)
    throw DataError("image '" + path + "': the target size must be positive, got " +
                    std::to_string(options.height) + "x" + std::to_string(options.width));
  try {
    return imageTensor(readImage(path), options.height, options.width, options.mean, options.std,
                       options.background);
  } catch (const Error &e) {
    throw DataError(e.what()); // readImage's message names the file
  }
}

data::Dataset imageFolderDataset(std::vector<ImageFolderEntry> entries,
                                 const ImageFolderOptions &options) {
  auto shared = std::make_shared<const std::vector<ImageFolderEntry>>(std::move(entries));
  data::Dataset ds = data::Dataset::range(static_cast<int64_t>(shared->size()));
  if (options.shuffleBuffer > 0)
    ds = ds.shuffle(options.shuffleBuffer, options.seed);
  return ds.map([shared, options](data::Element element) {
    int64_t i = element.at(0).as<int64_t>()[0];
    const ImageFolderEntry &entry = shared->at(static_cast<size_t>(i));
    runtime::HostTensor label(runtime::DType::I32, {});
    label.as<int32_t>()[0] = entry.label;
    return data::Element{loadImageTensor(entry.path, options), label};
  });
}

} // namespace sinter::io
