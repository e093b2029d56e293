// Command-line conventions shared by the book's model programs: --epochs N, --quick, and a
// few model-specific flags, parsed by CLI11 as the tools' (tools/common/CommandLine.h): --help
// lists them, an unknown flag is an error (exit 2), never ignored.
#ifndef SINTER_MODELS_COMMON_CLI_H
#define SINTER_MODELS_COMMON_CLI_H

#include "CommandLine.h"

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

namespace sinter::models {

struct Cli {
  /// `flags`: the flags this program takes (name → default value; "" for switches, which
  /// are "1" when given); `usage` shows in --help and after a usage error.
  Cli(int argc, char **argv, std::map<std::string, std::string> flags, const std::string &usage)
      : values(std::move(flags)) {
    std::string program = argc > 0 ? argv[0] : "program";
    CLI::App app{"usage: " + program + " " + usage, program};
    std::map<std::string, bool> switches;
    for (auto &[name, value] : values) {
      if (value.empty())
        app.add_flag(name, switches[name]);
      else if (value == "-") // no default: "not given"
        app.add_option(name, value);
      else
        app.add_option(name, value)->capture_default_str();
    }
    if (int rc = cli::parseCommandLine(app, argc, argv); rc >= 0)
      std::exit(rc);
    for (const auto &[name, on] : switches)
      if (on)
        values[name] = "1";
  }
  std::string str(const std::string &name) const { return values.at(name); }
  /// A flag whose default "-" means "not given": its value, or "" when not given.
  std::string optional(const std::string &name) const {
    const std::string &v = values.at(name);
    return v == "-" ? std::string() : v;
  }
  bool on(const std::string &name) const { return values.at(name) == "1"; }
  long integer(const std::string &name) const {
    const std::string &v = values.at(name);
    char *end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0') {
      std::cerr << "error: flag '" << name << "' needs an integer, got '" << v << "'\n";
      std::exit(2);
    }
    return n;
  }
  double real(const std::string &name) const {
    const std::string &v = values.at(name);
    char *end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0') {
      std::cerr << "error: flag '" << name << "' needs a number, got '" << v << "'\n";
      std::exit(2);
    }
    return x;
  }

private:
  std::map<std::string, std::string> values;
};

} // namespace sinter::models

#endif
