// JSON values, parsed by nlohmann/json (its SAX interface builds them) and written compactly.
#include "sinter/data/Json.h"
#include "sinter/runtime/File.h"
#include "sinter/runtime/Runtime.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace sinter::data {

JsonValue JsonValue::boolean(bool b) {
  JsonValue v;
  v.kind_ = Kind::Bool;
  v.bool_ = b;
  return v;
}
JsonValue JsonValue::number(double d) {
  JsonValue v;
  v.kind_ = Kind::Number;
  v.number_ = d;
  return v;
}
JsonValue JsonValue::string(std::string s) {
  JsonValue v;
  v.kind_ = Kind::String;
  v.string_ = std::move(s);
  return v;
}
JsonValue JsonValue::array(std::vector<JsonValue> items) {
  JsonValue v;
  v.kind_ = Kind::Array;
  v.items_ = std::move(items);
  return v;
}
JsonValue JsonValue::object(std::vector<std::pair<std::string, JsonValue>> members) {
  JsonValue v;
  v.kind_ = Kind::Object;
  v.members_ = std::move(members);
  return v;
}

namespace {
const char *kindName(JsonValue::Kind k) {
  switch (k) {
  case JsonValue::Kind::Null:
    return "null";
  case JsonValue::Kind::Bool:
    return "a boolean";
  case JsonValue::Kind::Number:
    return "a number";
  case JsonValue::Kind::String:
    return "a string";
  case JsonValue::Kind::Array:
    return "an array";
  case JsonValue::Kind::Object:
    return "an object";
  }
  return "?";
}
[[noreturn]] void wrongKind(JsonValue::Kind have, const char *want) {
  throw DataError(std::string("JSON value is ") + kindName(have) + ", not " + want);
}

void dumpString(const std::string &s, std::string &out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  out += '"';
}

void dumpValue(const JsonValue &v, std::string &out) {
  switch (v.kind()) {
  case JsonValue::Kind::Null:
    out += "null";
    break;
  case JsonValue::Kind::Bool:
    out += v.asBool() ? "true" : "false";
    break;
  case JsonValue::Kind::Number: {
    double d = v.asNumber();
    if (!std::isfinite(d)) {
      out += "null";
      break;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    // Prefer the shortest representation that round-trips.
    for (int prec = 1; prec <= 17; ++prec) {
      char tmp[32];
      std::snprintf(tmp, sizeof tmp, "%.*g", prec, d);
      if (std::strtod(tmp, nullptr) == d) {
        out += tmp;
        return;
      }
    }
    out += buf;
    break;
  }
  case JsonValue::Kind::String:
    dumpString(v.asString(), out);
    break;
  case JsonValue::Kind::Array: {
    out += '[';
    bool first = true;
    for (const JsonValue &item : v.items()) {
      if (!first)
        out += ',';
      first = false;
      dumpValue(item, out);
    }
    out += ']';
    break;
  }
  case JsonValue::Kind::Object: {
    out += '{';
    bool first = true;
    for (const auto &[k, item] : v.members()) {
      if (!first)
        out += ',';
      first = false;
      dumpString(k, out);
      out += ':';
      dumpValue(item, out);
    }
    out += '}';
    break;
  }
  }
}

/// Builds JsonValues from nlohmann's SAX events, with an explicit stack (no recursion, so no
/// depth can overflow the C++ stack) and a nesting limit.
class Builder {
public:
  using json = nlohmann::json;
  static constexpr size_t kMaxDepth = 512;

  bool null() { return add(JsonValue::null()); }
  bool boolean(bool b) { return add(JsonValue::boolean(b)); }
  bool number_integer(json::number_integer_t v) {
    return add(JsonValue::number(static_cast<double>(v)));
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return add(JsonValue::number(static_cast<double>(v)));
  }
  bool number_float(json::number_float_t v, const std::string &) {
    return add(JsonValue::number(v));
  }
  bool string(std::string &v) { return add(JsonValue::string(std::move(v))); }
  bool binary(json::binary_t &) { return false; } // not in JSON text
  bool start_object(size_t) { return open(true); }
  bool key(std::string &k) {
    stack_.back().key = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(size_t) { return open(false); }
  bool end_array() { return close(); }
  bool parse_error(size_t position, const std::string &, const nlohmann::detail::exception &e) {
    errorPosition = position;
    error = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: <what>" or
    // "[json.exception.out_of_range.406] <what>": keep <what> (the position is added later).
    if (size_t bracket = error.find("] ");
        error.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
      error = error.substr(bracket + 2);
    if (error.rfind("parse error at ", 0) == 0)
      if (size_t colon = error.find(": "); colon != std::string::npos)
        error = error.substr(colon + 2);
    return false;
  }

  JsonValue result;
  std::string error;
  size_t errorPosition = 0;
  bool tooDeep = false;

private:
  struct Frame {
    bool object;
    std::vector<JsonValue> items;
    std::vector<std::pair<std::string, JsonValue>> members;
    std::string key;
  };
  bool add(JsonValue v) {
    if (stack_.empty())
      result = std::move(v);
    else if (stack_.back().object)
      stack_.back().members.emplace_back(std::move(stack_.back().key), std::move(v));
    else
      stack_.back().items.push_back(std::move(v));
    return true;
  }
  bool open(bool object) {
    if (stack_.size() >= kMaxDepth) {
      tooDeep = true;
      return false;
    }
    stack_.push_back(Frame{object, {}, {}, {}});
    return true;
  }
  bool close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return add(f.object ? JsonValue::object(std::move(f.members))
                        : JsonValue::array(std::move(f.items)));
  }
  std::vector<Frame> stack_;
};
} // namespace

bool JsonValue::asBool() const {
  if (kind_ != Kind::Bool)
    wrongKind(kind_, "a boolean");
  return bool_;
}
double JsonValue::asNumber() const {
  if (kind_ != Kind::Number)
    wrongKind(kind_, "a number");
  return number_;
}
const std::string &JsonValue::asString() const {
  if (kind_ != Kind::String)
    wrongKind(kind_, "a string");
  return string_;
}
const std::vector<JsonValue> &JsonValue::items() const {
  if (kind_ != Kind::Array)
    wrongKind(kind_, "an array");
  return items_;
}
const std::vector<std::pair<std::string, JsonValue>> &JsonValue::members() const {
  if (kind_ != Kind::Object)
    wrongKind(kind_, "an object");
  return members_;
}
const JsonValue *JsonValue::find(std::string_view key) const {
  if (kind_ != Kind::Object)
    return nullptr;
  for (auto it = members_.rbegin(); it != members_.rend(); ++it)
    if (it->first == key)
      return &it->second;
  return nullptr;
}
size_t JsonValue::size() const {
  if (kind_ == Kind::Array)
    return items_.size();
  if (kind_ == Kind::Object)
    return members_.size();
  return 0;
}
std::string JsonValue::dump() const {
  std::string out;
  dumpValue(*this, out);
  return out;
}

JsonValue parseJson(std::string_view text, const std::string &source) {
  Builder builder;
  // nlohmann's parser (strict RFC 8259; a UTF-8 byte-order mark is skipped) drives the builder.
  if (nlohmann::json::sax_parse(text, &builder))
    return std::move(builder.result);
  if (builder.tooDeep)
    throw DataError(source + ": nesting deeper than " + std::to_string(Builder::kMaxDepth) +
                    " arrays and objects");
  // The line and column of the last character read (the parser's position counts from 1).
  size_t at = builder.errorPosition > 0 ? builder.errorPosition - 1 : 0, line = 1, column = 1;
  for (size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  throw DataError(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                  builder.error);
}

std::string readTextFile(const std::string &path) {
  try {
    return runtime::readFile(path, "text file", /*allowEmpty=*/true);
  } catch (const ::sinter::runtime::Error &e) {
    throw DataError(e.what()); // the data loaders' error type
  }
}

JsonValue loadJson(const std::string &path) { return parseJson(readTextFile(path), path); }

} // namespace sinter::data
