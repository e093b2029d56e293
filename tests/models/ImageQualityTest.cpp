// The quality number of the generative models (models/common/ImageQuality.h): the Jacobi
// eigenvalues and the Fréchet distance against closed forms.
#include "../../models/common/ImageQuality.h"

#include <catch2/catch.hpp>

#include <random>

using namespace sinter;
using namespace sinter::models;

TEST_CASE("symmetricEigen: eigenvalues and eigenvectors of a symmetric matrix", "[quality]") {
  // [[2, 1, 0], [1, 2, 0], [0, 0, 5]]: eigenvalues 1, 3, 5.
  std::vector<double> vectors;
  std::vector<double> l = symmetricEigen({2, 1, 0, 1, 2, 0, 0, 0, 5}, 3, &vectors);
  std::sort(l.begin(), l.end());
  CHECK(l[0] == Approx(1));
  CHECK(l[1] == Approx(3));
  CHECK(l[2] == Approx(5));
  // Columns are unit vectors.
  for (int c = 0; c < 3; ++c)
    CHECK(vectors[c] * vectors[c] + vectors[3 + c] * vectors[3 + c] +
              vectors[6 + c] * vectors[6 + c] ==
          Approx(1));
}

TEST_CASE("frechetDistance: zero for equal moments, closed forms otherwise", "[quality]") {
  Moments a{2, {1, 2}, {4, 0, 0, 9}}, b{2, {0, 2}, {1, 0, 0, 16}};
  CHECK(frechetDistance(a, a) == Approx(0).margin(1e-9));
  // Diagonal covariances: |μa − μb|² + Σ (√σa² − √σb²)² = 1 + (2 − 1)² + (3 − 4)² = 3.
  CHECK(frechetDistance(a, b) == Approx(3));
  CHECK(frechetDistance(b, a) == Approx(3));
  // A rotated copy of the same Gaussian (non-diagonal covariance) against itself.
  Moments r{2, {0, 0}, {2.5, 1.5, 1.5, 2.5}};
  CHECK(frechetDistance(r, r) == Approx(0).margin(1e-9));
  // moments() of samples: mean and (n − 1)-normalised covariance.
  HostTensor x(DType::F32, {4, 2});
  std::vector<float> v{1, 0, 3, 0, 1, 2, 3, 2};
  std::copy(v.begin(), v.end(), x.as<float>().begin());
  Moments m = moments(x);
  CHECK(m.mean == std::vector<double>{2, 1});
  CHECK(m.cov[0] == Approx(4.0 / 3));
  CHECK(m.cov[1] == Approx(0));
  CHECK(m.cov[3] == Approx(4.0 / 3));
}
