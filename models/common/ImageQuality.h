// A number for the quality of generated Fashion-MNIST images, which the book does not give:
// the chapter-10 LeNet-5 is trained on the real images, then generated images are scored by
//  - the Fréchet distance between its penultimate-layer features (the 84 ReLU units) on the
//    generated images and on the real test images: ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½), the
//    FID recipe with LeNet in place of Inception (lower is better; real images score near 0);
//  - the share of images it classifies with probability ≥ 0.9 (real test images: most).
#ifndef SINTER_MODELS_COMMON_IMAGEQUALITY_H
#define SINTER_MODELS_COMMON_IMAGEQUALITY_H

#include "sinter/data/ImageTransforms.h"
#include "sinter/nn/Model.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

namespace sinter::models {

/// Eigenvalues of the symmetric n×n matrix `a` (row-major; destroyed) by cyclic Jacobi
/// rotations; `vectors` (if given) receives the eigenvectors as columns.
inline std::vector<double> symmetricEigen(std::vector<double> a, int64_t n,
                                          std::vector<double> *vectors = nullptr) {
  std::vector<double> v(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    v[i * n + i] = 1;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q)
        off += a[p * n + q] * a[p * n + q];
    if (off < 1e-22)
      break;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        double apq = a[p * n + q];
        if (std::fabs(apq) < 1e-300)
          continue;
        double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) { // columns p, q
          double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) { // rows p, q
          double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (int64_t k = 0; k < n; ++k) {
          double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  std::vector<double> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    values[i] = a[i * n + i];
  if (vectors)
    *vectors = std::move(v);
  return values;
}

/// Mean and covariance of the rows of `x` [n, d].
struct Moments {
  int64_t d = 0;
  std::vector<double> mean, cov;
};

inline Moments moments(const HostTensor &x) {
  int64_t n = x.shape()[0], d = x.shape()[1];
  auto f = x.as<float>();
  Moments m{d, std::vector<double>(d, 0.0), std::vector<double>(d * d, 0.0)};
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j)
      m.mean[j] += f[i * d + j] / double(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      double a = f[i * d + j] - m.mean[j];
      for (int64_t k = 0; k < d; ++k)
        m.cov[j * d + k] += a * (f[i * d + k] - m.mean[k]) / double(n - 1);
    }
  return m;
}

/// ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2·Tr (Σ₁Σ₂)^½, the last through the eigenvalues of the
/// symmetric Σ₁^½ Σ₂ Σ₁^½ (which has those of Σ₁Σ₂).
inline double frechetDistance(const Moments &a, const Moments &b) {
  int64_t d = a.d;
  double dist = 0;
  for (int64_t j = 0; j < d; ++j)
    dist += (a.mean[j] - b.mean[j]) * (a.mean[j] - b.mean[j]) + a.cov[j * d + j] + b.cov[j * d + j];
  std::vector<double> vectors;
  std::vector<double> lambda = symmetricEigen(a.cov, d, &vectors);
  std::vector<double> root(d * d, 0.0); // Σ₁^½ = V diag(√λ) Vᵀ
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j < d; ++j)
      for (int64_t k = 0; k < d; ++k)
        root[i * d + j] +=
            vectors[i * d + k] * std::sqrt(std::max(lambda[k], 0.0)) * vectors[j * d + k];
  std::vector<double> tmp(d * d, 0.0), m(d * d, 0.0);
  for (int64_t i = 0; i < d; ++i)
    for (int64_t k = 0; k < d; ++k)
      for (int64_t j = 0; j < d; ++j)
        tmp[i * d + j] += root[i * d + k] * b.cov[k * d + j];
  for (int64_t i = 0; i < d; ++i)
    for (int64_t k = 0; k < d; ++k)
      for (int64_t j = 0; j < d; ++j)
        m[i * d + j] += tmp[i * d + k] * root[k * d + j];
  for (double mu : symmetricEigen(m, d))
    dist -= 2 * std::sqrt(std::max(mu, 0.0));
  return dist;
}

struct Quality {
  double frechet = 0, confident = 0;
};

/// LeNet-5 (10.4) trained on Fashion-MNIST, scoring [n, 28, 28, 1] images in [0, 1].
class ImageScorer {
public:
  ImageScorer(const data::TrainTest &data, int epochs, int64_t trainSize) {
    nn::SymbolicTensor in = nn::Input({28, 28, 1});
    nn::SymbolicTensor x = nn::ReLU()(nn::MaxPool2D()(nn::Conv2D(6, {3, 3})(in)));
    x = nn::ReLU()(nn::MaxPool2D()(nn::Conv2D(16, {3, 3})(x)));
    x = nn::Dense(120, "relu")(nn::Flatten()(x));
    nn::SymbolicTensor features = nn::Dense(84, "relu")(x);
    classifier_ = std::make_shared<nn::Model>(in, nn::Dense(10)(features), "quality_lenet5");
    features_ = std::make_shared<nn::Model>(in, features, "quality_features");
    classifier_->compile(optim::Adam(1e-3),
                         losses::sparseCategoricalCrossentropy(/*fromLogits=*/true), {"accuracy"});
    HostTensor xs = images(data.train, trainSize);
    HostTensor ys(DType::I32, {trainSize});
    for (int64_t i = 0; i < trainSize; ++i)
      ys.as<int32_t>()[i] = data.train.labels[static_cast<size_t>(i)];
    classifier_->fit(xs, ys, {.batchSize = 128, .epochs = epochs, .verbose = 0, .seed = 3});
    std::map<std::string, HostTensor> shared;
    std::map<std::string, HostTensor> all = classifier_->getWeights();
    for (const auto &[name, value] : features_->getWeights())
      shared[name] = all.at(name);
    features_->setWeights(shared);
    test_ = images(data.test, data.test.n);
    testMoments_ = moments(features_->predict(test_, 500));
  }

  /// The first n images of a set as [n, 28, 28, 1].
  static HostTensor images(const data::ImageDataset &set, int64_t n) {
    HostTensor x(DType::F32, {n, 28, 28, 1});
    data::copyBatch(set, {}, 0, n, x.as<float>());
    return x;
  }

  Quality score(const HostTensor &images) {
    Quality q;
    q.frechet = frechetDistance(moments(features_->predict(images, 500)), testMoments_);
    HostTensor logits = classifier_->predict(images, 500);
    int64_t n = logits.shape()[0];
    auto l = logits.as<float>();
    for (int64_t i = 0; i < n; ++i) {
      double top = l[i * 10], sum = 0;
      for (int c = 1; c < 10; ++c)
        top = std::max<double>(top, l[i * 10 + c]);
      for (int c = 0; c < 10; ++c)
        sum += std::exp(l[i * 10 + c] - top);
      q.confident += (1 / sum >= 0.9) / double(n);
    }
    return q;
  }

  /// Test accuracy of the classifier (that it learnt the data set).
  double testAccuracy(const data::ImageDataset &test) {
    HostTensor logits = classifier_->predict(test_, 500);
    int64_t right = 0;
    auto l = logits.as<float>();
    for (int64_t i = 0; i < test.n; ++i) {
      int best = 0;
      for (int c = 1; c < 10; ++c)
        if (l[i * 10 + c] > l[i * 10 + best])
          best = c;
      right += best == test.labels[static_cast<size_t>(i)];
    }
    return double(right) / double(test.n);
  }

private:
  std::shared_ptr<nn::Model> classifier_, features_;
  HostTensor test_;
  Moments testMoments_;
};

} // namespace sinter::models

#endif
