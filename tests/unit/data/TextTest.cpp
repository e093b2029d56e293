// The text pipeline: tokenizer, vocabulary (reserved ids, limit, encode/decode), pad_sequences
// with Keras semantics, the sentiment@5.0.2 and GloVe / word2vec formats on generated files (and
// their errors), the stratified split, the embedding matrix; the real npm files when
// SINTER_TEXT_CACHE names a folder filled by scripts/fetch-text-data.sh.
#include "sinter/data/Text.h"
#include "../../common/RequireData.h"
#include "../../common/TempFiles.h"
#include "../../common/TestUtil.h"
#include "sinter/data/Dataset.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace sinter::data;
using Strings = std::vector<std::string>;

namespace {

using sinter::testing::errorOf;
using sinter::testing::TempDir;

std::vector<int32_t> values(const HostTensor &t) {
  auto v = t.as<int32_t>();
  return {v.begin(), v.end()};
}

/// A fixture file in the layout of npm sentiment@5.0.2: one line, a JSON array of records, and
/// the blank {"text":"","class":null} record at the end.
std::string sentimentJson(const std::string &prefix, int count) {
  std::string s = "[";
  for (int i = 0; i < count; ++i)
    s += "{\"text\":\"" + prefix + " sentence " + std::to_string(i) + ", \\\"quoted\\\".  \"," +
         "\"class\":" + std::to_string(i % 2) + "},";
  return s + "{\"text\":\"\",\"class\":null}]";
}

} // namespace

// ---- tokenizer ------------------------------------------------------------------------------

TEST_CASE("textToWordSequence: Keras' lower-casing, filters and whitespace split", "[text]") {
  CHECK(textToWordSequence("The quick brown fox jumped over the lazy dog.") ==
        Strings{"the", "quick", "brown", "fox", "jumped", "over", "the", "lazy", "dog"});
  // Apostrophes are not in Keras' filters; every other ASCII punctuation mark is.
  CHECK(textToWordSequence("Hello, World!! It's 9:30 -- don't\tpanic\n(really)  ") ==
        Strings{"hello", "world", "it's", "9", "30", "don't", "panic", "really"});
  CHECK(textToWordSequence("slow-moving, aimless") == Strings{"slow", "moving", "aimless"});
  CHECK(textToWordSequence("a\r\nb\vc\fd") == Strings{"a", "b", "c", "d"});
  CHECK(textToWordSequence("").empty());
  CHECK(textToWordSequence(" ...!? ").empty());
  // UTF-8: Latin-1 capitals are lower-cased, other characters kept.
  CHECK(textToWordSequence("Québec CAFÉ Ærø ×") == Strings{"québec", "café", "ærø", "×"});

  TokenizerOptions keepCase;
  keepCase.lower = false;
  keepCase.filters = ".";
  CHECK(textToWordSequence("Ham. Is, it?", keepCase) == Strings{"Ham", "Is,", "it?"});
}

// ---- vocabulary ----------------------------------------------------------------------------

TEST_CASE("Vocabulary: ranks by count then first appearance, reserved ids, limit", "[text]") {
  const Strings corpus{"the cat sat", "The dog sat down.", "a cat"};
  Vocabulary all = Vocabulary::build(corpus);
  // the 2, cat 2, sat 2 (in order of first appearance), then dog, down, a with 1 each.
  CHECK(all.words() == Strings{"the", "cat", "sat", "dog", "down", "a"});
  CHECK(all.distinctWords() == 6);
  CHECK(all.numWords() == 10);
  CHECK(all.count("cat") == 2);
  CHECK(all.count("mouse") == 0);
  CHECK(all.id("the") == 4);
  CHECK(all.id("a") == 9);
  CHECK(all.id("mouse") == Vocabulary::kUnknown);
  CHECK(all.word(0) == "<PAD>");
  CHECK(all.word(1) == "<START>");
  CHECK(all.word(2) == "<UNK>");
  CHECK(all.word(3) == "<UNUSED>");
  CHECK(all.word(5) == "cat");
  CHECK(all.word(10) == "?");
  CHECK(all.word(-1) == "?");

  // numWords counts the reserved ids: 7 keeps the three most frequent words.
  Vocabulary top = Vocabulary::build(corpus, 7);
  CHECK(top.numWords() == 7);
  CHECK(top.distinctWords() == 6);
  CHECK(top.id("sat") == 6);
  CHECK(top.id("dog") == Vocabulary::kUnknown);
  CHECK(top.word(7) == "dog"); // the reverse index still knows it, as the book's does
  CHECK(top.encode("The cat chased a mouse") == std::vector<int32_t>{1, 4, 5, 2, 2, 2});
  CHECK(top.encode("The cat chased a mouse", false) == std::vector<int32_t>{4, 5, 2, 2, 2});
  CHECK(top.decode(top.encode("The cat chased a mouse")) == "<START> the cat <UNK> <UNK> <UNK>");

  CHECK(Vocabulary::build(corpus, 4).encode("the cat") == std::vector<int32_t>{1, 2, 2});
  CHECK(Vocabulary::build(corpus, 100).numWords() == 100);
  CHECK(Vocabulary().numWords() == 4);
  CHECK_THAT(errorOf<DataError>([&] { Vocabulary::build(corpus, 3); }),
             Catch::Contains("numWords 3") && Catch::Contains("at least 4"));

  // Already tokenised documents give the same index.
  Vocabulary fromTokens =
      Vocabulary::fromTokens({{"the", "cat", "sat"}, {"the", "dog", "sat", "down"}, {"a", "cat"}});
  CHECK(fromTokens.words() == all.words());
}

TEST_CASE("Vocabulary: encode / decode round trip and a padded batch", "[text]") {
  const Strings corpus{"A very, very, very slow-moving, aimless movie about a distressed, "
                       "drifting young man.",
                       "Not sure who was more lost - the flat characters or the audience."};
  Vocabulary v = Vocabulary::build(corpus);
  for (const std::string &text : corpus) {
    Strings tokens = textToWordSequence(text);
    std::string joined;
    for (const std::string &t : tokens)
      joined += (joined.empty() ? "" : " ") + t;
    CHECK(v.decode(v.encode(text, false)) == joined);
    CHECK(v.decode(v.encode(text)) == "<START> " + joined);
  }
  CHECK(v.id("very") == 4); // 3 times, then "a" and "the" twice each, "a" seen first
  CHECK(v.id("a") == 5);
  CHECK(v.id("the") == 6);

  HostTensor x = padSequences(v.encodeAll(corpus), 8);
  CHECK(x.dtype() == DType::I32);
  CHECK(x.shape() == std::vector<int64_t>{2, 8});
  auto row0 = x.as<int32_t>().subspan(0, 8);
  CHECK(v.decode(row0) == "aimless movie about a distressed drifting young man");
  HostTensor y = padSequences(v.encodeAll({"the man"}), 5);
  CHECK(v.decode(y.as<int32_t>()) == "<PAD> <PAD> <START> the man");
  CHECK(v.decode(y.as<int32_t>(), true) == "<START> the man");
}

// ---- pad_sequences -------------------------------------------------------------------------

TEST_CASE("padSequences: Keras pre/post padding and truncation", "[text]") {
  const std::vector<std::vector<int32_t>> s{{1, 2, 3}, {4, 5}};
  HostTensor t2 = padSequences(s, 2);
  CHECK(t2.shape() == std::vector<int64_t>{2, 2});
  CHECK(values(t2) == std::vector<int32_t>{2, 3, 4, 5});
  CHECK(values(padSequences(s, 2, 0, PadSide::Pre, PadSide::Post)) ==
        std::vector<int32_t>{1, 2, 4, 5});
  HostTensor t4 = padSequences(s, 4);
  CHECK(t4.shape() == std::vector<int64_t>{2, 4});
  CHECK(values(t4) == std::vector<int32_t>{0, 1, 2, 3, 0, 0, 4, 5});
  CHECK(values(padSequences(s, 4, 0, PadSide::Post)) ==
        std::vector<int32_t>{1, 2, 3, 0, 4, 5, 0, 0});
  CHECK(values(padSequences(s, 4, -1)) == std::vector<int32_t>{-1, 1, 2, 3, -1, -1, 4, 5});
  // maxlen -1 (None): the longest sequence.
  HostTensor longest = padSequences(s);
  CHECK(longest.shape() == std::vector<int64_t>{2, 3});
  CHECK(values(longest) == std::vector<int32_t>{1, 2, 3, 0, 4, 5});
  // Both truncation and padding in one call.
  CHECK(values(padSequences({{1, 2, 3, 4, 5}, {6}}, 3, 9, PadSide::Post, PadSide::Post)) ==
        std::vector<int32_t>{1, 2, 3, 6, 9, 9});
  CHECK(values(padSequences({{}, {7}}, 2)) == std::vector<int32_t>{0, 0, 0, 7});
  CHECK(padSequences({}, 5).shape() == std::vector<int64_t>{0, 5});
  CHECK(padSequences({}).shape() == std::vector<int64_t>{0, 0});
  CHECK(padSequences(s, 0).shape() == std::vector<int64_t>{2, 0});
  CHECK_THAT(errorOf<DataError>([&] { padSequences(s, -2); }), Catch::Contains("maxlen -2"));
}

// ---- sentiment sentences ---------------------------------------------------------------------

TEST_CASE("sentiment@5.0.2 fixtures: loading, sources, labels", "[text][sentiment]") {
  TempDir dir;
  const std::string fixtures = "sentiment-5.0.2/package/test/fixtures/";
  dir.write(fixtures + "imdb.json", sentimentJson("imdb", 10));
  dir.write(fixtures + "yelp.json", sentimentJson("yelp", 10));
  dir.write(fixtures + "amazon.json", sentimentJson("amazon", 10));

  LabelledTexts one = loadSentimentJson(dir.path / (fixtures + "yelp.json"), SentimentSource::Yelp);
  CHECK(one.size() == 10); // the blank last record is skipped
  CHECK(one.texts[3] == "yelp sentence 3, \"quoted\".  ");
  CHECK(one.labels[3] == 1);
  CHECK(one.sources[3] == SentimentSource::Yelp);

  LabelledTexts all = loadSentimentSentences(dir.path.string());
  CHECK(all.size() == 30);
  CHECK(all.texts[0].rfind("imdb sentence 0", 0) == 0);
  CHECK(all.texts[29].rfind("amazon sentence 9", 0) == 0);
  CHECK(all.sources[15] == SentimentSource::Yelp);
  CHECK(std::count(all.labels.begin(), all.labels.end(), 1) == 15);

  LabelledTexts some =
      loadSentimentSentences(dir.path.string(), {SentimentSource::Amazon, SentimentSource::Imdb});
  CHECK(some.size() == 20);
  CHECK(some.sources.front() == SentimentSource::Amazon);
  CHECK(some.sources.back() == SentimentSource::Imdb);
  // The package folder itself (CACHE/package/...) and a bare fixtures folder work too.
  CHECK(loadSentimentSentences((dir.path / "sentiment-5.0.2").string()).size() == 30);
  CHECK(loadSentimentSentences((dir.path / fixtures).string()).size() == 30);

  HostTensor yf = all.labelTensor();
  CHECK(yf.dtype() == DType::F32);
  CHECK(yf.shape() == std::vector<int64_t>{30});
  CHECK(yf.as<float>()[1] == 1.0f);
  CHECK(all.labelTensor(DType::I32).as<int32_t>()[2] == 0);
  CHECK_THROWS_AS(all.labelTensor(DType::F64), DataError);
  CHECK(std::string(sentimentSourceName(SentimentSource::Amazon)) == "amazon");

  TempDir empty;
  CHECK_THAT(errorOf<DataError>([&] { loadSentimentSentences(empty.path.string()); }),
             Catch::Contains(empty.path.string()) && Catch::Contains("scripts/fetch-text-data.sh"));
  fs::remove(dir.path / (fixtures + "amazon.json"));
  CHECK_THAT(errorOf<DataError>([&] { loadSentimentSentences(dir.path.string()); }),
             Catch::Contains("amazon.json: file not found"));
  CHECK(loadSentimentSentences(dir.path.string(), {SentimentSource::Imdb}).size() == 10);
}

TEST_CASE("sentiment JSON: malformed files and records name the file and line", "[text]") {
  TempDir dir;
  auto load = [&](const std::string &name, const std::string &text) {
    return errorOf<DataError>(
        [&] { loadSentimentJson(dir.write(name, text), SentimentSource::Imdb); });
  };
  std::string p = (dir.path / "a.json").string();
  CHECK_THAT(load("a.json", "[{\"text\":\"a\",\"class\":1},\n{\"text\":\"b\" \"class\":0}]"),
             Catch::StartsWith(p + ":2:19:") && Catch::Contains("expected '}'"));
  p = (dir.path / "b.json").string();
  CHECK_THAT(load("b.json", "[\n {\"text\":\"a [x], {y}\",\"class\":1},\n {\"text\":\"b\","
                            "\"class\":2}\n]"),
             Catch::StartsWith(p + ":3:2: record 2:") && Catch::Contains("\"class\" is 2"));
  CHECK_THAT(load("c.json", "[{\"text\":\"a\",\"class\":\"1\"}]"),
             Catch::Contains("c.json:1:2: record 1") && Catch::Contains("expected 0 or 1"));
  CHECK_THAT(load("d.json", "[{\"class\":1}]"), Catch::Contains("no \"text\" member"));
  CHECK_THAT(load("e.json", "[{\"text\":5,\"class\":1}]"), Catch::Contains("not a string"));
  CHECK_THAT(load("f.json", "[{\"text\":\"a\"}]"), Catch::Contains("no \"class\" member"));
  CHECK_THAT(load("g.json", "[{\"text\":\"a\",\"class\":null}]"),
             Catch::Contains("\"class\" is null"));
  CHECK_THAT(load("h.json", "[{\"text\":\"a\",\"class\":1}, 7]"),
             Catch::Contains("h.json:1:26: record 2") && Catch::Contains("expected an object"));
  CHECK_THAT(load("i.json", "{\"text\":\"a\",\"class\":1}"),
             Catch::Contains("i.json") && Catch::Contains("expected a JSON array"));
  CHECK_THAT(load("j.json", ""), Catch::Contains("j.json:1:1"));
  CHECK_THAT(errorOf<DataError>([&] {
               loadSentimentJson((dir.path / "missing.json").string(), SentimentSource::Yelp);
             }),
             Catch::Contains("missing.json: file not found"));
  CHECK(loadSentimentJson(dir.write("k.json", " [ ] "), SentimentSource::Imdb).size() == 0);
}

TEST_CASE("stratifiedSplit: fixed quotas per (source, label), deterministic", "[text]") {
  LabelledTexts data;
  // 3 sources x (6 negatives + 4 positives).
  for (SentimentSource s : kAllSentimentSources)
    for (int i = 0; i < 10; ++i) {
      data.texts.push_back(std::string(sentimentSourceName(s)) + std::to_string(i));
      data.labels.push_back(i < 6 ? 0 : 1);
      data.sources.push_back(s);
    }
  TextSplit a = stratifiedSplit(data);
  // round(0.8 * 6) = 5 and round(0.8 * 4) = 3 per source.
  CHECK(a.train.size() == 24);
  CHECK(a.test.size() == 6);
  for (SentimentSource s : kAllSentimentSources)
    for (int label : {0, 1}) {
      int64_t train = 0, test = 0;
      for (int64_t i = 0; i < a.train.size(); ++i)
        train += a.train.sources[size_t(i)] == s && a.train.labels[size_t(i)] == label;
      for (int64_t i = 0; i < a.test.size(); ++i)
        test += a.test.sources[size_t(i)] == s && a.test.labels[size_t(i)] == label;
      CHECK(train == (label == 0 ? 5 : 3));
      CHECK(test == 1);
    }
  std::set<int64_t> seen(a.trainIndex.begin(), a.trainIndex.end());
  seen.insert(a.testIndex.begin(), a.testIndex.end());
  CHECK(seen.size() == 30);
  for (size_t i = 0; i < a.trainIndex.size(); ++i)
    CHECK(a.train.texts[i] == data.texts[size_t(a.trainIndex[i])]);

  TextSplit again = stratifiedSplit(data);
  CHECK(again.trainIndex == a.trainIndex);
  CHECK(again.testIndex == a.testIndex);
  CHECK(stratifiedSplit(data, 0.8, 7).trainIndex != a.trainIndex);
  CHECK(stratifiedSplit(data, 1.0).test.size() == 0);
  CHECK(stratifiedSplit(data, 0.0).train.size() == 0);
  CHECK_THAT(errorOf<DataError>([&] { stratifiedSplit(data, 1.5); }),
             Catch::Contains("trainFraction"));
  LabelledTexts noSources = data;
  noSources.sources.clear();
  CHECK(stratifiedSplit(noSources, 0.5).train.size() == 15); // 9 + 6
  noSources.labels.pop_back();
  CHECK_THROWS_AS(stratifiedSplit(noSources), DataError);
}

// ---- word vectors ----------------------------------------------------------------------------

TEST_CASE("word vectors: GloVe lines, a word2vec header, maxWords", "[text][vectors]") {
  TempDir dir;
  WordVectors glove =
      loadWordVectors(dir.write("glove.txt", "the 0.1 0.2 0.3\ncat -1 2.5e-1 3\n\nsat\t1 1 1\n"));
  CHECK(!glove.hadHeader);
  CHECK(glove.dim == 3);
  CHECK(glove.size() == 3);
  CHECK(glove.words == Strings{"the", "cat", "sat"});
  CHECK(glove.values[4] == 0.25f);
  auto cat = glove.find("cat");
  REQUIRE(cat.size() == 3);
  CHECK(cat[0] == -1.0f);
  CHECK(glove.find("dog").empty());
  CHECK(glove.find("The").empty()); // exact, case-sensitive
  CHECK(glove.row(2)[1] == 1.0f);

  // word2vec's layout: "COUNT DIM", trailing spaces, \r\n; a repeated word keeps its first row.
  WordVectors w2v = loadWordVectors(
      dir.write("w2v.txt", "3 2\r\n</s> 0.002001 -0.5 \r\nHam. 1 2 \r\n</s> 9 9 \r\n"));
  CHECK(w2v.hadHeader);
  CHECK(w2v.dim == 2);
  CHECK(w2v.size() == 3);
  CHECK(w2v.words[1] == "Ham.");
  CHECK(w2v.find("</s>")[0] == 0.002001f);
  CHECK(w2v.find("Ham.")[1] == 2.0f);
  CHECK(loadWordVectors(dir.path / "w2v.txt", 1).size() == 1);
  CHECK(loadWordVectors(dir.path / "glove.txt", 2).words == Strings{"the", "cat"});
  CHECK(loadWordVectors(dir.write("h0.txt", "0 5\n")).dim == 5);
}

TEST_CASE("word vectors: bad input names the file and line", "[text][vectors]") {
  TempDir dir;
  auto load = [&](const std::string &name, const std::string &text) {
    return errorOf<DataError>([&] { loadWordVectors(dir.write(name, text)); });
  };
  std::string p = (dir.path / "ragged.txt").string();
  CHECK_THAT(load("ragged.txt", "a 1 2 3\nb 4 5 6\nc 7 8\n"),
             Catch::StartsWith(p + ":3:") && Catch::Contains("'c' has 2 values, expected 3"));
  CHECK_THAT(load("long.txt", "2 2\na 1 2\nb 1 2 3\n"),
             Catch::Contains("long.txt:3:") && Catch::Contains("the header's dimension"));
  p = (dir.path / "nan.txt").string();
  CHECK_THAT(load("nan.txt", "a 1 2\nb 1 abc\n"),
             Catch::StartsWith(p + ":2:") && Catch::Contains("'abc', is not a finite number"));
  CHECK_THAT(load("nan2.txt", "a 1 nan\n"), Catch::Contains("nan2.txt:1:"));
  CHECK_THAT(load("inf.txt", "a 1 1e99\n"), Catch::Contains("inf.txt:1:"));
  CHECK_THAT(load("junk.txt", "a 1 2x\n"), Catch::Contains("'2x'"));
  CHECK_THAT(load("word.txt", "lonely\n"),
             Catch::Contains("word.txt:1:") && Catch::Contains("'lonely' has no values"));
  CHECK_THAT(load("count.txt", "3 2\na 1 2\nb 1 2\n"),
             Catch::Contains("count.txt") && Catch::Contains("header says 3 vectors") &&
                 Catch::Contains("has 2"));
  CHECK_THAT(load("dim0.txt", "3 0\n"),
             Catch::Contains("dim0.txt:1:") && Catch::Contains("dimension 0"));
  CHECK_THAT(load("empty.txt", "\n \n"), Catch::Contains("empty.txt: empty file"));
  CHECK_THAT(errorOf<DataError>([&] { loadWordVectors((dir.path / "absent.txt").string()); }),
             Catch::Contains("absent.txt: file not found"));
  CHECK_THAT(errorOf<DataError>([&] { loadWordVectors(dir.path.string()); }),
             Catch::Contains("not a regular file"));
  TempDir empty;
  CHECK_THAT(errorOf<DataError>([&] { word2vecVectorsPath(empty.path.string()); }),
             Catch::Contains("scripts/fetch-text-data.sh"));
}

TEST_CASE("embeddingMatrix: rows by id, reserved and missing words stay zero", "[text]") {
  TempDir dir;
  WordVectors vectors =
      loadWordVectors(dir.write("v.txt", "cat 1 2\nthe 3 4\ndown 5 6\nunused 7 8\n"));
  const Strings corpus{"the cat sat", "The dog sat down.", "a cat"};
  Vocabulary v = Vocabulary::build(corpus); // the 4, cat 5, sat 6, dog 7, down 8, a 9
  EmbeddingMatrix m = embeddingMatrix(v, vectors);
  CHECK(m.weights.dtype() == DType::F32);
  CHECK(m.weights.shape() == std::vector<int64_t>{10, 2});
  CHECK(m.found == 3);
  CHECK(m.missing == Strings{"sat", "dog", "a"});
  auto w = m.weights.as<float>();
  CHECK(std::vector<float>(w.begin(), w.begin() + 8) == std::vector<float>(8, 0.0f));
  CHECK(w[4 * 2] == 3.0f);
  CHECK(w[4 * 2 + 1] == 4.0f);
  CHECK(w[5 * 2] == 1.0f);
  CHECK(w[6 * 2] == 0.0f);
  CHECK(w[8 * 2 + 1] == 6.0f);

  // A limit keeps numWords rows; words past it are not looked up. A larger limit adds zero rows.
  EmbeddingMatrix small = embeddingMatrix(Vocabulary::build(corpus, 6), vectors);
  CHECK(small.weights.shape() == std::vector<int64_t>{6, 2});
  CHECK(small.found == 2);
  CHECK(small.missing.empty());
  EmbeddingMatrix big = embeddingMatrix(Vocabulary::build(corpus, 20), vectors);
  CHECK(big.weights.shape() == std::vector<int64_t>{20, 2});
  CHECK(big.found == 3);
  CHECK_THROWS_AS(embeddingMatrix(v, WordVectors{}), DataError);
}

// ---- the real npm files ----------------------------------------------------------------------

TEST_CASE("real npm sentiment@5.0.2 and word2vec@1.1.5 (skipped when not fetched)",
          "[text][real]") {
  std::string cache = sinter::testing::requireData("SINTER_TEXT_CACHE", "sentiment-5.0.2",
                                                   "scripts/fetch-text-data.sh DIR");
  LabelledTexts all = loadSentimentSentences(cache);
  REQUIRE(all.size() == 3000);
  for (SentimentSource s : kAllSentimentSources) {
    LabelledTexts one = loadSentimentSentences(cache, {s});
    CHECK(one.size() == 1000);
    CHECK(std::count(one.labels.begin(), one.labels.end(), 1) == 500);
  }
  CHECK(all.texts[0] ==
        "A very, very, very slow-moving, aimless movie about a distressed, drifting young man.  ");
  CHECK(all.labels[0] == 0);
  CHECK(all.texts[1000] == "Wow... Loved this place.");
  CHECK(all.labels[1000] == 1);

  TextSplit split = stratifiedSplit(all);
  CHECK(split.train.size() == 2400);
  CHECK(split.test.size() == 600);
  CHECK(std::count(split.train.labels.begin(), split.train.labels.end(), 1) == 1200);
  CHECK(std::count(split.test.labels.begin(), split.test.labels.end(), 1) == 300);
  CHECK(std::count(split.test.sources.begin(), split.test.sources.end(), SentimentSource::Yelp) ==
        200);

  // The corpus: 35,677 tokens, 5,271 distinct words, the longest sentence 73 tokens (values of
  // Keras' text_to_word_sequence, which splits on " " only: the C1 controls U+0085 and U+0096
  // in a few IMDB sentences stay inside tokens such as "is\u0085was").
  Vocabulary vocab = Vocabulary::build(all.texts);
  CHECK(vocab.distinctWords() == 5271);
  CHECK(vocab.words()[0] == "the");
  CHECK(vocab.count("the") == 1952);
  std::vector<std::vector<int32_t>> seqs = vocab.encodeAll(all.texts, false);
  int64_t tokens = 0;
  size_t longest = 0;
  for (const auto &s : seqs) {
    tokens += int64_t(s.size());
    longest = std::max(longest, s.size());
  }
  CHECK(tokens == 35677);
  CHECK(longest == 73);
  CHECK(vocab.id("is\u0085was") >= Vocabulary::kFirstWordId);
  CHECK(vocab.decode(seqs[0]) ==
        "a very very very slow moving aimless movie about a distressed drifting young man");

  WordVectors vectors = loadWordVectors(word2vecVectorsPath(cache));
  CHECK(vectors.hadHeader);
  CHECK(vectors.size() == 2631);
  CHECK(vectors.dim == 200);
  CHECK(vectors.words[0] == "</s>");
  CHECK(vectors.values[0] == 0.002001f);
  CHECK(!vectors.find("Ham.").empty());
  // Exact matching: 766 of the 5,271 lower-case corpus words have a vector ("i" does not: the
  // file spells it "I"); 419 of the 996 words kept with numWords 1,000.
  EmbeddingMatrix m = embeddingMatrix(vocab, vectors);
  CHECK(m.weights.shape() == std::vector<int64_t>{5275, 200});
  CHECK(m.found == 766);
  CHECK(m.found + int64_t(m.missing.size()) == 5271);
  CHECK(embeddingMatrix(Vocabulary::build(all.texts, 1000), vectors).found == 419);
}

TEST_CASE("a ragged batch of unpadded sequences is an error that says to pad", "[text]") {
  Vocabulary vocab = Vocabulary::build({"a b c d", "a b"});
  std::vector<Element> elements;
  for (const std::vector<int32_t> &ids : vocab.encodeAll({"a b c d", "a b"})) {
    HostTensor t(DType::I32, {static_cast<int64_t>(ids.size())});
    std::copy(ids.begin(), ids.end(), t.as<int32_t>().begin());
    elements.push_back({t});
  }
  Dataset ragged = Dataset::fromElements(elements).batch(2);
  CHECK_THROWS_WITH(ragged.collect(),
                    Catch::Contains("element 1 is int32") && Catch::Contains("padSequences"));
}
