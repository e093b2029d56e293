// The command-line conventions of every Sinter program — the tools (sinter-compile, sinter-run,
// sinter-import-onnx) and the book's model programs — on one parser, CLI11: --help lists every
// option; a bad command line prints "<program>: error: <problem>" (an unknown flag as
// "unknown flag '--x'") and the usage, and exits with status 2; 1 is left for bad files and
// failed runs.
#ifndef SINTER_TOOLS_COMMON_COMMANDLINE_H
#define SINTER_TOOLS_COMMON_COMMANDLINE_H

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

namespace sinter::cli {

/// A problem with the command line found after parsing (a missing model, two flags that do
/// not go together): parseCommandLine's caller throws it, usageError prints it.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Prints `message` and the usage; the exit status of a bad command line.
inline int usageError(const CLI::App &app, const std::string &message) {
  std::cerr << app.get_name() << ": error: " << message << "\n\n" << app.help();
  return 2;
}

/// Parses argv into `app`'s options; -1 to go on, else the status to exit with (0 after
/// --help, 2 after a usage error).
inline int parseCommandLine(CLI::App &app, int argc, const char *const *argv) {
  try {
    app.parse(argc, argv);
    return -1;
  } catch (const CLI::CallForHelp &) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ExtrasError &) {
    std::string first = app.remaining().empty() ? "?" : app.remaining().front();
    return usageError(app, first.rfind("-", 0) == 0 ? "unknown flag '" + first + "'"
                                                    : "unexpected argument '" + first + "'");
  } catch (const CLI::ParseError &e) {
    return usageError(app, e.what());
  }
}

} // namespace sinter::cli

#endif // SINTER_TOOLS_COMMON_COMMANDLINE_H
