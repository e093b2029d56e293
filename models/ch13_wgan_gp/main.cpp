// Book chapter 13.8: WGAN-GP, the DCGAN of 13.3 (models/common/Gan.h, on Fashion-MNIST at
// 32x32) with the Wasserstein losses: the critic D has no sigmoid and minimises
// mean(D(G(z))) − mean(D(x)) + λ·GP, λ = 10, where the gradient penalty
// GP = mean((‖∇_x̂ D(x̂)‖₂ − 1)²) is taken at the interpolates x̂ = t·x + (1 − t)·G(z), t ~ U(0, 1)
// per image drawn inside the compiled step; G minimises −mean(D(G(z))). Training the critic on
// GP differentiates a gradient: the second derivatives of every critic op (convolution, batch
// normalisation, leaky relu, pooling, dense) — tests/gradcheck checks them against finite
// differences. Several critic steps per generator step (--d-steps, default 5); Adam(1e-4, β₁ 0.5
// as in the book's DCGAN code it modifies). Output and quality numbers as ch13_dcgan.
#include "../common/Gan.h"

using namespace sinter;

int main(int argc, char **argv) {
  using namespace models::gan;
  constexpr double kLambda = 10;
  Recipe wgan;
  wgan.name = "wgan_gp";
  wgan.dSteps = 5;
  wgan.learningRate = 1e-4; // the WGAN-GP paper's (its β₂ 0.9 did worse here: docs/generative.md)
  wgan.discriminatorLoss = [=](Generator &G, Discriminator &D, const Tensor &x, const Tensor &z) {
    Tensor fake = G(z, true);
    Tensor t = random::uniform(nn::rngStep(x.graph()), {x.shape()[0], 1, 1, 1}, 0.0, 1.0,
                               /*seed=*/13);
    Tensor interpolates = t * x + (1.0 - t) * fake;
    Tensor slopes = gradients(reduceSum(D(interpolates, true)), {interpolates})[0];
    Tensor norms = sqrt(reduceSum(square(slopes), {1, 2, 3}));
    Tensor penalty = reduceMean(square(norms - 1.0));
    return reduceMean(D(fake, true)) - reduceMean(D(x, true)) + kLambda * penalty;
  };
  wgan.generatorLoss = [](Generator &G, Discriminator &D, const Tensor &z) {
    return -reduceMean(D(G(z, true), true));
  };
  return run(argc, argv, wgan);
}
