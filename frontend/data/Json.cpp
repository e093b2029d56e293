// The JSON parser: recursive descent with line/column tracking.
#include "sinter/data/Json.h"
#include "sinter/runtime/File.h"
#include "sinter/runtime/Runtime.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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

class Parser {
public:
  Parser(std::string_view text, const std::string &source) : text_(text), source_(source) {}

  JsonValue parseDocument() {
    skipWs();
    JsonValue v = parseValue(0);
    skipWs();
    if (pos_ < text_.size())
      fail("unexpected text after the JSON value");
    return v;
  }

private:
  static constexpr int kMaxDepth = 512;

  [[noreturn]] void fail(const std::string &msg) const { failAt(pos_, msg); }
  [[noreturn]] void failAt(size_t at, const std::string &msg) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw DataError(source_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + msg);
  }
  std::string describeHere() const {
    if (pos_ >= text_.size())
      return "end of input";
    char c = text_[pos_];
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "byte 0x%02x", static_cast<unsigned char>(c));
      return buf;
    }
    return std::string("'") + c + "'";
  }

  void skipWs() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        ++pos_;
      else
        break;
    }
  }

  bool consumeWord(std::string_view w) {
    if (text_.substr(pos_, w.size()) == w) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  JsonValue parseValue(int depth) {
    if (depth > kMaxDepth)
      fail("nesting deeper than " + std::to_string(kMaxDepth));
    if (pos_ >= text_.size())
      fail("expected a value, found end of input");
    char c = text_[pos_];
    switch (c) {
    case '{':
      return parseObject(depth);
    case '[':
      return parseArray(depth);
    case '"':
      return JsonValue::string(parseString());
    case 't':
      if (consumeWord("true"))
        return JsonValue::boolean(true);
      break;
    case 'f':
      if (consumeWord("false"))
        return JsonValue::boolean(false);
      break;
    case 'n':
      if (consumeWord("null"))
        return JsonValue::null();
      break;
    default:
      if (c == '-' || (c >= '0' && c <= '9'))
        return JsonValue::number(parseNumber());
    }
    fail("expected a value, found " + describeHere());
  }

  JsonValue parseObject(int depth) {
    ++pos_; // '{'
    std::vector<std::pair<std::string, JsonValue>> members;
    skipWs();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return JsonValue::object(std::move(members));
    }
    for (;;) {
      skipWs();
      if (pos_ >= text_.size() || text_[pos_] != '"')
        fail("expected a string key in object, found " + describeHere());
      std::string key = parseString();
      skipWs();
      if (pos_ >= text_.size() || text_[pos_] != ':')
        fail("expected ':' after object key, found " + describeHere());
      ++pos_;
      skipWs();
      JsonValue v = parseValue(depth + 1);
      members.emplace_back(std::move(key), std::move(v));
      skipWs();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return JsonValue::object(std::move(members));
      }
      fail("expected ',' or '}' in object, found " + describeHere());
    }
  }

  JsonValue parseArray(int depth) {
    ++pos_; // '['
    std::vector<JsonValue> items;
    skipWs();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return JsonValue::array(std::move(items));
    }
    for (;;) {
      skipWs();
      items.push_back(parseValue(depth + 1));
      skipWs();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return JsonValue::array(std::move(items));
      }
      fail("expected ',' or ']' in array, found " + describeHere());
    }
  }

  unsigned hex4() {
    if (pos_ + 4 > text_.size())
      fail("truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        failAt(pos_ - 1, "bad hex digit in \\u escape");
    }
    return v;
  }

  static void appendUtf8(std::string &out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parseString() {
    size_t start = pos_;
    ++pos_; // '"'
    std::string out;
    for (;;) {
      if (pos_ >= text_.size())
        failAt(start, "unterminated string");
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20)
        fail("control character in string (escape it)");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size())
        failAt(start, "unterminated string");
      char e = text_[pos_++];
      switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        unsigned cp = hex4();
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (text_.substr(pos_, 2) != "\\u")
            fail("high surrogate without a low surrogate");
          pos_ += 2;
          unsigned lo = hex4();
          if (lo < 0xDC00 || lo > 0xDFFF)
            fail("invalid low surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          fail("lone low surrogate");
        }
        appendUtf8(out, cp);
        break;
      }
      default:
        failAt(pos_ - 1, std::string("invalid escape '\\") + e + "'");
      }
    }
  }

  double parseNumber() {
    size_t start = pos_;
    if (text_[pos_] == '-')
      ++pos_;
    auto digits = [&] {
      size_t s = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
        ++pos_;
      return pos_ - s;
    };
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
      if (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
        fail("leading zeros are not allowed in numbers");
    } else if (digits() == 0) {
      fail("expected digits in number");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0)
        fail("expected digits after the decimal point");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
        ++pos_;
      if (digits() == 0)
        fail("expected digits in the exponent");
    }
    std::string token(text_.substr(start, pos_ - start));
    errno = 0;
    double d = std::strtod(token.c_str(), nullptr); // locale: data files use '.', as does "C"
    return d;                                       // overflow gives +-inf, as in Python's json
  }

  std::string_view text_;
  const std::string &source_;
  size_t pos_ = 0;
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
  // A UTF-8 byte-order mark is tolerated.
  if (text.substr(0, 3) == "\xEF\xBB\xBF")
    text.remove_prefix(3);
  return Parser(text, source).parseDocument();
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
