// The chapter-11 sentiment experiment shared by ch11_sentiment and ch11_pretrained_embeddings:
// the labelled sentences of npm `sentiment` split 2,400 / 600 (data::stratifiedSplit), the
// book's network (Embedding → two recurrent cells or layers of 64 with dropout 0.5 → Dense(1)
// → sigmoid; Adam(1e-3), binary cross-entropy, batches of 128) and its training.
#ifndef SINTER_MODELS_COMMON_SENTIMENT_H
#define SINTER_MODELS_COMMON_SENTIMENT_H

#include "Cli.h"

#include "sinter/nn/Model.h"

#include "sinter/TensorLanguage.h"
#include "sinter/data/Text.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

namespace sinter::models {

using namespace sinter::nn;

inline constexpr int64_t kMaxLen = 80, kTotalWords = 10000, kEmbedding = 100, kUnits = 64,
                         kBatch = 128;

inline std::shared_ptr<RecurrentCell> makeCell(const std::string &kind, double dropout) {
  CellOptions options{.dropout = dropout};
  if (kind == "simple")
    return std::make_shared<SimpleRNNCell>(kUnits, options);
  if (kind == "lstm")
    return std::make_shared<LSTMCell>(kUnits, options);
  if (kind == "gru")
    return std::make_shared<GRUCell>(kUnits, options);
  throw Error("--cell must be simple, lstm or gru, got '" + kind + "'");
}

/// The flags both sentiment programs take: --cell (default `cell`), --epochs (20), --quick and
/// --data-dir ($SINTER_TEXT_CACHE, else build/data), plus the program's own `more`.
inline Cli sentimentCli(int argc, char **argv, const std::string &cell,
                        std::map<std::string, std::string> more, const std::string &moreUsage) {
  const char *cache = std::getenv("SINTER_TEXT_CACHE");
  more.insert({{"--cell", cell},
               {"--epochs", "20"},
               {"--quick", ""},
               {"--data-dir", cache && *cache ? cache : "build/data"}});
  return Cli(argc, argv, std::move(more),
             "[--cell simple|lstm|gru] [--epochs N] [--quick] [--data-dir DIR]" + moreUsage);
}

/// --epochs (at least 1; 3 with --quick), after checking --cell, before any data is read.
inline int sentimentEpochs(const Cli &cli) {
  makeCell(cli.str("--cell"), 0);
  int epochs = cli.on("--quick") ? 3 : static_cast<int>(cli.integer("--epochs"));
  if (epochs < 1)
    throw Error("--epochs must be at least 1");
  return epochs;
}

/// The book's MyRNN body: two cells stepped together over tf.unstack(x, axis=1) (unrolled).
class TwoCells : public Layer {
public:
  explicit TwoCells(const std::string &kind)
      : Layer("TwoCells"), cell0_(track(makeCell(kind, 0.5))), cell1_(track(makeCell(kind, 0.5))) {}

protected:
  Tensor call(const Tensor &x, bool training) override {
    std::vector<Tensor> steps = unstack(x, 1);
    std::vector<Tensor> state0 = cell0_->zeroStates(steps[0]), state1;
    Tensor out;
    for (const Tensor &word : steps) {
      CellStep a = (*cell0_)(word, state0, training);
      state0 = a.states;
      if (state1.empty())
        state1 = cell1_->zeroStates(a.output);
      CellStep b = (*cell1_)(a.output, state1, training);
      state1 = b.states;
      out = b.output;
    }
    return out;
  }

private:
  std::shared_ptr<RecurrentCell> cell0_, cell1_;
};

inline std::shared_ptr<Layer> recurrentLayer(const std::string &kind, bool sequences) {
  RecurrentOptions options{.returnSequences = sequences};
  CellOptions cell{.dropout = 0.5};
  if (kind == "simple")
    return std::make_shared<SimpleRNN>(kUnits, options, cell);
  if (kind == "lstm")
    return std::make_shared<LSTM>(kUnits, options, cell);
  return std::make_shared<GRU>(kUnits, options, cell);
}

/// Labels [n] as [n, 1], the shape of the model's output.
inline HostTensor column(const HostTensor &labels) {
  HostTensor out(labels.dtype(), {labels.shape()[0], 1});
  std::copy_n(labels.as<float>().data(), labels.numElements(), out.as<float>().data());
  return out;
}

/// A .npy file (version 1.0) of an int32 or float32 tensor, for NumPy's np.load.
inline void writeNpy(const std::string &path, const HostTensor &t) {
  std::string shape;
  for (int64_t d : t.shape())
    shape += std::to_string(d) + ", ";
  std::string header = "{'descr': '" + std::string(t.dtype() == DType::I32 ? "<i4" : "<f4") +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t length = static_cast<uint16_t>(header.size());
  out.write(reinterpret_cast<const char *>(&length), 2);
  out << header;
  out.write(reinterpret_cast<const char *>(t.data()), static_cast<std::streamsize>(t.byteSize()));
  if (!out)
    throw Error("cannot write " + path);
}

/// The split as padded ids [n, 80] (int32) and labels [n, 1], and its vocabulary.
struct SentimentData {
  data::Vocabulary vocab;
  HostTensor xTrain, yTrain, xTest, yTest;
};

inline SentimentData loadSentiment(const std::string &dir) {
  data::TextSplit split = data::stratifiedSplit(data::loadSentimentSentences(dir));
  SentimentData d;
  d.vocab = data::Vocabulary::build(split.train.texts, kTotalWords);
  d.xTrain = data::padSequences(d.vocab.encodeAll(split.train.texts), kMaxLen);
  d.xTest = data::padSequences(d.vocab.encodeAll(split.test.texts), kMaxLen);
  d.yTrain = column(split.train.labelTensor());
  d.yTest = column(split.test.labelTensor());
  std::printf("sentences: %lld train, %lld test; vocabulary %lld ids (%lld words); x_train %s\n",
              static_cast<long long>(split.train.size()), static_cast<long long>(split.test.size()),
              static_cast<long long>(d.vocab.numWords()),
              static_cast<long long>(d.vocab.distinctWords()),
              shapeString(d.xTrain.shape()).c_str());
  return d;
}

struct SentimentRun {
  std::string cell = "simple"; // simple, lstm or gru
  bool layers = false;         // the layers instead of the book's loop over the cells
  /// nullopt: a random embedding of 100; else these initial weights (word vectors), frozen
  /// unless `tuneEmbedding`.
  std::optional<HostTensor> embeddingWeights = std::nullopt;
  bool tuneEmbedding = false;
  int epochs = 20;
};

struct SentimentResult {
  double trainAccuracy, testAccuracy;
};

inline SentimentResult trainSentiment(const SentimentData &d, const SentimentRun &run) {
  int64_t dim = run.embeddingWeights ? run.embeddingWeights->shape()[1] : kEmbedding;
  auto embedding = std::make_shared<Embedding>(d.vocab.numWords(), dim);
  std::vector<Sequential::LayerRef> stack{embedding};
  if (run.layers) {
    stack.push_back(recurrentLayer(run.cell, true));
    stack.push_back(recurrentLayer(run.cell, false));
  } else {
    stack.push_back(std::make_shared<TwoCells>(run.cell));
  }
  stack.push_back(Dense(1, "sigmoid"));
  Sequential model(stack);
  model.build({-1, kMaxLen}, DType::I32);
  if (run.embeddingWeights) {
    model.setWeights({{embedding->embeddings().name(), *run.embeddingWeights}});
    embedding->setTrainable(run.tuneEmbedding);
  }
  model.summary();
  model.compile(optim::Adam(1e-3), losses::binaryCrossentropy(), {"accuracy"});
  History h = model.fit(d.xTrain, d.yTrain,
                        {.batchSize = kBatch,
                         .epochs = run.epochs,
                         .verbose = 2,
                         .validationData = std::make_pair(d.xTest, d.yTest),
                         .seed = 42});
  Logs test = model.evaluate(d.xTest, d.yTest, {.batchSize = kBatch});
  return {h["accuracy"].back(), test.at("accuracy")};
}

} // namespace sinter::models

#endif
