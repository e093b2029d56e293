// ONNX models in: an ONNX inference graph (opset 13 and later; the ops of MLPs and of
// LeNet/ResNet-style CNNs) built into a Sinter graph, its initializers becoming variables, so
// that it compiles like any graph (in process, or ahead of time through a saved .sinter file).
// sinter-import-onnx (tools/) is the command line over importOnnx + Program::save.
#ifndef SINTER_ONNX_IMPORT_H
#define SINTER_ONNX_IMPORT_H

#include "sinter/Graph.h"
#include "sinter/Program.h"

#include <string>
#include <vector>

namespace sinter::onnx {

/// What importOnnx built: the graph inputs (initializers excluded) and outputs, in the file's
/// order and with its names. A leading dimension that the file leaves symbolic (dim_param, or
/// 0) is the batch dimension (-1): the compiled entry takes any batch size.
struct ImportedGraph {
  std::vector<Tensor> inputs, outputs;
  std::vector<std::string> inputNames, outputNames;
};

/// Builds the ONNX model at `path` into `g`. Throws Error naming the file and, for a node it
/// cannot import (an unsupported op or attribute), the node's op type and name.
ImportedGraph importOnnx(Graph &g, const std::string &path);

/// The ONNX model at `onnxPath` as a Sinter model file at `sinterPath` (Program::save) with one
/// entry point `entry` (inputs → outputs, under the file's names): what sinter-import-onnx does.
void convertOnnx(const std::string &onnxPath, const std::string &sinterPath,
                 const std::string &entry = "predict");

/// The op types importOnnx understands.
std::vector<std::string> supportedOnnxOps();

} // namespace sinter::onnx

#endif
