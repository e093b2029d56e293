// Text pipeline: tokenizer, vocabulary, pad_sequences, the npm sentiment@5.0.2 sentences and
// their stratified split, word vectors (GloVe / word2vec text) and the embedding matrix.
#include "sinter/data/Text.h"

#include "sinter/data/Json.h"

#include "NpmPackages.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

namespace sinter::data {
namespace fs = std::filesystem;

namespace {

bool isSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void requireFile(const std::string &path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw DataError(path + ": file not found");
  if (!fs::is_regular_file(path, ec))
    throw DataError(path + ": not a regular file (a FIFO, device or directory)");
}

} // namespace

// ---- tokenizer ------------------------------------------------------------------------------

std::vector<std::string> textToWordSequence(std::string_view text,
                                            const TokenizerOptions &options) {
  std::array<bool, 256> separator{};
  for (int c = 0; c < 256; ++c)
    separator[static_cast<size_t>(c)] = isSpace(static_cast<unsigned char>(c));
  for (char c : options.filters)
    separator[static_cast<unsigned char>(c)] = true;

  std::vector<std::string> tokens;
  std::string token;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (separator[c]) {
      if (!token.empty())
        tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (options.lower) {
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<unsigned char>(c + ('a' - 'A'));
      } else if (c == 0xC3 && i + 1 < text.size()) {
        // U+00C0..U+00DE (A grave .. Thorn, not U+00D7 the multiplication sign) are C3 80..9E.
        unsigned char next = static_cast<unsigned char>(text[i + 1]);
        if (next >= 0x80 && next <= 0x9E && next != 0x97 && !separator[next]) {
          token += static_cast<char>(c);
          token += static_cast<char>(next + 0x20);
          ++i;
          continue;
        }
      }
    }
    token += static_cast<char>(c);
  }
  if (!token.empty())
    tokens.push_back(std::move(token));
  return tokens;
}

// ---- vocabulary ----------------------------------------------------------------------------

Vocabulary Vocabulary::build(const std::vector<std::string> &texts, int64_t numWords,
                             const TokenizerOptions &options) {
  std::vector<std::vector<std::string>> documents;
  documents.reserve(texts.size());
  for (const std::string &t : texts)
    documents.push_back(textToWordSequence(t, options));
  return fromTokens(documents, numWords, options);
}

Vocabulary Vocabulary::fromTokens(const std::vector<std::vector<std::string>> &documents,
                                  int64_t numWords, const TokenizerOptions &options) {
  if (numWords != 0 && numWords < kFirstWordId)
    throw DataError("Vocabulary: numWords " + std::to_string(numWords) +
                    " must be 0 (no limit) or at least 4 (the reserved ids <PAD>, <START>, "
                    "<UNK>, <UNUSED>)");
  // Counts in order of first appearance, then a stable sort by count: Keras' ranking.
  std::vector<std::pair<std::string, int64_t>> counted;
  std::unordered_map<std::string, size_t> at;
  for (const auto &doc : documents)
    for (const std::string &w : doc) {
      auto [it, inserted] = at.try_emplace(w, counted.size());
      if (inserted)
        counted.emplace_back(w, 0);
      ++counted[it->second].second;
    }
  std::stable_sort(counted.begin(), counted.end(),
                   [](const auto &a, const auto &b) { return a.second > b.second; });
  Vocabulary v;
  v.options_ = options;
  v.finish(std::move(counted), numWords);
  return v;
}

void Vocabulary::finish(std::vector<std::pair<std::string, int64_t>> ranked, int64_t numWords) {
  if (ranked.size() > static_cast<size_t>(INT32_MAX - kFirstWordId))
    throw DataError("Vocabulary: too many distinct words for int32 ids");
  words_.clear();
  counts_.clear();
  rank_.clear();
  words_.reserve(ranked.size());
  counts_.reserve(ranked.size());
  for (auto &[w, c] : ranked) {
    rank_.emplace(w, static_cast<int32_t>(words_.size()));
    words_.push_back(std::move(w));
    counts_.push_back(c);
  }
  numWords_ = numWords == 0 ? kFirstWordId + static_cast<int64_t>(words_.size()) : numWords;
}

int64_t Vocabulary::count(std::string_view word) const {
  auto it = rank_.find(std::string(word));
  return it == rank_.end() ? 0 : counts_[static_cast<size_t>(it->second)];
}

int32_t Vocabulary::id(std::string_view word) const {
  auto it = rank_.find(std::string(word));
  if (it == rank_.end())
    return kUnknown;
  int64_t id = static_cast<int64_t>(it->second) + kFirstWordId;
  return id < numWords_ ? static_cast<int32_t>(id) : kUnknown;
}

std::string Vocabulary::word(int32_t id) const {
  switch (id) {
  case kPad:
    return "<PAD>";
  case kStart:
    return "<START>";
  case kUnknown:
    return "<UNK>";
  case kUnused:
    return "<UNUSED>";
  default:
    break;
  }
  if (id >= kFirstWordId && static_cast<size_t>(id - kFirstWordId) < words_.size())
    return words_[static_cast<size_t>(id - kFirstWordId)];
  return "?";
}

std::vector<int32_t> Vocabulary::encode(std::string_view text, bool addStart) const {
  std::vector<int32_t> ids;
  if (addStart)
    ids.push_back(kStart);
  for (const std::string &w : textToWordSequence(text, options_))
    ids.push_back(id(w));
  return ids;
}

std::vector<std::vector<int32_t>> Vocabulary::encodeAll(const std::vector<std::string> &texts,
                                                        bool addStart) const {
  std::vector<std::vector<int32_t>> out;
  out.reserve(texts.size());
  for (const std::string &t : texts)
    out.push_back(encode(t, addStart));
  return out;
}

std::string Vocabulary::decode(std::span<const int32_t> ids, bool skipPadding) const {
  std::string out;
  for (int32_t i : ids) {
    if (skipPadding && i == kPad)
      continue;
    if (!out.empty())
      out += ' ';
    out += word(i);
  }
  return out;
}

// ---- pad_sequences -------------------------------------------------------------------------

HostTensor padSequences(const std::vector<std::vector<int32_t>> &sequences, int64_t maxlen,
                        int32_t value, PadSide padding, PadSide truncating) {
  if (maxlen < -1)
    throw DataError("padSequences: maxlen " + std::to_string(maxlen) +
                    " is negative (-1 means the longest sequence)");
  if (maxlen == -1) {
    maxlen = 0;
    for (const auto &s : sequences)
      maxlen = std::max<int64_t>(maxlen, static_cast<int64_t>(s.size()));
  }
  const int64_t n = static_cast<int64_t>(sequences.size());
  HostTensor out(DType::I32, {n, maxlen});
  std::span<int32_t> dst = out.as<int32_t>();
  std::fill(dst.begin(), dst.end(), value);
  for (int64_t r = 0; r < n; ++r) {
    const auto &s = sequences[static_cast<size_t>(r)];
    const int64_t len = static_cast<int64_t>(s.size());
    const int64_t keep = std::min(len, maxlen);
    // The kept part of the sequence, and where it goes in the row.
    const int64_t from = truncating == PadSide::Pre ? len - keep : 0;
    const int64_t to = padding == PadSide::Pre ? maxlen - keep : 0;
    if (keep > 0)
      std::memcpy(dst.data() + r * maxlen + to, s.data() + from,
                  static_cast<size_t>(keep) * sizeof(int32_t));
  }
  return out;
}

// ---- labelled sentences ----------------------------------------------------------------------

const char *sentimentSourceName(SentimentSource source) {
  switch (source) {
  case SentimentSource::Imdb:
    return "imdb";
  case SentimentSource::Yelp:
    return "yelp";
  case SentimentSource::Amazon:
    return "amazon";
  }
  return "?";
}

HostTensor LabelledTexts::labelTensor(DType dtype) const {
  const int64_t n = static_cast<int64_t>(labels.size());
  if (dtype == DType::F32) {
    HostTensor t(DType::F32, {n});
    auto v = t.as<float>();
    for (int64_t i = 0; i < n; ++i)
      v[static_cast<size_t>(i)] = static_cast<float>(labels[static_cast<size_t>(i)]);
    return t;
  }
  if (dtype == DType::I32) {
    HostTensor t(DType::I32, {n});
    std::copy(labels.begin(), labels.end(), t.as<int32_t>().begin());
    return t;
  }
  throw DataError(std::string("LabelledTexts::labelTensor: dtype ") + runtime::dtypeName(dtype) +
                  " (use float32 or int32)");
}

LabelledTexts LabelledTexts::select(const std::vector<int64_t> &idx) const {
  LabelledTexts out;
  out.texts.reserve(idx.size());
  out.labels.reserve(idx.size());
  for (int64_t i : idx) {
    if (i < 0 || i >= size())
      throw DataError("LabelledTexts::select: row " + std::to_string(i) + " out of range 0.." +
                      std::to_string(size() - 1));
    size_t k = static_cast<size_t>(i);
    out.texts.push_back(texts[k]);
    out.labels.push_back(labels[k]);
    if (k < sources.size())
      out.sources.push_back(sources[k]);
  }
  return out;
}

namespace {

std::string lineColumn(std::string_view text, size_t at) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

/// Byte offset of element k of the top-level JSON array in `text` (already known to parse).
size_t arrayElementOffset(std::string_view text, size_t k) {
  size_t i = text.find('[');
  if (i == std::string_view::npos)
    return 0;
  int depth = 0;
  size_t element = 0;
  bool atStart = true; // the next non-space character at depth 1 starts an element
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (depth == 1 && atStart && !isSpace(static_cast<unsigned char>(c))) {
      if (element == k)
        return i;
      atStart = false;
    }
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '[' || c == '{') {
      ++depth;
      if (depth == 1)
        atStart = true;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 1) {
      ++element;
      atStart = true;
    }
  }
  return 0;
}

} // namespace

LabelledTexts loadSentimentJson(const std::string &path, SentimentSource source) {
  requireFile(path);
  const std::string text = readTextFile(path);
  const JsonValue doc = parseJson(text, path);
  if (!doc.isArray())
    throw DataError(path + ": expected a JSON array of {\"text\": ..., \"class\": 0 or 1} "
                           "records at the top level");
  LabelledTexts out;
  const auto &items = doc.items();
  for (size_t k = 0; k < items.size(); ++k) {
    auto bad = [&](const std::string &problem) -> DataError {
      return DataError(path + ":" + lineColumn(text, arrayElementOffset(text, k)) + ": record " +
                       std::to_string(k + 1) + ": " + problem);
    };
    const JsonValue &r = items[k];
    if (!r.isObject())
      throw bad("expected an object {\"text\": ..., \"class\": 0 or 1}, found " + r.dump());
    const JsonValue *t = r.find("text");
    const JsonValue *c = r.find("class");
    if (!t)
      throw bad("no \"text\" member");
    if (!t->isString())
      throw bad("\"text\" is " + t->dump() + ", not a string");
    if (!c)
      throw bad("no \"class\" member");
    if (c->isNull() && t->asString().empty())
      continue; // the blank record each real file ends with
    if (!c->isNumber() || (c->asNumber() != 0.0 && c->asNumber() != 1.0))
      throw bad("\"class\" is " + c->dump() + ", expected 0 or 1");
    out.texts.push_back(t->asString());
    out.labels.push_back(static_cast<int32_t>(c->asNumber()));
    out.sources.push_back(source);
  }
  return out;
}

LabelledTexts loadSentimentSentences(const std::string &cacheDir,
                                     const std::vector<SentimentSource> &sources) {
  fs::path dir = npmPackageFolder(cacheDir, "sentiment-5.0.2", "test/fixtures", "imdb.json",
                                  "sentiment sentences", "scripts/fetch-text-data.sh");
  LabelledTexts all;
  for (SentimentSource s : sources) {
    LabelledTexts part =
        loadSentimentJson((dir / (std::string(sentimentSourceName(s)) + ".json")).string(), s);
    for (size_t i = 0; i < part.texts.size(); ++i) {
      all.texts.push_back(std::move(part.texts[i]));
      all.labels.push_back(part.labels[i]);
      all.sources.push_back(part.sources[i]);
    }
  }
  return all;
}

TextSplit stratifiedSplit(const LabelledTexts &data, double trainFraction, uint64_t seed) {
  if (!(trainFraction >= 0.0 && trainFraction <= 1.0))
    throw DataError("stratifiedSplit: trainFraction " + std::to_string(trainFraction) +
                    " is not in [0, 1]");
  const int64_t n = data.size();
  if (data.labels.size() != data.texts.size() ||
      (!data.sources.empty() && data.sources.size() != data.texts.size()))
    throw DataError("stratifiedSplit: " + std::to_string(data.texts.size()) + " texts, " +
                    std::to_string(data.labels.size()) + " labels and " +
                    std::to_string(data.sources.size()) + " sources (need equal counts)");
  auto group = [&](int64_t i) {
    size_t k = static_cast<size_t>(i);
    int source = data.sources.empty() ? 0 : static_cast<int>(data.sources[k]);
    return std::pair<int, int32_t>(source, data.labels[k]);
  };
  std::map<std::pair<int, int32_t>, std::pair<int64_t, int64_t>> quota; // count, train quota
  for (int64_t i = 0; i < n; ++i)
    ++quota[group(i)].first;
  for (auto &[key, q] : quota)
    q.second = static_cast<int64_t>(std::llround(trainFraction * static_cast<double>(q.first)));
  TextSplit split;
  for (int64_t i : permutation(n, seed)) {
    auto &q = quota[group(i)];
    if (q.second > 0) {
      --q.second;
      split.trainIndex.push_back(i);
    } else {
      split.testIndex.push_back(i);
    }
  }
  split.train = data.select(split.trainIndex);
  split.test = data.select(split.testIndex);
  return split;
}

// ---- word vectors ----------------------------------------------------------------------------

std::span<const float> WordVectors::find(const std::string &word) const {
  auto it = index.find(word);
  if (it == index.end())
    return {};
  return row(it->second);
}

std::span<const float> WordVectors::row(int64_t i) const {
  if (i < 0 || i >= size())
    throw DataError("WordVectors::row: " + std::to_string(i) + " out of range 0.." +
                    std::to_string(size() - 1));
  return {values.data() + i * dim, static_cast<size_t>(dim)};
}

namespace {

void splitFields(const std::string &line, std::vector<std::string_view> &fields) {
  fields.clear();
  size_t i = 0, n = line.size();
  while (i < n) {
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    size_t b = i;
    while (i < n && line[i] != ' ' && line[i] != '\t')
      ++i;
    if (i > b)
      fields.emplace_back(line.data() + b, i - b);
  }
}

bool isUnsigned(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool parseFloat(std::string_view s, float &out) {
  const char *b = s.data(), *e = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(b, e, out);
  if (ec == std::errc::result_out_of_range && ptr == e)
    out = std::strtof(std::string(s).c_str(), nullptr); // underflow to 0, overflow to inf
  else if (ec != std::errc() || ptr != e)
    return false;
  return std::isfinite(out);
}

} // namespace

WordVectors loadWordVectors(const std::string &path, int64_t maxWords) {
  if (maxWords < 0)
    throw DataError(path + ": maxWords " + std::to_string(maxWords) + " is negative");
  requireFile(path);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(path + ": cannot open file");
  WordVectors wv;
  int64_t headerCount = -1;
  int64_t lineNo = 0;
  bool first = true;
  std::string line;
  std::vector<std::string_view> fields;
  auto fail = [&](const std::string &problem) -> DataError {
    return DataError(path + ":" + std::to_string(lineNo) + ": " + problem);
  };
  while ((maxWords == 0 || wv.size() < maxWords) && std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    splitFields(line, fields);
    if (fields.empty())
      continue;
    if (first) {
      first = false;
      if (fields.size() == 2 && isUnsigned(fields[0]) && isUnsigned(fields[1])) {
        auto number = [&](std::string_view s) {
          int64_t v = 0;
          auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
          if (ec != std::errc())
            throw fail("header field '" + std::string(s) + "' is too large");
          return v;
        };
        headerCount = number(fields[0]);
        wv.dim = number(fields[1]);
        wv.hadHeader = true;
        if (wv.dim == 0)
          throw fail("header \"" + line + "\" gives dimension 0");
        continue;
      }
      if (fields.size() < 2)
        throw fail("'" + std::string(fields[0]) + "' has no values (expected WORD V1 ... VD)");
      wv.dim = static_cast<int64_t>(fields.size()) - 1;
    }
    const int64_t values = static_cast<int64_t>(fields.size()) - 1;
    if (values != wv.dim)
      throw fail("'" + std::string(fields[0]) + "' has " + std::to_string(values) +
                 " values, expected " + std::to_string(wv.dim) +
                 (wv.hadHeader ? " (the header's dimension)" : " (as the first line)"));
    size_t base = wv.values.size();
    wv.values.resize(base + static_cast<size_t>(wv.dim));
    for (int64_t j = 0; j < wv.dim; ++j) {
      std::string_view f = fields[static_cast<size_t>(j + 1)];
      if (!parseFloat(f, wv.values[base + static_cast<size_t>(j)]))
        throw fail("value " + std::to_string(j + 1) + " of '" + std::string(fields[0]) + "', '" +
                   std::string(f) + "', is not a finite number");
    }
    wv.index.try_emplace(std::string(fields[0]), wv.size());
    wv.words.emplace_back(fields[0]);
  }
  if (in.bad())
    throw DataError(path + ": read error");
  if (first)
    throw DataError(path + ": empty file (no word vectors)");
  if (headerCount >= 0 && wv.size() != headerCount && (maxWords == 0 || wv.size() < maxWords))
    throw DataError(path + ": the header says " + std::to_string(headerCount) +
                    " vectors, the file has " + std::to_string(wv.size()));
  return wv;
}

std::string word2vecVectorsPath(const std::string &cacheDir) {
  fs::path cache(cacheDir);
  std::error_code ec;
  for (fs::path p : {cache / "word2vec-1.1.5" / "package" / "examples" / "fixtures" / "vectors.txt",
                     cache / "package" / "examples" / "fixtures" / "vectors.txt"})
    if (fs::exists(p, ec))
      return p.string();
  throw DataError("sinter::data: word2vec vectors not found in " + cacheDir +
                  " (expected word2vec-1.1.5/package/examples/fixtures/vectors.txt); run "
                  "`scripts/fetch-text-data.sh " +
                  cacheDir + "` first (it needs npm)");
}

EmbeddingMatrix embeddingMatrix(const Vocabulary &vocab, const WordVectors &vectors) {
  if (vectors.dim <= 0)
    throw DataError("embeddingMatrix: the word vectors have no dimension (none loaded)");
  EmbeddingMatrix m;
  const int64_t rows = vocab.numWords(), dim = vectors.dim;
  m.weights = HostTensor(DType::F32, {rows, dim});
  std::span<float> w = m.weights.as<float>();
  const int64_t used = std::min<int64_t>(rows, Vocabulary::kFirstWordId + vocab.distinctWords());
  for (int64_t id = Vocabulary::kFirstWordId; id < used; ++id) {
    const std::string &word = vocab.words()[static_cast<size_t>(id - Vocabulary::kFirstWordId)];
    std::span<const float> v = vectors.find(word);
    if (v.empty()) {
      m.missing.push_back(word);
      continue;
    }
    std::copy(v.begin(), v.end(), w.begin() + id * dim);
    ++m.found;
  }
  return m;
}

} // namespace sinter::data
