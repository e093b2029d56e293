// Book chapter 12.5: a variational autoencoder on Fashion-MNIST, written as the book writes it —
// layers called by hand and a custom training step rather than fit(). Encoder 784 → Dense(128,
// relu) → μ = Dense(20), log σ² = Dense(20); z = μ + σ·ε with ε ~ N(0, 1) drawn inside the
// compiled step (fresh each step); decoder 20 → Dense(128, relu) → Dense(784) logits. Loss per
// image: the summed sigmoid cross-entropy of the reconstruction plus the KL divergence
// −½·Σ(log σ² + 1 − μ² − σ²) to N(0, 1), averaged over the batch; Adam(1e-3), batches of 512,
// 100 epochs. One program holds four entry points over the same weights: train_step,
// test_step (the loss terms without updates), reconstruct (x → sigmoid of the decoded sample)
// and generate (z → sigmoid of the decoder alone: the book's model.decoder(z)). The book
// reports no number: the last line gives the test reconstruction and KL terms (their sum is
// the negative ELBO per image); reconstruction and generation grids go to --out-dir at epochs
// 1, 10, 100 and the last.
#include "sinter/nn/Model.h"

#include "../common/Autoencoders.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>

using namespace sinter;

namespace {

constexpr int64_t kPixels = 784, kLatent = 20, kBatch = 512, kShown = 50;

} // namespace

int main(int argc, char **argv) {
  models::Cli cli =
      models::autoencoderCli(argc, argv, "ch12_vae_out", {{"--seed", "0"}}, " [--seed N]");
  try {
    models::AutoencoderRun run = models::autoencoderRun(cli);

    // The model: the book's fc1..fc5.
    Graph g;
    nn::Dense fc1(128, "relu"), fc2(kLatent), fc3(kLatent), fc4(128, "relu"), fc5(kPixels);
    auto decoder = [&](const Tensor &z) { return fc5(fc4(z)); };
    Tensor x = g.input("x", {-1, kPixels});
    Tensor h = fc1(x);
    Tensor mu = fc2(h), logVar = fc3(h);
    Tensor eps = random::normal(nn::rngStep(g), mu.shape(), 0.0, 1.0, /*seed=*/12);
    Tensor z = mu + exp(logVar * 0.5) * eps; // the reparameterisation trick
    Tensor logits = decoder(z);
    Tensor rec = reduceMean(reduceSum(sigmoidCrossEntropyWithLogits(x, logits), {1}));
    Tensor kl = reduceMean(reduceSum((logVar + 1.0 - mu * mu - exp(logVar)) * -0.5, {1}));
    Tensor loss = rec + kl;
    std::vector<Variable> weights;
    for (nn::Layer *l : std::initializer_list<nn::Layer *>{&fc1, &fc2, &fc3, &fc4, &fc5})
      for (const Variable &v : l->trainableVariables())
        weights.push_back(v);
    optim::Adam adam(cli.real("--lr"));
    std::vector<Update> updates = adam.minimize(loss, weights);
    updates.push_back(nn::rngStepUpdate(g));
    Tensor zIn = g.input("z", {-1, kLatent});
    Program program = g.compile({
        {"train_step", {x}, {loss, rec, kl}, updates, {"loss", "reconstruction", "kl"}},
        {"test_step", {x}, {rec, kl}, {}, {"reconstruction", "kl"}},
        {"reconstruct", {x}, {sigmoid(logits)}, {}, {"images"}},
        {"generate", {zIn}, {sigmoid(decoder(zIn))}, {}, {"images"}},
    });
    std::printf("params=%lld compile_seconds=%.2f\n",
                static_cast<long long>(std::accumulate(
                    weights.begin(), weights.end(), int64_t{0},
                    [](int64_t n, const Variable &v) { return n + v.numElements(); })),
                program.compileSeconds());

    std::vector<int64_t> order(static_cast<size_t>(run.nTrain));
    std::iota(order.begin(), order.end(), 0);
    HostTensor shown = models::imageRows(run.data.test, kShown);
    HostTensor latent(DType::F32, {100, kLatent});
    std::mt19937_64 rng(static_cast<uint64_t>(cli.integer("--seed")));
    std::normal_distribution<float> normal(0, 1);
    for (float &v : latent.as<float>())
      v = normal(rng);

    auto testTerms = [&] {
      double recSum = 0, klSum = 0;
      for (int64_t start = 0; start < run.nTest; start += kBatch) {
        int64_t n = std::min(kBatch, run.nTest - start);
        auto out = program.run("test_step", {models::imageRows(run.data.test, n, {}, start)});
        recSum += out[0].as<float>()[0] * n;
        klSum += out[1].as<float>()[0] * n;
      }
      return std::pair{recSum / run.nTest, klSum / run.nTest};
    };
    double trainLoss = 0;
    for (long epoch = 1; epoch <= run.epochs; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      double recSum = 0, klSum = 0;
      for (int64_t start = 0; start < run.nTrain; start += kBatch) {
        int64_t n = std::min(kBatch, run.nTrain - start);
        auto out = program.run("train_step", {models::imageRows(run.data.train, n, order, start)});
        recSum += out[1].as<float>()[0] * n;
        klSum += out[2].as<float>()[0] * n;
      }
      trainLoss = (recSum + klSum) / run.nTrain;
      std::printf("epoch %ld: reconstruction %.2f kl %.2f\n", epoch, recSum / run.nTrain,
                  klSum / run.nTrain);
      if (models::isGridEpoch(epoch, run.epochs)) {
        std::string e = std::to_string(epoch);
        models::writeRowsGrid(run.outDir + "/reconstruction_epoch_" + e + ".png",
                              {shown, program.run("reconstruct", {shown})[0]});
        models::writeRowsGrid(run.outDir + "/generated_epoch_" + e + ".png",
                              {program.run("generate", {latent})[0]});
      }
    }
    auto [testRec, testKl] = testTerms();
    std::printf("dataset=fashion_mnist epochs=%ld train_size=%lld train_loss=%.2f "
                "test_reconstruction=%.2f test_kl=%.2f test_negative_elbo=%.2f\n",
                run.epochs, static_cast<long long>(run.nTrain), trainLoss, testRec, testKl,
                testRec + testKl);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
