// Book chapter 13.3: a DCGAN. The book trains on 51,223 anime faces at 64x64x3, which this
// machine does not have; here the images are Fashion-MNIST resized to 32x32x1 in [−1, 1], and
// the networks are the book's with one up/down-sampling stage fewer for the smaller images
// (widths scale with --width, 64 in the book):
//   G: z[100] → relu → ConvT(4w, 4, 1, valid) 4x4 → ConvT(2w, 4, 2, same) 8x8 →
//      ConvT(w, 4, 2, same) 16x16 (each + BN + relu) → ConvT(1, 4, 2, same) 32x32 → tanh;
//   D: Conv(w, 4, 2, valid) 15x15 → Conv(2w, 4, 2, valid) 6x6 → Conv(4w, 3, 1, valid) 4x4
//      (each + BN + leaky relu 0.2) → global average pooling → Dense(1) logits;
// convolutions without bias; BN in training mode in both steps. d_loss = BCE(1, D(x)) +
// BCE(0, D(G(z))), g_loss = BCE(1, D(G(z))); two Adams (--lr, β₁ 0.5), one per network, each
// updating only its own weights, in two compiled entries (d_step, g_step) over one graph, and a
// third (generate: G in inference mode). --d-steps discriminator steps per generator step (the
// book's printed loop alternates 1:1). Every --sample-every steps a 10x10 grid of samples from
// fixed z goes to --out-dir, with the quality numbers of models/common/ImageQuality.h on 1,000
// samples (LeNet-5 Fréchet distance, confident share) — also for real images and the untrained
// generator, for scale. The networks and the loop are models/common/Gan.h.
#include "../common/Gan.h"

using namespace sinter;

namespace {

/// Keras' binary_crossentropy(label, logits, from_logits=True), the batch mean.
Tensor bceWithLogits(const Tensor &logits, double label) {
  Tensor labels = label == 1 ? onesLike(logits) : zerosLike(logits);
  return reduceMean(sigmoidCrossEntropyWithLogits(labels, logits));
}

} // namespace

int main(int argc, char **argv) {
  using namespace models::gan;
  Recipe dcgan;
  dcgan.name = "dcgan";
  // D: real images towards 1, generated ones towards 0. G: D should take its images for real.
  dcgan.discriminatorLoss = [](Generator &G, Discriminator &D, const Tensor &x, const Tensor &z) {
    return bceWithLogits(D(x, true), 1) + bceWithLogits(D(G(z, true), true), 0);
  };
  dcgan.generatorLoss = [](Generator &G, Discriminator &D, const Tensor &z) {
    return bceWithLogits(D(G(z, true), true), 1);
  };
  return run(argc, argv, dcgan);
}
