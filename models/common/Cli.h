// Command-line conventions shared by the book's model programs: --epochs N, --quick, and a
// few model-specific flags; an unknown flag is an error (exit 2), never ignored.
#ifndef SINTER_MODELS_COMMON_CLI_H
#define SINTER_MODELS_COMMON_CLI_H

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>

namespace sinter::models {

struct Cli {
  /// `flags`: the flags this program takes (name → default value; "" for switches, which
  /// are "1" when given).
  Cli(int argc, char **argv, std::map<std::string, std::string> flags, const std::string &usage)
      : values(std::move(flags)) {
    std::set<std::string> switches;
    for (const auto &[name, value] : values)
      if (value.empty())
        switches.insert(name);
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::cout << "usage: " << argv[0] << " " << usage << "\n";
        std::exit(0);
      }
      std::string name = arg, value;
      if (auto eq = arg.find('='); eq != std::string::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
      }
      auto it = values.find(name);
      if (name.rfind("--", 0) != 0 || it == values.end())
        fail("unknown flag '" + arg + "'", argv[0], usage);
      bool isSwitch = switches.count(name) != 0; // a value of "0" is an ordinary value
      if (isSwitch && value.empty()) {
        it->second = "1";
      } else if (!value.empty()) {
        it->second = value;
      } else {
        if (i + 1 >= argc)
          fail("flag '" + name + "' needs a value", argv[0], usage);
        it->second = argv[++i];
      }
    }
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
  [[noreturn]] static void fail(const std::string &message, const char *program,
                                const std::string &usage) {
    std::cerr << "error: " << message << "\nusage: " << program << " " << usage << "\n";
    std::exit(2);
  }
  std::map<std::string, std::string> values;
};

} // namespace sinter::models

#endif
