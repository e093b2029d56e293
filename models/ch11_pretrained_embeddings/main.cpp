// Book chapter 11.12: pre-trained word vectors as the embedding. The sentiment network of
// ch11_sentiment (LSTM layers; models/common/Sentiment.h) on the same 2,400 / 600 split, three
// times: the embedding initialised at random (100 dimensions, as 11.11), from the word vectors
// of npm word2vec (2,631 words × 200, GloVe's text layout; the book's GloVe.6B is not available
// here; words without a vector and the reserved ids stay zero, as the book's embedding_matrix)
// and kept frozen (trainable=False), and from the same vectors fine-tuned.
// Last line: random=… frozen=… tuned=… (test accuracies) found=N (vocabulary words with a vector)
#include "../common/Sentiment.h"

using namespace sinter;

int main(int argc, char **argv) {
  models::Cli cli = models::sentimentCli(argc, argv, "lstm", {}, "");
  try {
    int epochs = models::sentimentEpochs(cli);
    std::string cell = cli.str("--cell");
    models::SentimentData d = models::loadSentiment(cli.str("--data-dir"));
    data::WordVectors vectors =
        data::loadWordVectors(data::word2vecVectorsPath(cli.str("--data-dir")));
    data::EmbeddingMatrix matrix = data::embeddingMatrix(d.vocab, vectors);
    std::printf("word vectors: %lld words × %lld; %lld of the vocabulary's %lld words found\n",
                static_cast<long long>(vectors.size()), static_cast<long long>(vectors.dim),
                static_cast<long long>(matrix.found),
                static_cast<long long>(matrix.found + static_cast<int64_t>(matrix.missing.size())));
    double accuracy[3];
    for (int mode = 0; mode < 3; ++mode) {
      models::SentimentRun run{.cell = cell, .layers = true, .epochs = epochs};
      if (mode > 0) {
        run.embeddingWeights = matrix.weights;
        run.tuneEmbedding = mode == 2;
      }
      std::printf("== embedding: %s\n", mode == 0 ? "random" : mode == 1 ? "frozen" : "tuned");
      accuracy[mode] = models::trainSentiment(d, run).testAccuracy;
    }
    std::printf("cell=%s epochs=%d random=%.4f frozen=%.4f tuned=%.4f found=%lld\n", cell.c_str(),
                epochs, accuracy[0], accuracy[1], accuracy[2],
                static_cast<long long>(matrix.found));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
