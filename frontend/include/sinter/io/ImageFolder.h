// A data set of the user's own images sorted into one folder per class (the book's chapter 15.2,
// load_pokemon):
//
//   root/bulbasaur/00000001.png, root/charmander/a.jpg, ...   (class folders, sorted → labels)
//
//   auto index = io::indexImageFolder("pokemon", "pokemon/images.csv"); // CSV written once
//   auto parts = io::splitImageFolder(index.entries);                   // 60 / 20 / 20
//   auto train = io::imageFolderDataset(parts.train, {.shuffleBuffer = 1000, .seed = 1})
//                    .batch(32)
//                    .prefetch(2); // decoding runs on the prefetch thread
//
// Lives in sinter_io (it decodes through io::readImage) and produces sinter_data Datasets.
// Failures are data::DataError naming the file (the CSV and its line, or the image).
#ifndef SINTER_IO_IMAGEFOLDER_H
#define SINTER_IO_IMAGEFOLDER_H

#include "sinter/data/Dataset.h"
#include "sinter/io/Image.h"
#include "sinter/runtime/Runtime.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sinter::io {

/// One image: its path (the root folder joined with the CSV's path) and its class label.
struct ImageFolderEntry {
  std::string path;
  int32_t label = 0;
  bool operator==(const ImageFolderEntry &) const = default;
};

struct ImageFolderIndex {
  /// The class folders' names, sorted (byte order); label i is classNames[i].
  std::vector<std::string> classNames;
  /// Every image, in the CSV's (shuffled) order.
  std::vector<ImageFolderEntry> entries;
  /// True when an existing CSV was read, false when this call wrote it.
  bool fromCsv = false;
};

/// Whether `path` ends in .png, .jpg, .jpeg or .gif (any case).
bool isImageFileName(const std::string &path);

/// Indexes `root`: its sub-folders, sorted by name, are the classes 0..k-1 (files directly in
/// `root` are ignored); every image file (isImageFileName) anywhere under a class folder is one
/// entry of that class.
///
/// If `csvPath` does not exist, the entries (sorted by path, then permuted with
/// data::permutation(n, seed), the same order on every platform) are written to it atomically,
/// one line `path,label` each, no header, paths relative to `root` with '/' separators. If it
/// exists, it is read instead and the folder is not searched for images, so the order (and the
/// split) stays fixed: images added later are not in the index until the CSV is deleted. A line
/// is `path,label` (the label after the last comma; empty lines and a '\r' before the newline are
/// allowed); relative paths are taken from `root`.
///
/// DataError (naming the folder or the CSV file and its line) for: a missing root or a root
/// without class folders; no image at all; a malformed CSV line; a label outside 0..k-1; a
/// listed image that no longer exists; a path with a newline (it cannot be written).
ImageFolderIndex indexImageFolder(const std::string &root, const std::string &csvPath,
                                  uint64_t seed = 1234);

struct ImageFolderSplit {
  std::vector<ImageFolderEntry> train, validation, test;
};

/// The book's split of the index in its order: the first int(0.6 n) entries train, the next up
/// to int(0.8 n) validation, the rest test.
ImageFolderSplit splitImageFolder(const std::vector<ImageFolderEntry> &entries);

struct ImageFolderOptions {
  int64_t height = 224, width = 224;
  std::array<float, 3> mean = kImageNetMean;
  std::array<float, 3> std = kImageNetStd;
  /// > 0: the entries are shuffled (Dataset::shuffle with this buffer and `seed`, reshuffled
  /// every pass) before decoding, as the book shuffles the paths before its map.
  int64_t shuffleBuffer = 0;
  uint64_t seed = 0;
  /// RGBA images (GIFs with a transparent colour) are composited onto this colour.
  Rgb background = {255, 255, 255};
};

/// One image file as float32 [height, width, 3]: io::readImage, then imageTensor (RGB, [0, 1],
/// bilinear resize, per-channel normalisation). DataError naming the file when it cannot be
/// decoded.
runtime::HostTensor loadImageTensor(const std::string &path, const ImageFolderOptions &options);

/// A Dataset of (image float32 [height, width, 3], label int32 scalar) for `entries`, in order
/// (or shuffled, see ImageFolderOptions::shuffleBuffer). Lazy: images are decoded by a
/// Dataset::map when elements are pulled, so a later .prefetch(n) decodes on its thread. The
/// entries are shared by the dataset.
data::Dataset imageFolderDataset(std::vector<ImageFolderEntry> entries,
                                 const ImageFolderOptions &options = {});

} // namespace sinter::io

#endif
