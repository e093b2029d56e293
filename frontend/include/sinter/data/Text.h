// Text on the host for the book's chapter 11 (sentiment classification with RNNs): a Keras-style
// tokenizer, a vocabulary with the IMDB reserved ids, pad_sequences, the labelled sentences of
// npm sentiment@5.0.2 (UCI "Sentiment Labelled Sentences") with a fixed stratified split, word
// vectors in the GloVe / word2vec text format and an embedding matrix built from them.
// No MLIR/LLVM; library `sinter_data`. See docs/text.md.
#pragma once

#include "sinter/data/Dataset.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sinter::data {

// ---- tokenizer ------------------------------------------------------------------------------

/// Keras' default `filters` of Tokenizer / text_to_word_sequence.
inline constexpr const char *kKerasFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

struct TokenizerOptions {
  /// Bytes replaced by a space before splitting (ASCII characters; a UTF-8 multi-byte character
  /// here would cut other characters apart).
  std::string filters = kKerasFilters;
  /// Lower-case ASCII A-Z and the Latin-1 capitals U+00C0..U+00DE (except U+00D7) in UTF-8;
  /// every other byte is kept as it is.
  bool lower = true;
};

/// keras.preprocessing.text.text_to_word_sequence: lower-case, replace every filter byte by a
/// space, split on runs of ASCII whitespace (space, \t, \n, \r, \v, \f) and drop empty tokens.
/// "The movie, was GREAT!!" -> {"the", "movie", "was", "great"}. (Keras splits on " " only, so
/// a \r, \v or \f not in the filters would stay inside its token there.)
std::vector<std::string> textToWordSequence(std::string_view text,
                                            const TokenizerOptions &options = {});

// ---- vocabulary ----------------------------------------------------------------------------

/// A word index in the layout of the book's IMDB data (Keras' imdb.get_word_index() shifted by
/// 3): id 0 <PAD>, 1 <START>, 2 <UNK>, 3 <UNUSED>, and the corpus words from id 4 on, most
/// frequent first, ties in order of first appearance (as Keras' Tokenizer ranks them). With a
/// limit `numWords`, only ids below it are used: the numWords - 4 most frequent words; every
/// other word encodes as <UNK> (imdb.load_data(num_words=...)).
class Vocabulary {
public:
  static constexpr int32_t kPad = 0, kStart = 1, kUnknown = 2, kUnused = 3;
  /// Id of the most frequent word; ids below it are the reserved ones above.
  static constexpr int32_t kFirstWordId = 4;

  /// Only the reserved ids (numWords() == 4).
  Vocabulary() = default;

  /// Tokenises `texts` with `options` and counts their words. `numWords` is the number of ids
  /// including the four reserved ones (0: no limit; otherwise at least 4, DataError below).
  static Vocabulary build(const std::vector<std::string> &texts, int64_t numWords = 0,
                          const TokenizerOptions &options = {});
  /// The same from documents already split into tokens (`options` is kept for encode()).
  static Vocabulary fromTokens(const std::vector<std::vector<std::string>> &documents,
                               int64_t numWords = 0, const TokenizerOptions &options = {});

  /// Ids in use are 0 .. numWords()-1: the limit given, or 4 + distinctWords() without one.
  /// This is the input_dim of an Embedding layer and the row count of embeddingMatrix().
  int64_t numWords() const { return numWords_; }
  /// Every distinct word of the corpus, also those beyond the limit.
  int64_t distinctWords() const { return static_cast<int64_t>(words_.size()); }
  /// The corpus words by rank: words()[r] has id r + 4 (ids >= numWords() are not used).
  const std::vector<std::string> &words() const { return words_; }
  /// Occurrences of `word` in the corpus (0 when it never occurs).
  int64_t count(std::string_view word) const;
  /// The id of a (tokenised) word: its rank + 4 when below numWords(), otherwise kUnknown.
  int32_t id(std::string_view word) const;
  /// The book's reverse_word_index: "<PAD>", "<START>", "<UNK>", "<UNUSED>" for ids 0..3, the
  /// corpus word of that rank (also beyond the limit), "?" for any other id.
  std::string word(int32_t id) const;

  /// The text's tokens as ids (unknown and out-of-limit words are kUnknown), after kStart when
  /// `addStart` (the book's IMDB sequences begin with <START>).
  std::vector<int32_t> encode(std::string_view text, bool addStart = true) const;
  /// encode() of every text (texts_to_sequences), ready for padSequences.
  std::vector<std::vector<int32_t>> encodeAll(const std::vector<std::string> &texts,
                                              bool addStart = true) const;
  /// The book's decode_review: the words of `ids` joined by single spaces (word(id) each);
  /// `skipPadding` leaves out the <PAD> ids.
  std::string decode(std::span<const int32_t> ids, bool skipPadding = false) const;

  const TokenizerOptions &tokenizer() const { return options_; }

private:
  void finish(std::vector<std::pair<std::string, int64_t>> ranked, int64_t numWords);

  TokenizerOptions options_;
  int64_t numWords_ = kFirstWordId;
  std::vector<std::string> words_;
  std::vector<int64_t> counts_; // counts_[r] for words_[r]
  std::unordered_map<std::string, int32_t> rank_;
};

// ---- pad_sequences -------------------------------------------------------------------------

enum class PadSide { Pre, Post };

/// keras.preprocessing.sequence.pad_sequences: an [n, maxlen] int32 tensor. A longer sequence
/// loses its first (truncating Pre) or last (Post) elements; a shorter one is filled with
/// `value` before (padding Pre) or after (Post) it. maxlen -1 is the longest sequence's length
/// (Keras' maxlen=None); other negative values are a DataError. Keras' defaults: Pre, Pre.
///   padSequences({{1,2,3},{4,5}}, 2) -> [[2,3],[4,5]]
///   padSequences({{1,2,3},{4,5}}, 4) -> [[0,1,2,3],[0,0,4,5]]
HostTensor padSequences(const std::vector<std::vector<int32_t>> &sequences, int64_t maxlen = -1,
                        int32_t value = 0, PadSide padding = PadSide::Pre,
                        PadSide truncating = PadSide::Pre);

// ---- labelled sentences (npm sentiment@5.0.2) ----------------------------------------------

/// The three sources of the UCI "Sentiment Labelled Sentences" set (1,000 sentences each).
enum class SentimentSource { Imdb, Yelp, Amazon };
/// "imdb", "yelp", "amazon" (the file names without .json).
const char *sentimentSourceName(SentimentSource source);
inline const std::vector<SentimentSource> kAllSentimentSources = {
    SentimentSource::Imdb, SentimentSource::Yelp, SentimentSource::Amazon};

/// Sentences with a binary label (0 negative, 1 positive) and where each came from.
struct LabelledTexts {
  std::vector<std::string> texts;
  std::vector<int32_t> labels;
  std::vector<SentimentSource> sources;

  int64_t size() const { return static_cast<int64_t>(texts.size()); }
  /// The labels as an [n] tensor, F32 (for binary cross-entropy) or I32 (DataError otherwise).
  HostTensor labelTensor(DType dtype = DType::F32) const;
  /// Rows idx[0], idx[1], ...
  LabelledTexts select(const std::vector<int64_t> &idx) const;
};

/// Parses one fixture file of npm sentiment@5.0.2 (package/test/fixtures/{imdb,yelp,amazon}.json):
/// a JSON array of {"text": STRING, "class": 0 or 1} objects. Each real file ends with one
/// {"text": "", "class": null} record, which is skipped (as is any record with an empty text and
/// a null class). DataError naming the file with LINE:COLUMN for malformed JSON, and with the
/// record's number and LINE:COLUMN for a record that is not such an object (a missing or
/// non-string text, a class other than 0/1).
LabelledTexts loadSentimentJson(const std::string &path, SentimentSource source);

/// The sentences of `sources` (in that order, each in file order) as fetched by
/// `scripts/fetch-text-data.sh CACHE_DIR`: the fixtures folder is
/// CACHE_DIR/sentiment-5.0.2/package/test/fixtures, CACHE_DIR/package/test/fixtures, or CACHE_DIR
/// itself (the first holding imdb.json). The real files give 1,000 sentences per source, 500 of
/// each label. DataError with the fetch command when they are missing.
LabelledTexts
loadSentimentSentences(const std::string &cacheDir,
                       const std::vector<SentimentSource> &sources = kAllSentimentSources);

struct TextSplit {
  LabelledTexts train, test;
  /// Positions in the input of the train / test rows, in their order.
  std::vector<int64_t> trainIndex, testIndex;
};

/// A fixed, stratified train/test split: every (source, label) group of c rows gives
/// round(trainFraction * c) rows to train and the rest to test. One permutation of 0..n-1
/// (data::permutation(n, seed): Fisher-Yates over std::mt19937_64, the same on every platform)
/// is walked in order; a row goes to train while its group's train quota is not full, else to
/// test. Both parts are thus in that shuffled order. The real 3,000 sentences with the defaults:
/// 400 / 100 of each (source, label) group, 2,400 train (1,200 per label) and 600 test (300 per
/// label). trainFraction must be in [0, 1] (DataError otherwise).
TextSplit stratifiedSplit(const LabelledTexts &data, double trainFraction = 0.8,
                          uint64_t seed = 1234);

// ---- word vectors (GloVe / word2vec text format) -------------------------------------------

struct WordVectors {
  std::vector<std::string> words; // file order
  std::vector<float> values;      // words.size() * dim, row-major
  int64_t dim = 0;
  /// The file began with a word2vec "COUNT DIM" line.
  bool hadHeader = false;

  int64_t size() const { return static_cast<int64_t>(words.size()); }
  /// The vector of `word` (its first occurrence in the file; exact, case-sensitive match), or an
  /// empty span when absent.
  std::span<const float> find(const std::string &word) const;
  std::span<const float> row(int64_t i) const;

  /// word -> row of its first occurrence (filled by the loader).
  std::unordered_map<std::string, int64_t> index;
};

/// Reads word vectors in the text format: one `WORD V1 V2 ... VD` line per word (fields split
/// by spaces or tabs; trailing spaces, \r\n line ends and blank lines are fine), as GloVe
/// writes them, optionally after a word2vec header line `COUNT DIM` (a first line of exactly two
/// unsigned integers is taken as that header; COUNT must then match the number of lines unless
/// `maxWords` stops earlier). D is the header's DIM or the first line's field count - 1. At most
/// `maxWords` vectors are read (0: all). DataError naming the file and line for a missing file,
/// a line with another number of values (ragged), a value that is not a finite number, a line
/// without values, a bad header or an empty file.
WordVectors loadWordVectors(const std::string &path, int64_t maxWords = 0);

/// Where `scripts/fetch-text-data.sh CACHE_DIR` puts the vectors of npm word2vec@1.1.5
/// (CACHE_DIR/word2vec-1.1.5/package/examples/fixtures/vectors.txt, or
/// CACHE_DIR/package/examples/fixtures/vectors.txt): word2vec text format, header "2631 200",
/// 2,631 case-sensitive tokens of Shakespeare's Hamlet ("</s>", "the", "Ham.", ...) x 200.
/// DataError with the fetch command when absent.
std::string word2vecVectorsPath(const std::string &cacheDir);

struct EmbeddingMatrix {
  /// [vocab.numWords(), dim] float32: row id holds the vector of vocab.word(id); rows of the
  /// reserved ids and of words without a vector stay zero.
  HostTensor weights;
  /// Corpus words (ids 4 .. numWords()-1) that have a vector / that have none.
  int64_t found = 0;
  std::vector<std::string> missing;
};

/// The initial weights of an Embedding layer from pre-trained vectors (the book's GloVe
/// embedding matrix). Words are looked up exactly as the vocabulary spells them.
EmbeddingMatrix embeddingMatrix(const Vocabulary &vocab, const WordVectors &vectors);

} // namespace sinter::data
