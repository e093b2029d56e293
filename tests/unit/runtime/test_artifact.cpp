// A hand-written "compiled" artifact exporting the Abi.h symbols with prefix sinter_model.
// Its manifest is test_artifact.txtpb, encoded at build time.
#include "sinter/runtime/Abi.h"

#include <cstdint>
#include <cstring>

#define SINTER_EXPORT extern "C" __attribute__((visibility("default")))

SINTER_EXPORT const uint8_t sinter_model_manifest[] = {
#include "test_artifact_manifest.inc"
};
SINTER_EXPORT const uint64_t sinter_model_manifest_size = sizeof(sinter_model_manifest);

// bias = [[0, 1, 2], [3, 4, 5]] as little-endian float32.
SINTER_EXPORT alignas(64) const uint8_t sinter_model_variable_data[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40,
    0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80, 0x40, 0x00, 0x00, 0xa0, 0x40};
SINTER_EXPORT const uint64_t sinter_model_variable_data_size = sizeof(sinter_model_variable_data);

// buffers: x, bias, step, y. y = x + 1 + bias; then bias += 1, step += 1 (in place).
SINTER_EXPORT void sinter_model_add_one(void **buffers) {
  const float *x = static_cast<const float *>(buffers[0]);
  float *bias = static_cast<float *>(buffers[1]);
  int64_t *step = static_cast<int64_t *>(buffers[2]);
  float *y = static_cast<float *>(buffers[3]);
  for (int i = 0; i < 6; ++i) {
    y[i] = x[i] + 1.0f + bias[i];
    bias[i] += 1.0f;
  }
  ++*step;
}

// buffers: a, b, c. Calls back into the runtime's kernel library, as compiled code does.
SINTER_EXPORT void sinter_model_matmul(void **buffers) {
  sinter_kernel_matmul_f32(static_cast<const float *>(buffers[0]),
                           static_cast<const float *>(buffers[1]), static_cast<float *>(buffers[2]),
                           1, 2, 2, 3, 0, 0);
}

// A batched entry. buffers: x [batch, 3], sums [batch], rows [], then the batch size.
SINTER_EXPORT void sinter_model_row_sums(void **buffers) {
  const float *x = static_cast<const float *>(buffers[0]);
  float *sums = static_cast<float *>(buffers[1]);
  int64_t batch = *static_cast<const int64_t *>(buffers[3]);
  for (int64_t r = 0; r < batch; ++r)
    sums[r] = x[3 * r] + x[3 * r + 1] + x[3 * r + 2];
  *static_cast<int64_t *>(buffers[2]) = batch;
}
