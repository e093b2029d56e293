// The chapter-15 programs' shared parts: the DenseNet121 backbone and the book's classifier
// head, the Fashion-MNIST images the backbone is pretrained on, and the Pokémon run (the
// image-folder pipeline, training with early stopping, the report and the saved model) that
// ch15_pokemon_scratch and ch15_pokemon_transfer differ in only by the backbone's start.
#ifndef SINTER_MODELS_COMMON_TRANSFER_H
#define SINTER_MODELS_COMMON_TRANSFER_H

#include "sinter/data/ImageTransforms.h"
#include "sinter/io/Events.h"
#include "sinter/io/ImageFolder.h"
#include "sinter/nn/Applications.h"
#include "sinter/nn/Model.h"
#include "sinter/nn/TrainingLogs.h"
#include "sinter/runtime/File.h"
#include "sinter/sinter.h"

#include "Cli.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace sinter::models {

/// DenseNet121 without its top, global max pooling (the book's pooling='max'), for
/// side x side RGB images; `weights` "" or a file of Model::saveWeights.
inline std::shared_ptr<nn::Model> denseNetBackbone(int64_t side, const std::string &weights = "") {
  return nn::applications::DenseNet121(
      {.includeTop = false, .weights = weights, .inputShape = {side, side, 3}, .pooling = "max"});
}

/// The book's classifier (15.3): backbone → Dense(1024, relu) → BatchNormalization →
/// Dropout(0.5) → Dense(classes) logits.
inline std::shared_ptr<nn::Sequential> withHead(std::shared_ptr<nn::Model> backbone,
                                                int64_t classes) {
  return std::make_shared<nn::Sequential>(std::initializer_list<nn::Sequential::LayerRef>{
      backbone, nn::Dense(1024, "relu"), nn::BatchNormalization(), nn::Dropout(0.5),
      nn::Dense(classes)});
}

/// Images [begin, end) of a Fashion-MNIST set as side x side RGB network inputs — the grey
/// value in R, G and B, resized bilinearly and normalised with ImageNet's statistics, as the
/// image-folder pipeline prepares its images — and their labels.
inline std::pair<HostTensor, HostTensor> fashionAsRgb(const data::ImageDataset &set, int64_t begin,
                                                      int64_t end, int64_t side) {
  data::ImageDataset part = data::subset(set, begin, end);
  HostTensor grey(DType::F32, {part.n, part.rows, part.cols, 3});
  std::span<float> g = grey.as<float>();
  for (size_t i = 0; i < part.images.size(); ++i)
    g[3 * i] = g[3 * i + 1] = g[3 * i + 2] = part.images[i];
  HostTensor x = io::normalize(data::image::resize(grey, side, side));
  HostTensor y(DType::I32, {part.n});
  std::copy(part.labels.begin(), part.labels.end(), y.as<int32_t>().begin());
  return {x, y};
}

inline const char *kPokemonUsage =
    "--data DIR [--csv FILE] [--size N] [--batch N] [--epochs N] [--lr RATE] [--patience N] "
    "[--weights FILE] [--fine-tune-epochs N] [--save MODEL.sinter] [--logdir DIR] [--quick]";

/// A chapter-15.3/15.4 run on a class-per-folder image set (the Pokémon of
/// scripts/fetch-image-data.sh, or any folder): the CSV index and 60/20/20 split, images
/// resized to 1.15·size and randomly cropped to size and flipped for training, the DenseNet121
/// classifier trained with Adam and EarlyStopping(val_accuracy, min_delta 0.001, patience),
/// evaluated on the test split. `transfer`: the backbone starts from --weights, frozen (its
/// BatchNormalization in inference mode), and with --fine-tune-epochs N is then unfrozen and
/// trained N more epochs at a tenth of the learning rate. Prints the last line
/// "mode=… classes=… images=… train=… validation=… test=… … test_accuracy=…".
inline int pokemonMain(int argc, char **argv, bool transfer) {
  Cli cli(argc, argv,
          {{"--data", "-"},
           {"--csv", "-"},
           {"--size", "64"},
           {"--batch", "32"},
           {"--epochs", "100"},
           {"--lr", "0.001"},
           {"--patience", "3"},
           {"--weights", "-"},
           {"--fine-tune-epochs", "0"},
           {"--save", "-"},
           {"--logdir", "-"},
           {"--quick", ""}},
          kPokemonUsage);
  std::string root = cli.optional("--data"), weights = cli.optional("--weights");
  if (root.empty())
    throw Error("--data DIR is required: a folder with one sub-folder of images per class "
                "(scripts/fetch-image-data.sh build/data makes build/data/pokemon)");
  if (transfer && weights.empty())
    throw Error("--weights FILE is required: the pretrained backbone (ch15_pretrain_backbone "
                "--out FILE)");
  int64_t side = cli.integer("--size"), batch = cli.integer("--batch");
  long epochs = cli.integer("--epochs"), patience = cli.integer("--patience");
  long fineTune = cli.integer("--fine-tune-epochs");
  if (cli.on("--quick"))
    epochs = std::min(epochs, 2L), fineTune = std::min(fineTune, 1L);
  if (side < 32 || batch < 1 || epochs < 1 || patience < 0 || fineTune < 0)
    throw Error("--size must be at least 32; --batch and --epochs positive; --patience and "
                "--fine-tune-epochs not negative");
  double lr = cli.real("--lr");

  std::string csv = cli.optional("--csv").empty() ? root + "/images.csv" : cli.optional("--csv");
  io::ImageFolderIndex index = io::indexImageFolder(root, csv);
  io::ImageFolderSplit parts = io::splitImageFolder(index.entries);
  int64_t classes = static_cast<int64_t>(index.classNames.size());
  std::printf("classes:");
  for (const std::string &c : index.classNames)
    std::printf(" %s", c.c_str());
  std::printf("\nimages=%zu (index %s %s) train=%zu validation=%zu test=%zu\n",
              index.entries.size(), csv.c_str(), index.fromCsv ? "read" : "written",
              parts.train.size(), parts.validation.size(), parts.test.size());
  if (parts.train.empty() || parts.validation.empty() || parts.test.empty())
    throw Error("'" + root + "' has too few images for a 60/20/20 split (" +
                std::to_string(index.entries.size()) + ")");

  // Training images: resized a little larger, then a random size x size crop and flips.
  int64_t larger = side + side * 15 / 100;
  io::ImageFolderOptions trainOptions{
      .height = larger, .width = larger, .shuffleBuffer = 1000, .seed = 1};
  data::Dataset train = io::imageFolderDataset(parts.train, trainOptions)
                            .map(data::image::randomCrop(side, side, 2))
                            .map(data::image::randomFlipLeftRight(3))
                            .batch(batch)
                            .prefetch(2);
  io::ImageFolderOptions evalOptions{.height = side, .width = side};
  data::Dataset validation = io::imageFolderDataset(parts.validation, evalOptions).batch(batch);
  data::Dataset test = io::imageFolderDataset(parts.test, evalOptions).batch(batch);

  // The pipeline alone: one pass over the training images (decoding on the prefetch thread).
  auto start = std::chrono::steady_clock::now();
  int64_t seen = 0;
  HostTensor firstImages;
  for (auto it = train.iterator(); auto element = it.next();) {
    if (firstImages.empty())
      firstImages = element->at(0);
    seen += element->at(0).shape()[0];
  }
  double pipelineRate =
      static_cast<double>(seen) /
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::shared_ptr<nn::Model> backbone = denseNetBackbone(side, transfer ? weights : "");
  if (transfer)
    backbone->setTrainable(false);
  std::shared_ptr<nn::Sequential> model = withHead(backbone, classes);
  model->build({-1, side, side, 3});
  model->summary();
  model->compile(optim::Adam(lr), losses::sparseCategoricalCrossentropy(/*fromLogits=*/true),
                 {"accuracy"});
  auto early = std::make_shared<nn::EarlyStopping>("val_accuracy", 0.001, patience);
  std::vector<std::shared_ptr<nn::Callback>> callbacks = {early};
  std::string logdir = cli.optional("--logdir");
  if (!logdir.empty()) {
    callbacks.push_back(std::make_shared<nn::TensorBoard>(logdir, /*histogramFreq=*/0));
    // tf.summary.image of the first training batch (9 images), as the network sees them.
    HostTensor shown = io::denormalize(firstImages);
    for (float &v : shown.as<float>())
      v = std::clamp(v, 0.0f, 1.0f);
    io::EventWriter(logdir + "/images").images("train_images", shown, 0, 9);
  }
  nn::History history = model->fit(train, {.epochs = static_cast<int>(epochs),
                                           .verbose = 2,
                                           .callbacks = callbacks,
                                           .validationDataset = validation});
  int ranEpochs = static_cast<int>(history["loss"].size());
  if (transfer && fineTune > 0) {
    // Fine-tuning (15.4.2's net.trainable = True): everything trains, the backbone's
    // BatchNormalization in training mode again, at a tenth of the learning rate.
    backbone->setTrainable(true);
    model->compile(optim::Adam(lr / 10), losses::sparseCategoricalCrossentropy(true), {"accuracy"});
    nn::History tuned = model->fit(
        train,
        {.epochs = static_cast<int>(fineTune), .verbose = 2, .validationDataset = validation});
    ranEpochs += static_cast<int>(tuned["loss"].size());
  }
  nn::Logs result = model->evaluate(test);
  if (std::string path = cli.optional("--save"); !path.empty()) {
    model->save(path);
    // The class names, one per line in label order, for the deployed classifier.
    std::string names;
    for (const std::string &c : index.classNames)
      names += c + "\n";
    runtime::writeFileAtomically(path + ".classes", names, "class names");
  }
  std::printf("mode=%s classes=%lld images=%zu train=%zu validation=%zu test=%zu size=%lld "
              "params=%lld trainable_params=%lld epochs_run=%d best_val_accuracy=%.4f "
              "pipeline_images_per_s=%.0f compile_seconds=%.1f test_loss=%.4f "
              "test_accuracy=%.4f\n",
              transfer ? "transfer" : "scratch", static_cast<long long>(classes),
              index.entries.size(), parts.train.size(), parts.validation.size(), parts.test.size(),
              static_cast<long long>(side), static_cast<long long>(model->countParams()),
              static_cast<long long>(model->countTrainableParams()), ranEpochs, early->best(),
              pipelineRate, model->program().compileSeconds(), result.at("loss"),
              result.at("accuracy"));
  return 0;
}

} // namespace sinter::models

#endif
