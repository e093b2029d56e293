// Book chapter 15.4.2: DenseNet121 + Dense(1024, relu) + BatchNormalization + Dropout(0.5)
// + Dense(5) on the Pokémon image folder (or any --data DIR), Adam, EarlyStopping on the
// validation accuracy — with the backbone pretrained by ch15_pretrain_backbone (--weights FILE),
// frozen, optionally fine-tuned afterwards (--fine-tune-epochs N). See models/common/Transfer.h.
#include "../common/Transfer.h"

int main(int argc, char **argv) {
  try {
    return sinter::models::pokemonMain(argc, argv, /*transfer=*/true);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
