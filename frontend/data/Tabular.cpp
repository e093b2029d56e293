// CSV / JSON-records tables and Auto MPG.
#include "sinter/data/Tabular.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <unordered_map>

namespace sinter::data {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string trimmed(const std::string &s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r'))
    ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
    --e;
  return s.substr(b, e - b);
}

/// The whole (trimmed) cell as a number, or false.
bool parseNumber(const std::string &cell, double &out) {
  std::string s = trimmed(cell);
  const char *b = s.data(), *e = s.data() + s.size();
  if (b != e && *b == '+')
    ++b;
  if (b == e)
    return false;
  auto [ptr, ec] = std::from_chars(b, e, out);
  if (ec == std::errc::result_out_of_range) {
    out = std::strtod(std::string(b, e).c_str(), nullptr);
    return true;
  }
  return ec == std::errc() && ptr == e;
}

struct RawRow {
  std::vector<std::string> cells;
  std::vector<bool> quoted;
  int64_t line = 0;
};

std::vector<RawRow> splitCsv(const std::string &text, const CsvOptions &opt,
                             const std::string &source) {
  std::vector<RawRow> rows;
  RawRow row;
  std::string cell;
  bool cellQuoted = false, inQuotes = false, cellStarted = false, inComment = false;
  int64_t line = 1, quoteLine = 0;
  row.line = 1;
  auto endCell = [&] {
    row.cells.push_back(opt.trim && !cellQuoted ? trimmed(cell) : cell);
    row.quoted.push_back(cellQuoted);
    cell.clear();
    cellQuoted = false;
    cellStarted = false;
  };
  auto endRow = [&] {
    if (cellStarted || !row.cells.empty() || !cell.empty())
      endCell();
    bool blank = row.cells.empty() ||
                 (row.cells.size() == 1 && !row.quoted[0] && trimmed(row.cells[0]).empty());
    if (!blank)
      rows.push_back(std::move(row));
    row = RawRow();
    row.line = line + 1;
    inComment = false;
  };
  bool ws = opt.whitespaceSeparated;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inQuotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          inQuotes = false;
        }
      } else {
        if (c == '\n')
          ++line;
        cell += c;
      }
      continue;
    }
    if (c == '\n') {
      endRow();
      ++line;
      continue;
    }
    if (inComment)
      continue;
    if (opt.comment && c == opt.comment) {
      inComment = true;
      continue;
    }
    if (c == '\r')
      continue;
    if (cellQuoted && opt.trim && (c == ' ' || c == '\t') &&
        !(ws || c == opt.delimiter)) // spaces after a closing quote
      continue;
    if (ws ? (c == ' ' || c == '\t') : c == opt.delimiter) {
      if (ws) {
        if (cellStarted || !cell.empty())
          endCell();
      } else {
        endCell();
      }
      continue;
    }
    if (c == '"' && trimmed(cell).empty() && !cellQuoted) {
      inQuotes = true;
      cellQuoted = true;
      cellStarted = true;
      quoteLine = line;
      cell.clear();
      continue;
    }
    cell += c;
    cellStarted = true;
  }
  if (inQuotes)
    throw DataError(source + ":" + std::to_string(quoteLine) + ": unterminated quoted field");
  endRow();
  return rows;
}

Column makeColumn(std::string name, const std::vector<std::string> &cells,
                  const std::vector<uint8_t> &missing) {
  Column col;
  col.name = std::move(name);
  col.missing = missing;
  std::vector<double> nums(cells.size(), kNaN);
  bool numeric = true;
  for (size_t r = 0; r < cells.size() && numeric; ++r)
    if (!missing[r] && !parseNumber(cells[r], nums[r]))
      numeric = false;
  if (numeric) {
    col.numbers = std::move(nums);
  } else {
    col.isString = true;
    col.strings.resize(cells.size());
    for (size_t r = 0; r < cells.size(); ++r)
      if (!missing[r])
        col.strings[r] = cells[r];
  }
  return col;
}

} // namespace

// ---- Table ------------------------------------------------------------------------------------

bool Table::has(const std::string &name) const {
  for (const Column &c : columns)
    if (c.name == name)
      return true;
  return false;
}

const Column &Table::column(const std::string &name) const {
  for (const Column &c : columns)
    if (c.name == name)
      return c;
  std::string avail;
  for (const Column &c : columns)
    avail += (avail.empty() ? "" : ", ") + c.name;
  throw DataError("table has no column '" + name + "' (columns: " + avail + ")");
}

Column &Table::column(const std::string &name) {
  return const_cast<Column &>(static_cast<const Table &>(*this).column(name));
}

std::vector<std::string> Table::names() const {
  std::vector<std::string> out;
  for (const Column &c : columns)
    out.push_back(c.name);
  return out;
}

Table Table::dropMissing(const std::vector<std::string> &names) const {
  std::vector<const Column *> check;
  if (names.empty())
    for (const Column &c : columns)
      check.push_back(&c);
  else
    for (const std::string &n : names)
      check.push_back(&column(n));
  std::vector<int64_t> keep;
  for (int64_t r = 0; r < rows; ++r) {
    bool ok = true;
    for (const Column *c : check)
      ok = ok && !c->missing[static_cast<size_t>(r)];
    if (ok)
      keep.push_back(r);
  }
  return selectRows(keep);
}

Table Table::selectRows(const std::vector<int64_t> &idx) const {
  Table out;
  out.rows = static_cast<int64_t>(idx.size());
  for (const Column &c : columns) {
    Column n;
    n.name = c.name;
    n.isString = c.isString;
    for (int64_t i : idx) {
      if (i < 0 || i >= rows)
        throw DataError("Table::selectRows: row " + std::to_string(i) + " out of range");
      size_t r = static_cast<size_t>(i);
      n.missing.push_back(c.missing[r]);
      if (c.isString)
        n.strings.push_back(c.strings[r]);
      else
        n.numbers.push_back(c.numbers[r]);
    }
    out.columns.push_back(std::move(n));
  }
  return out;
}

HostTensor Table::toTensor(const std::vector<std::string> &names, DType dtype, bool flat) const {
  if (dtype != DType::F32 && dtype != DType::F64)
    throw DataError("Table::toTensor: dtype must be float32 or float64");
  if (flat && names.size() != 1)
    throw DataError("Table::toTensor: a flat tensor needs exactly one column");
  std::vector<const Column *> cols;
  for (const std::string &n : names) {
    const Column &c = column(n);
    if (c.isString)
      throw DataError("Table::toTensor: column '" + n + "' holds strings");
    cols.push_back(&c);
  }
  int64_t d = static_cast<int64_t>(cols.size());
  HostTensor t(dtype, flat ? std::vector<int64_t>{rows} : std::vector<int64_t>{rows, d});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < d; ++j) {
      double v = cols[static_cast<size_t>(j)]->numbers[static_cast<size_t>(r)];
      if (dtype == DType::F32)
        t.as<float>()[static_cast<size_t>(r * d + j)] = static_cast<float>(v);
      else
        t.as<double>()[static_cast<size_t>(r * d + j)] = v;
    }
  return t;
}

// ---- CSV --------------------------------------------------------------------------------------

Table parseCsv(const std::string &text, const CsvOptions &opt, const std::string &source) {
  std::vector<RawRow> raw = splitCsv(text, opt, source);
  if (raw.empty())
    throw DataError(source + ": empty CSV (no " + (opt.header ? "header" : "rows") + ")");
  std::vector<std::string> names;
  size_t first = 0;
  if (opt.header) {
    names = raw[0].cells;
    first = 1;
  } else {
    for (size_t j = 0; j < raw[0].cells.size(); ++j)
      names.push_back(std::to_string(j));
  }
  size_t width = names.size();
  std::vector<std::vector<std::string>> cells(width);
  std::vector<std::vector<uint8_t>> missing(width);
  for (size_t r = first; r < raw.size(); ++r) {
    const RawRow &row = raw[r];
    if (row.cells.size() != width)
      throw DataError(source + ":" + std::to_string(row.line) + ": row has " +
                      std::to_string(row.cells.size()) + " cells, expected " +
                      std::to_string(width) + (opt.header ? " (as the header)" : ""));
    for (size_t j = 0; j < width; ++j) {
      const std::string &cell = row.cells[j];
      bool miss = !row.quoted[j] && std::find(opt.missingValues.begin(), opt.missingValues.end(),
                                              trimmed(cell)) != opt.missingValues.end();
      cells[j].push_back(cell);
      missing[j].push_back(miss ? 1 : 0);
    }
  }
  Table t;
  t.rows = static_cast<int64_t>(raw.size() - first);
  for (size_t j = 0; j < width; ++j)
    t.columns.push_back(makeColumn(names[j], cells[j], missing[j]));
  return opt.dropMissingRows ? t.dropMissing() : t;
}

Table loadCsv(const std::string &path, const CsvOptions &options) {
  if (!std::filesystem::exists(path))
    throw DataError(path + ": no such file");
  return parseCsv(readTextFile(path), options, path);
}

// ---- JSON records -----------------------------------------------------------------------------

Table jsonRecordsToTable(const JsonValue &records, const std::string &source) {
  if (!records.isArray())
    throw DataError(source + ": expected a JSON array of objects at the top level");
  const auto &items = records.items();
  std::vector<std::string> names;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::vector<const JsonValue *>> values;
  for (size_t r = 0; r < items.size(); ++r) {
    if (!items[r].isObject())
      throw DataError(source + ": element " + std::to_string(r) + " of the array is not an object");
    for (const auto &[key, v] : items[r].members()) {
      auto [it, fresh] = index.emplace(key, names.size());
      if (fresh) {
        names.push_back(key);
        values.emplace_back(items.size(), nullptr);
      }
      values[it->second][r] = &v;
    }
  }
  Table t;
  t.rows = static_cast<int64_t>(items.size());
  for (size_t j = 0; j < names.size(); ++j) {
    Column col;
    col.name = names[j];
    const auto &vals = values[j];
    for (const JsonValue *v : vals)
      if (v && !v->isNull() && !v->isNumber() && !v->isBool())
        col.isString = true;
    for (const JsonValue *v : vals) {
      bool miss = !v || v->isNull();
      col.missing.push_back(miss ? 1 : 0);
      if (col.isString) {
        col.strings.push_back(miss ? "" : v->isString() ? v->asString() : v->dump());
      } else {
        col.numbers.push_back(miss          ? kNaN
                              : v->isBool() ? (v->asBool() ? 1.0 : 0.0)
                                            : v->asNumber());
      }
    }
    t.columns.push_back(std::move(col));
  }
  return t;
}

Table loadJsonRecords(const std::string &path) { return jsonRecordsToTable(loadJson(path), path); }

// ---- Auto MPG ---------------------------------------------------------------------------------

AutoMpg loadAutoMpg(const std::string &path) {
  if (!std::filesystem::exists(path))
    throw DataError(path + ": Auto MPG cars.json not found; install the Debian package "
                           "python3-vega-datasets (scripts/install-deps.sh)");
  Table all = loadJsonRecords(path);
  const std::vector<std::string> needed{
      "Miles_per_Gallon", "Cylinders",    "Displacement", "Horsepower",
      "Weight_in_lbs",    "Acceleration", "Year",         "Origin"};
  for (const std::string &n : needed)
    if (!all.has(n))
      throw DataError(path + ": no key '" + n + "' in the records");
  Table t = all.dropMissing(needed);

  AutoMpg out;
  out.featureNames = {"Cylinders",  "Displacement", "Horsepower", "Weight", "Acceleration",
                      "Model Year", "USA",          "Europe",     "Japan"};
  const int64_t n = t.rows, d = 9;
  out.features = HostTensor(DType::F32, {n, d}, "features");
  out.mpg = t.toTensor({"Miles_per_Gallon"}, DType::F32, /*flat=*/true);
  auto f = out.features.as<float>();
  const char *numeric[] = {"Cylinders", "Displacement", "Horsepower", "Weight_in_lbs",
                           "Acceleration"};
  for (int j = 0; j < 5; ++j) {
    const Column &c = t.column(numeric[j]);
    if (c.isString)
      throw DataError(path + ": column '" + c.name + "' is not numeric");
    for (int64_t r = 0; r < n; ++r)
      f[static_cast<size_t>(r * d + j)] = static_cast<float>(c.numbers[static_cast<size_t>(r)]);
  }
  const Column &year = t.column("Year");
  const Column &origin = t.column("Origin");
  for (int64_t r = 0; r < n; ++r) {
    size_t ri = static_cast<size_t>(r);
    double y;
    if (year.isString) {
      // "1970-01-01" in cars.json.
      const std::string &s = year.strings[ri];
      if (!parseNumber(s.substr(0, 4), y))
        throw DataError(path + ": row " + std::to_string(r) + ": cannot read Year '" + s + "'");
    } else {
      y = year.numbers[ri];
    }
    if (y >= 1900)
      y -= 1900;
    f[static_cast<size_t>(r * d + 5)] = static_cast<float>(y);
    int k = -1;
    if (origin.isString) {
      const std::string &s = origin.strings[ri];
      k = s == "USA" ? 0 : s == "Europe" ? 1 : s == "Japan" ? 2 : -1;
    } else {
      double o = origin.numbers[ri]; // UCI coding 1/2/3
      k = o == 1 ? 0 : o == 2 ? 1 : o == 3 ? 2 : -1;
    }
    if (k < 0)
      throw DataError(path + ": row " + std::to_string(r) + ": unknown Origin");
    for (int j = 0; j < 3; ++j)
      f[static_cast<size_t>(r * d + 6 + j)] = j == k ? 1.0f : 0.0f;
  }
  // 1e999 reads as inf (as in Python's json), and a value beyond float32 becomes inf: either
  // would train on a non-finite column without a word.
  auto mpg = out.mpg.as<float>();
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t j = 0; j < d; ++j)
      if (!std::isfinite(f[static_cast<size_t>(r * d + j)]))
        throw DataError(path + ": record " + std::to_string(r) + " (of the complete ones): " +
                        out.featureNames[static_cast<size_t>(j)] + " is not a finite number");
    if (!std::isfinite(mpg[static_cast<size_t>(r)]))
      throw DataError(path + ": record " + std::to_string(r) +
                      " (of the complete ones): Miles_per_Gallon is not a finite number");
  }
  return out;
}

} // namespace sinter::data
