// The batched matmul by definition, in double, for the tests of the matmul op (compiled) and of
// the runtime's matmul kernel. Header-only with no Sinter dependency, so runtime-only tests can
// use it.
#ifndef SINTER_TESTS_COMMON_REFERENCEMATMUL_H
#define SINTER_TESTS_COMMON_REFERENCEMATMUL_H

#include <cstdint>
#include <vector>

namespace sinter::testing {

/// c[p, i, j] = Σ_l a[p, i, l] · b[p, l, j] over row-major [batch, m, k] x [batch, k, n], with
/// optional transposes of the last two dimensions of each operand (stored as given: a as
/// [batch, k, m] when `ta`, b as [batch, n, k] when `tb`).
template <class T>
std::vector<double> referenceMatmul(const std::vector<T> &a, const std::vector<T> &b, int64_t batch,
                                    int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
  std::vector<double> c(static_cast<size_t>(batch * m * n), 0);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t l = 0; l < k; ++l) {
          double av = ta ? a[p * m * k + l * m + i] : a[p * m * k + i * k + l];
          double bv = tb ? b[p * k * n + j * k + l] : b[p * k * n + l * n + j];
          s += av * bv;
        }
        c[p * m * n + i * n + j] = s;
      }
  return c;
}

} // namespace sinter::testing

#endif
