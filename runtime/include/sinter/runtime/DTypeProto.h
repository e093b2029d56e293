// DType ↔ the dtype enum of Sinter's protobuf files (manifests, models, checkpoints).
#ifndef SINTER_RUNTIME_DTYPEPROTO_H
#define SINTER_RUNTIME_DTYPEPROTO_H

#include "sinter/manifest.pb.h"
#include "sinter/runtime/Runtime.h"

#include <optional>

namespace sinter::runtime {

::sinter::proto::DType toProto(DType dtype);
/// nullopt for a value that names no dtype (a corrupt or newer file).
std::optional<DType> fromProto(int dtype);

} // namespace sinter::runtime

#endif
