// Book chapter 11.5 and 11.11: sentiment classification with recurrent networks. The book's
// network — Embedding(total_words, 100) over reviews padded to 80 words, two recurrent cells
// of 64 units with dropout 0.5, Dense(1) and a sigmoid, Adam(1e-3), binary cross-entropy,
// batches of 128 — on the labelled sentences of npm `sentiment` (1,000 IMDB + 1,000 Yelp +
// 1,000 Amazon; the book's 50,000 IMDB reviews are not available here), split by
// data::stratifiedSplit into 2,400 training and 600 test sentences (80 / 20 per source and
// label, seed 1234); models/common/Sentiment.h.
//   --cell simple|lstm|gru   SimpleRNNCell (11.5), LSTMCell or GRUCell (11.11)
//   --layers                 the layer version (SimpleRNN / LSTM / GRU, return_sequences on
//                            the first) instead of the book's loop over the cells
//   --export DIR             writes the padded split as .npy files for the PyTorch peer
//                            (bench/pytorch_sentiment.py)
// Last line: cell=… layers=… epochs=N train_accuracy=… test_accuracy=…
#include "../common/Sentiment.h"

using namespace sinter;

int main(int argc, char **argv) {
  models::Cli cli = models::sentimentCli(
      argc, argv, "simple", {{"--layers", ""}, {"--export", "-"}}, " [--layers] [--export DIR]");
  try {
    models::SentimentRun run{.cell = cli.str("--cell"),
                             .layers = cli.on("--layers"),
                             .epochs = models::sentimentEpochs(cli)};
    models::SentimentData d = models::loadSentiment(cli.str("--data-dir"));
    if (std::string dir = cli.str("--export"); dir != "-") {
      std::filesystem::create_directories(dir);
      for (auto [name, t] : {std::pair{"x_train", &d.xTrain},
                             {"y_train", &d.yTrain},
                             {"x_test", &d.xTest},
                             {"y_test", &d.yTest}})
        models::writeNpy(dir + "/" + name + ".npy", *t);
      std::printf("exported the split to %s\n", dir.c_str());
    }
    models::SentimentResult r = models::trainSentiment(d, run);
    std::printf("cell=%s layers=%d epochs=%d train_accuracy=%.4f test_accuracy=%.4f\n",
                run.cell.c_str(), run.layers ? 1 : 0, run.epochs, r.trainAccuracy, r.testAccuracy);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
