// Sinter's public C++ API (umbrella header). No MLIR or LLVM header is reachable from here.
#ifndef SINTER_SINTER_H
#define SINTER_SINTER_H

#include "sinter/Graph.h"
#include "sinter/Image.h"
#include "sinter/Ops.h"
#include "sinter/Program.h"
#include "sinter/Scan.h"
#include "sinter/TensorLanguage.h"
#include "sinter/data/ImageDatasets.h"
#include "sinter/optim/Optimizers.h"

#endif
