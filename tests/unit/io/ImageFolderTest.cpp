// The image-folder data set (the book's load_pokemon): class folders → labels, the CSV index
// written once in a fixed shuffled order and re-read afterwards, the 60/20/20 split, and the
// lazily decoding Dataset of normalised [h, w, 3] images (PNG, JPEG and GIF files), errors.
#include "sinter/io/ImageFolder.h"

#include "sinter/Graph.h"
#include "sinter/io/Image.h"

#include "GifTestUtil.h"
#include "IoTestUtil.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

using namespace sinter;
using namespace sinter::io;
using namespace iotest;
using data::DataError;

namespace {

// One solid colour per class (sorted names: bulbasaur 0, charmander 1, squirtle 2).
const Rgb kClassColour[3] = {{40, 200, 80}, {230, 90, 20}, {30, 60, 240}};

/// root/{squirtle,bulbasaur,charmander} with PNG, JPEG and GIF files of different sizes (and
/// upper-case extensions, a nested folder, and files that are not images).
struct PokemonTree {
  TempDir dir;
  fs::path root = dir.path / "pokemon";
  std::string csv = dir.file("images.csv");

  PokemonTree() {
    const char *names[3] = {"bulbasaur", "charmander", "squirtle"};
    for (int c = 0; c < 3; ++c) {
      fs::path folder = root / names[c];
      fs::create_directories(folder / "more");
      Rgb colour = kClassColour[c];
      writePng((folder / "a.png").string(), Image(5, 4, colour));
      writeFile((folder / "b.JPG").string(), encodeJpeg(Image(8, 8, colour), 100));
      writeFile((folder / "c.gif").string(), giftest::encodeGif(Image(3, 7, colour)));
      writePng((folder / "more" / "d.PNG").string(), Image(2, 2, colour));
      writeFile((folder / "notes.txt").string(), "not an image");
    }
    writePng((root / "stray.png").string(), Image(2, 2)); // not in a class folder: ignored
  }
  std::string rootString() const { return root.string(); }
};

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

} // namespace

TEST_CASE("indexImageFolder: sorted class folders, every image, a shuffled CSV written once",
          "[imagefolder]") {
  PokemonTree tree;
  ImageFolderIndex index = indexImageFolder(tree.rootString(), tree.csv);
  CHECK_FALSE(index.fromCsv);
  CHECK(index.classNames == std::vector<std::string>{"bulbasaur", "charmander", "squirtle"});
  REQUIRE(index.entries.size() == 12);

  std::vector<std::string> csvLines = lines(readFile(tree.csv));
  REQUIRE(csvLines.size() == 12);
  std::vector<std::string> relative;
  for (size_t i = 0; i < 12; ++i) {
    const ImageFolderEntry &e = index.entries[i];
    std::string rel = fs::path(e.path).lexically_relative(tree.root).generic_string();
    relative.push_back(rel);
    CHECK(csvLines[i] == rel + "," + std::to_string(e.label)); // same order as the index
    CHECK(rel.substr(0, rel.find('/')) == index.classNames[static_cast<size_t>(e.label)]);
    CHECK(fs::is_regular_file(e.path));
  }
  std::vector<std::string> sorted = relative;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted ==
        std::vector<std::string>{"bulbasaur/a.png", "bulbasaur/b.JPG", "bulbasaur/c.gif",
                                 "bulbasaur/more/d.PNG", "charmander/a.png", "charmander/b.JPG",
                                 "charmander/c.gif", "charmander/more/d.PNG", "squirtle/a.png",
                                 "squirtle/b.JPG", "squirtle/c.gif", "squirtle/more/d.PNG"});
  CHECK(relative != sorted); // shuffled

  // The order depends only on the seed: a fresh index elsewhere with the same seed agrees.
  ImageFolderIndex again = indexImageFolder(tree.rootString(), tree.dir.file("again.csv"));
  CHECK(again.entries == index.entries);
  ImageFolderIndex other = indexImageFolder(tree.rootString(), tree.dir.file("other.csv"), 99);
  CHECK(other.entries != index.entries);

  SECTION("a second call re-reads the CSV: same order, later images not added") {
    writePng((tree.root / "squirtle" / "new.png").string(), Image(2, 2, kClassColour[2]));
    ImageFolderIndex reread = indexImageFolder(tree.rootString(), tree.csv);
    CHECK(reread.fromCsv);
    CHECK(reread.classNames == index.classNames);
    CHECK(reread.entries == index.entries);
    CHECK(lines(readFile(tree.csv)) == csvLines); // not rewritten
    fs::remove(tree.csv);
    CHECK(indexImageFolder(tree.rootString(), tree.csv).entries.size() == 13);
  }
  SECTION("absolute paths and CRLF line ends in a hand-written CSV") {
    writeFile(tree.csv,
              (tree.root / "charmander" / "a.png").string() + ",1\r\n\r\nsquirtle/c.gif,2\r\n");
    ImageFolderIndex hand = indexImageFolder(tree.rootString(), tree.csv);
    REQUIRE(hand.entries.size() == 2);
    CHECK(hand.entries[0].label == 1);
    CHECK(hand.entries[1].path == (tree.root / "squirtle" / "c.gif").string());
  }
}

TEST_CASE("splitImageFolder: the first 60 % train, the next 20 % validation, the rest test",
          "[imagefolder]") {
  std::vector<ImageFolderEntry> entries;
  for (int i = 0; i < 12; ++i)
    entries.push_back({"img" + std::to_string(i) + ".png", i % 3});
  ImageFolderSplit s = splitImageFolder(entries);
  CHECK(s.train.size() == 7);      // int(7.2)
  CHECK(s.validation.size() == 2); // int(9.6) - 7
  CHECK(s.test.size() == 3);
  CHECK(s.train.front() == entries[0]);
  CHECK(s.validation.front() == entries[7]);
  CHECK(s.test.front() == entries[9]);
  CHECK(s.test.back() == entries[11]);

  entries.resize(10);
  s = splitImageFolder(entries);
  CHECK(s.train.size() == 6);
  CHECK(s.validation.size() == 2);
  CHECK(s.test.size() == 2);
  s = splitImageFolder({});
  CHECK(s.train.empty());
  CHECK(s.test.empty());
}

TEST_CASE("imageFolderDataset: normalised [h, w, 3] float32 images and int32 labels",
          "[imagefolder]") {
  PokemonTree tree;
  ImageFolderIndex index = indexImageFolder(tree.rootString(), tree.csv);
  ImageFolderOptions options;
  options.height = 6;
  options.width = 9;
  data::Dataset ds = imageFolderDataset(index.entries, options);
  CHECK(ds.cardinality() == 12);

  auto checkElement = [&](const data::Element &e, const ImageFolderEntry &entry) {
    REQUIRE(e.size() == 2);
    REQUIRE(e[0].dtype() == runtime::DType::F32);
    REQUIRE(e[0].shape() == std::vector<int64_t>{6, 9, 3});
    REQUIRE(e[1].dtype() == runtime::DType::I32);
    REQUIRE(e[1].shape().empty());
    CHECK(e[1].as<int32_t>()[0] == entry.label);
    Rgb colour = kClassColour[entry.label];
    const uint8_t rgb[3] = {colour.r, colour.g, colour.b};
    auto px = e[0].as<float>();
    float worst = 0;
    for (size_t i = 0; i < px.size(); ++i) {
      size_t c = i % 3;
      float expected = (rgb[c] / 255.0f - kImageNetMean[c]) / kImageNetStd[c];
      worst = std::max(worst, std::abs(px[i] - expected));
    }
    INFO(entry.path);
    CHECK(worst < 3.0f / 255.0f / 0.224f); // JPEG may be off by a couple of levels
    // denormalize undoes it: back to [0, 1] colours.
    runtime::HostTensor back = denormalize(e[0]);
    CHECK(std::abs(back.as<float>()[0] - rgb[0] / 255.0f) < 3.0f / 255.0f);
  };

  std::vector<data::Element> all = ds.collect();
  REQUIRE(all.size() == 12);
  for (size_t i = 0; i < 12; ++i)
    checkElement(all[i], index.entries[i]);

  // Through prefetch (decoding on its thread) and batch: the same tensors in the same order.
  std::vector<data::Element> prefetched = ds.prefetch(3).collect();
  REQUIRE(prefetched.size() == 12);
  for (size_t i = 0; i < 12; ++i) {
    auto a = all[i][0].as<float>(), b = prefetched[i][0].as<float>();
    CHECK(std::equal(a.begin(), a.end(), b.begin()));
  }
  std::vector<data::Element> batches = ds.batch(5).prefetch(2).collect();
  REQUIRE(batches.size() == 3);
  CHECK(batches[0][0].shape() == std::vector<int64_t>{5, 6, 9, 3});
  CHECK(batches[0][1].shape() == std::vector<int64_t>{5});
  CHECK(batches[2][0].shape() == std::vector<int64_t>{2, 6, 9, 3});

  // Shuffled before decoding: a permutation of the same elements.
  options.shuffleBuffer = 100;
  options.seed = 5;
  std::multiset<int32_t> labels, shuffled;
  for (const ImageFolderEntry &e : index.entries)
    labels.insert(e.label);
  for (const data::Element &e : imageFolderDataset(index.entries, options).collect())
    shuffled.insert(e[1].as<int32_t>()[0]);
  CHECK(shuffled == labels);
}

TEST_CASE("normalize and denormalize per channel", "[imagefolder]") {
  runtime::HostTensor x(runtime::DType::F32, {2, 1, 3});
  auto px = x.as<float>();
  for (size_t i = 0; i < px.size(); ++i)
    px[i] = 0.1f * static_cast<float>(i);
  runtime::HostTensor n = normalize(x, {0.5f, 0.5f, 0.5f}, {0.5f, 0.25f, 2.0f});
  CHECK(n.as<float>()[1] == Approx((0.1 - 0.5) / 0.25));
  CHECK(n.as<float>()[5] == Approx((0.5 - 0.5) / 2.0).margin(1e-6));
  runtime::HostTensor back = denormalize(normalize(x));
  for (size_t i = 0; i < px.size(); ++i)
    CHECK(back.as<float>()[i] == Approx(px[i]).margin(1e-6));
  CHECK_THAT(
      errorOf<DataError>([&] { normalize(runtime::HostTensor(runtime::DType::F32, {2, 2})); }),
      Catch::Contains("[..., 3]"));
}

TEST_CASE("image folder errors name the folder, the CSV line or the image", "[imagefolder]") {
  PokemonTree tree;
  std::string root = tree.rootString();

  SECTION("a missing root folder, a root without class folders, class folders without images") {
    std::string missing = tree.dir.file("nowhere");
    CHECK_THAT(errorOf<DataError>([&] { indexImageFolder(missing, tree.csv); }),
               Catch::Contains("nowhere") && Catch::Contains("no such folder"));
    fs::create_directories(tree.dir.path / "flat");
    writePng(tree.dir.file("flat/x.png"), Image(1, 1));
    CHECK_THAT(errorOf<DataError>([&] { indexImageFolder(tree.dir.file("flat"), tree.csv); }),
               Catch::Contains("no class folders"));
    fs::create_directories(tree.dir.path / "empty" / "cats");
    CHECK_THAT(errorOf<DataError>([&] { indexImageFolder(tree.dir.file("empty"), tree.csv); }),
               Catch::Contains("no images"));
    CHECK_FALSE(fs::exists(tree.csv));
  }
  SECTION("a malformed CSV line") {
    writeFile(tree.csv, "bulbasaur/a.png,0\njust a name\n");
    std::string message = errorOf<DataError>([&] { indexImageFolder(root, tree.csv); });
    CHECK_THAT(message, Catch::Contains(tree.csv) && Catch::Contains("line 2") &&
                            Catch::Contains("path,label"));
    writeFile(tree.csv, "bulbasaur/a.png,zero\n");
    CHECK_THAT(errorOf<DataError>([&] { indexImageFolder(root, tree.csv); }),
               Catch::Contains("line 1") && Catch::Contains("not an integer"));
  }
  SECTION("a label outside the classes") {
    writeFile(tree.csv, "bulbasaur/a.png,0\nsquirtle/a.png,3\n");
    CHECK_THAT(errorOf<DataError>([&] { indexImageFolder(root, tree.csv); }),
               Catch::Contains(tree.csv) && Catch::Contains("line 2") &&
                   Catch::Contains("outside 0..2"));
    writeFile(tree.csv, "bulbasaur/a.png,-1\n");
    CHECK_THAT(errorOf<DataError>([&] { indexImageFolder(root, tree.csv); }),
               Catch::Contains("outside 0..2"));
  }
  SECTION("a listed image that was deleted") {
    indexImageFolder(root, tree.csv);
    fs::remove(tree.root / "charmander" / "c.gif");
    CHECK_THAT(errorOf<DataError>([&] { indexImageFolder(root, tree.csv); }),
               Catch::Contains(tree.csv) && Catch::Contains("c.gif") &&
                   Catch::Contains("no longer exists"));
  }
  SECTION("an undecodable image fails when its element is pulled, also through prefetch") {
    writeFile((tree.root / "bulbasaur" / "broken.png").string(), "\x89PNG but not really");
    std::vector<ImageFolderEntry> entries = {
        {(tree.root / "bulbasaur" / "a.png").string(), 0},
        {(tree.root / "bulbasaur" / "broken.png").string(), 0}};
    data::Dataset ds = imageFolderDataset(entries, {.height = 4, .width = 4}); // lazy: no throw
    data::Dataset::Iterator it = ds.prefetch(2).iterator();
    CHECK(it.next().has_value());
    CHECK_THAT(errorOf<DataError>([&] { it.next(); }), Catch::Contains("broken.png"));
  }
}
