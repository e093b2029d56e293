// Tabular data on the host: CSV and JSON-records loaders into a column Table and the Auto MPG
// set of the book's section 6.8. Splitting and normalising: Preprocessing.h.
#pragma once

#include "sinter/data/Dataset.h"
#include "sinter/data/Json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sinter::data {

/// One column: numeric (double, NaN where missing) or string ("" where missing).
struct Column {
  std::string name;
  bool isString = false;
  std::vector<double> numbers;      // when !isString
  std::vector<std::string> strings; // when isString
  std::vector<uint8_t> missing;     // 1 where the source had no value ('?', empty, null, absent)

  size_t size() const { return missing.size(); }
};

/// Named columns of equal length, in source order.
struct Table {
  std::vector<Column> columns;
  int64_t rows = 0;

  bool has(const std::string &name) const;
  /// DataError naming the column and the available ones when absent.
  const Column &column(const std::string &name) const;
  Column &column(const std::string &name);
  std::vector<std::string> names() const;

  /// The rows where none of `names` (all columns when empty) is missing (pandas dropna).
  Table dropMissing(const std::vector<std::string> &names = {}) const;
  /// Rows idx[0], idx[1], ...
  Table selectRows(const std::vector<int64_t> &idx) const;
  /// Numeric columns `names` as a [rows, names.size()] tensor (F32 or F64); a single column with
  /// `flat` gives [rows]. DataError for a string column.
  HostTensor toTensor(const std::vector<std::string> &names, DType dtype = DType::F32,
                      bool flat = false) const;
};

struct CsvOptions {
  /// Field separator. ' ' with `whitespaceSeparated` splits on runs of spaces/tabs instead.
  char delimiter = ',';
  bool whitespaceSeparated = false;
  /// The first row names the columns; otherwise columns are "0", "1", ...
  bool header = true;
  /// Cells equal to one of these (after trimming) are missing: NaN / "".
  std::vector<std::string> missingValues{"", "?", "NA", "N/A", "NaN", "nan", "null"};
  /// Drop every row with a missing cell (pandas dropna) instead of keeping NaN.
  bool dropMissingRows = false;
  /// Text from this character to the end of the line is ignored (0: none), e.g. '\t' for the
  /// UCI auto-mpg.data layout (car names after a tab).
  char comment = 0;
  /// Remove spaces around cells (pandas skipinitialspace, both sides here).
  bool trim = true;
};

/// Reads a CSV file (RFC 4180 quoting with "" escapes; \n or \r\n line ends; blank lines
/// skipped). A column is numeric when every non-missing cell parses fully as a number, and a
/// string column otherwise. DataError names the file and line for a missing file, a row with
/// the wrong number of cells, an unterminated quote, or an empty file.
Table loadCsv(const std::string &path, const CsvOptions &options = {});
/// The same from text in memory (`source` names it in errors).
Table parseCsv(const std::string &text, const CsvOptions &options = {},
               const std::string &source = "<csv>");

/// Reads a JSON array of objects (one object per row) into columns by key, in order of first
/// appearance. Numbers are doubles, true/false 1/0, null or an absent key is missing (NaN, or ""
/// in a string column); a column with any string value is a string column (its numbers written
/// as JSON text); nested arrays/objects are kept as their compact JSON text. DataError with
/// FILE:LINE:COLUMN for malformed JSON, and naming the file for a top level that is not an
/// array of objects.
Table loadJsonRecords(const std::string &path);
Table jsonRecordsToTable(const JsonValue &records, const std::string &source = "<json>");

// ---- Auto MPG (section 6.8) ---------------------------------------------------------------

/// Debian `python3-vega-datasets` (UCI Auto MPG, 406 rows, 392 complete).
inline constexpr const char *kCarsJsonPath =
    "/usr/lib/python3/dist-packages/vega_datasets/_data/cars.json";

struct AutoMpg {
  /// [392, 9] float32: Cylinders, Displacement, Horsepower, Weight, Acceleration, Model Year
  /// (70..82), then the one-hot Origin columns USA, Europe, Japan (as the book's 6.8).
  HostTensor features;
  /// [392] float32 miles per gallon (the label).
  HostTensor mpg;
  std::vector<std::string> featureNames;
};

/// The complete rows of cars.json (a row with any missing value is dropped), in file order.
/// DataError saying to install `python3-vega-datasets` when the file is missing.
AutoMpg loadAutoMpg(const std::string &path = kCarsJsonPath);

} // namespace sinter::data
