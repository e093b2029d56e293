// sinter-import-onnx: an ONNX model (inference graph, opset 13+) to a Sinter model file, whose
// entry point sinter-compile compiles ahead of time like any other.
//   sinter-import-onnx model.onnx -o model.sinter [--entry predict]
//   sinter-import-onnx --list-ops
#include "sinter/onnx/Import.h"

#include "CommandLine.h"

#include <iostream>

int main(int argc, char **argv) {
  CLI::App app{"Converts an ONNX model (opset 13 or later) into a Sinter model file (.sinter): "
               "its graph, with the initializers as variables, compiled as one entry point.",
               "sinter-import-onnx"};
  std::string input, output, entry = "predict";
  bool listOps = false;
  app.add_option("model", input, "the ONNX model file (.onnx)")->check(CLI::ExistingFile);
  app.add_option("-o,--output", output, "the Sinter model file to write (.sinter)");
  app.add_option("--entry", entry, "the name of the entry point (inputs -> outputs)")
      ->capture_default_str();
  app.add_flag("--list-ops", listOps, "print the ONNX op types that can be imported, and exit");
  if (int rc = sinter::cli::parseCommandLine(app, argc, argv); rc >= 0)
    return rc;
  if (!listOps && (input.empty() || output.empty()))
    return sinter::cli::usageError(app, "needs a model and -o,--output");
  if (listOps) {
    for (const std::string &op : sinter::onnx::supportedOnnxOps())
      std::cout << op << "\n";
    return 0;
  }
  try {
    sinter::onnx::convertOnnx(input, output, entry);
    std::cout << "sinter-import-onnx: " << input << " -> " << output << " (entry '" << entry
              << "')\n";
    return 0;
  } catch (const std::exception &e) {
    std::cerr << "sinter-import-onnx: error: " << e.what() << "\n";
    return 1;
  }
}
