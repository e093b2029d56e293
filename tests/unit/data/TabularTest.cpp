// CSV and JSON loaders on generated files (and their errors), the real Auto MPG cars.json when
// Debian's python3-vega-datasets is installed, split/normalisation, and make_moons.
#include "sinter/data/Tabular.h"
#include "../../common/TestUtil.h"
#include "sinter/data/Preprocessing.h"
#include "sinter/data/Synthetic.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace sinter::data;

namespace {

using sinter::testing::errorOf;

struct TempFile {
  std::string path;
  explicit TempFile(const std::string &name, const std::string &text) {
    static int counter = 0;
    path = (fs::temp_directory_path() / ("sinter-tabular-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + "-" + name))
               .string();
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

} // namespace

TEST_CASE("CSV: header, numbers, strings, missing values", "[data][csv]") {
  TempFile f("a.csv", "mpg,cyl,name,hp\n"
                      "18.0,8,\"chevrolet, malibu\",130\n"
                      "15,8,buick,?\r\n"
                      "\n"
                      " 16.5 , 4 , \"say \"\"hi\"\"\" ,1e2\n");
  Table t = loadCsv(f.path);
  CHECK(t.rows == 3);
  CHECK(t.names() == std::vector<std::string>{"mpg", "cyl", "name", "hp"});
  CHECK(!t.column("mpg").isString);
  CHECK(t.column("mpg").numbers == std::vector<double>{18.0, 15.0, 16.5});
  CHECK(t.column("name").isString);
  CHECK(t.column("name").strings[0] == "chevrolet, malibu");
  CHECK(t.column("name").strings[2] == "say \"hi\"");
  const Column &hp = t.column("hp");
  CHECK(hp.numbers[0] == 130);
  CHECK(std::isnan(hp.numbers[1]));
  CHECK(hp.missing[1] == 1);
  CHECK(hp.numbers[2] == 100);

  HostTensor m = t.toTensor({"mpg", "cyl"});
  CHECK(m.shape() == std::vector<int64_t>{3, 2});
  CHECK(m.as<float>()[5] == 4.0f);
  CHECK(t.toTensor({"mpg"}, DType::F64, true).shape() == std::vector<int64_t>{3});
  CHECK_THROWS_AS(t.toTensor({"name"}), DataError);
  CHECK_THAT(errorOf<DataError>([&] { t.column("weight"); }),
             Catch::Contains("weight") && Catch::Contains("mpg, cyl, name, hp"));

  CsvOptions drop;
  drop.dropMissingRows = true;
  Table d = loadCsv(f.path, drop);
  CHECK(d.rows == 2);
  CHECK(d.column("mpg").numbers == std::vector<double>{18.0, 16.5});
  CHECK(t.dropMissing({"mpg"}).rows == 3);
}

TEST_CASE("CSV: the UCI auto-mpg.data layout (whitespace, '?' and a tab comment)", "[data][csv]") {
  TempFile f("auto-mpg.data",
             "18.0   8   307.0      130.0      3504.      12.0   70  1\t\"chevrolet chevelle\"\n"
             "25.0   4   98.00      ?          2046.      19.0   71  1\t\"ford pinto\"\n"
             "27.0   4   97.00      88.00      2130.      14.5   70  3\t\"datsun pl510\"\n");
  CsvOptions o;
  o.header = false;
  o.whitespaceSeparated = true;
  o.comment = '\t';
  Table t = loadCsv(f.path, o);
  CHECK(t.rows == 3);
  REQUIRE(t.columns.size() == 8);
  CHECK(t.column("0").numbers[2] == 27.0);
  CHECK(std::isnan(t.column("3").numbers[1]));
  CHECK(t.column("7").numbers == std::vector<double>{1, 1, 3});
  o.dropMissingRows = true;
  CHECK(loadCsv(f.path, o).rows == 2);
}

TEST_CASE("CSV errors name the file and line", "[data][csv]") {
  TempFile ragged("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
  std::string msg = errorOf<DataError>([&] { loadCsv(ragged.path); });
  CHECK_THAT(msg, Catch::Contains(ragged.path + ":3") && Catch::Contains("2 cells") &&
                      Catch::Contains("expected 3"));
  TempFile quote("quote.csv", "a,b\n1,\"open\n2,3\n");
  CHECK_THAT(errorOf<DataError>([&] { loadCsv(quote.path); }),
             Catch::Contains(quote.path + ":2") && Catch::Contains("unterminated"));
  TempFile empty("empty.csv", "");
  CHECK_THAT(errorOf<DataError>([&] { loadCsv(empty.path); }), Catch::Contains("empty"));
  CHECK_THAT(errorOf<DataError>([] { loadCsv("/nonexistent/dir/x.csv"); }),
             Catch::Contains("/nonexistent/dir/x.csv"));
}

TEST_CASE("JSON parser: values, nesting, escapes", "[data][json]") {
  JsonValue v = parseJson(R"( {"a": [1, -2.5e2, 0, true, false, null],
      "s": "x\"y\\z\u00e9\ud83d\ude00\n", "o": {"nested": {"deep": [[]]}}, "e": {}} )");
  REQUIRE(v.isObject());
  const JsonValue &a = *v.find("a");
  REQUIRE(a.size() == 6);
  CHECK(a.items()[1].asNumber() == -250.0);
  CHECK(a.items()[3].asBool());
  CHECK(a.items()[5].isNull());
  CHECK(v.find("s")->asString() == "x\"y\\z\xC3\xA9\xF0\x9F\x98\x80\n");
  CHECK(v.find("o")->find("nested")->find("deep")->items()[0].isArray());
  CHECK(v.find("e")->size() == 0);
  CHECK(v.find("missing") == nullptr);
  CHECK(parseJson("[1.5,\"a\",null,{\"k\":[true]}]").dump() == "[1.5,\"a\",null,{\"k\":[true]}]");
  CHECK(parseJson("\xEF\xBB\xBF 3").asNumber() == 3);
  CHECK_THROWS_AS(v.asNumber(), DataError);
}

TEST_CASE("JSON errors carry line and column", "[data][json]") {
  // nlohmann/json's messages, at the last character the parser read.
  auto err = [](const std::string &text) {
    return errorOf<DataError>([&] { parseJson(text, "t.json"); });
  };
  CHECK_THAT(err("[1, 2,\n  3 4]"),
             Catch::Contains("t.json:2:5") && Catch::Contains("expected ']'"));
  CHECK_THAT(err("{\"a\": 1,\n\n   }"),
             Catch::Contains("t.json:3:4") && Catch::Contains("expected string literal"));
  CHECK_THAT(err("[\"abc"),
             Catch::Contains("t.json:1:6") && Catch::Contains("missing closing quote"));
  CHECK_THAT(err("[tru]"), Catch::Contains("t.json:1:5") && Catch::Contains("invalid literal"));
  CHECK_THAT(err("[01]"), Catch::Contains("t.json:1:3") && Catch::Contains("unexpected number"));
  CHECK_THAT(err("[1] x"),
             Catch::Contains("t.json:1:5") && Catch::Contains("expected end of input"));
  CHECK_THAT(err(""), Catch::Contains("t.json:1:1") && Catch::Contains("end of input"));
  CHECK_THAT(err("[\"\\q\"]"), Catch::Contains("forbidden character after backslash"));
  CHECK_THAT(err("{\"a\" 1}"), Catch::Contains("':'"));
  CHECK_THAT(err(std::string(600, '[') + std::string(600, ']')), Catch::Contains("nesting"));
  TempFile bad("bad.json", "[\n {\"x\": 1},\n {\"x\": }\n]\n");
  CHECK_THAT(errorOf<DataError>([&] { loadJsonRecords(bad.path); }),
             Catch::Contains(bad.path + ":3:8") &&
                 Catch::Contains("expected '[', '{', or a literal"));
  CHECK_THAT(errorOf<DataError>([] { loadJson("/nonexistent/cars.json"); }),
             Catch::Contains("/nonexistent/cars.json"));
}

TEST_CASE("JSON records become columns by key", "[data][json]") {
  TempFile f("records.json", R"([
    {"Name": "a", "mpg": 18, "hp": 130, "Origin": "USA", "flag": true},
    {"Name": "b", "mpg": null, "hp": 165.5, "Origin": "Japan", "tags": [1, 2]},
    {"Name": "c", "mpg": 20, "Origin": "Europe", "flag": false, "extra": 3}
  ])");
  Table t = loadJsonRecords(f.path);
  CHECK(t.rows == 3);
  CHECK(t.names() ==
        std::vector<std::string>{"Name", "mpg", "hp", "Origin", "flag", "tags", "extra"});
  CHECK(t.column("Name").isString);
  CHECK(t.column("mpg").numbers[0] == 18);
  CHECK(std::isnan(t.column("mpg").numbers[1]));
  CHECK(t.column("mpg").missing == std::vector<uint8_t>{0, 1, 0});
  CHECK(std::isnan(t.column("hp").numbers[2])); // absent key
  CHECK(t.column("flag").numbers[0] == 1.0);
  CHECK(t.column("flag").numbers[2] == 0.0);
  CHECK(t.column("tags").isString);
  CHECK(t.column("tags").strings[1] == "[1,2]");
  CHECK(t.column("Origin").strings[2] == "Europe");
  CHECK(t.dropMissing({"mpg", "hp"}).rows == 1);
  CHECK(t.dropMissing().rows == 0);

  TempFile notArray("obj.json", "{\"a\": 1}");
  CHECK_THAT(errorOf<DataError>([&] { loadJsonRecords(notArray.path); }),
             Catch::Contains(notArray.path) && Catch::Contains("array of objects"));
  TempFile notObj("arr.json", "[{\"a\": 1}, 2]");
  CHECK_THAT(errorOf<DataError>([&] { loadJsonRecords(notObj.path); }),
             Catch::Contains("element 1"));
}

TEST_CASE("Auto MPG from a generated cars.json", "[data][autompg]") {
  TempFile f("cars.json", R"([
    {"Name":"a","Miles_per_Gallon":18,"Cylinders":8,"Displacement":307,"Horsepower":130,
     "Weight_in_lbs":3504,"Acceleration":12,"Year":"1970-01-01","Origin":"USA"},
    {"Name":"b","Miles_per_Gallon":null,"Cylinders":4,"Displacement":97,"Horsepower":88,
     "Weight_in_lbs":2130,"Acceleration":14.5,"Year":"1970-01-01","Origin":"Japan"},
    {"Name":"c","Miles_per_Gallon":25,"Cylinders":4,"Displacement":98,"Horsepower":null,
     "Weight_in_lbs":2046,"Acceleration":19,"Year":"1971-01-01","Origin":"Europe"},
    {"Name":"d","Miles_per_Gallon":27,"Cylinders":4,"Displacement":97,"Horsepower":88,
     "Weight_in_lbs":2130,"Acceleration":14.5,"Year":"1982-01-01","Origin":"Japan"}
  ])");
  AutoMpg a = loadAutoMpg(f.path);
  REQUIRE(a.features.shape() == std::vector<int64_t>{2, 9});
  CHECK(a.mpg.shape() == std::vector<int64_t>{2});
  auto x = a.features.as<float>();
  CHECK(std::vector<float>(x.begin(), x.begin() + 9) ==
        std::vector<float>{8, 307, 130, 3504, 12, 70, 1, 0, 0});
  CHECK(std::vector<float>(x.begin() + 9, x.end()) ==
        std::vector<float>{4, 97, 88, 2130, 14.5f, 82, 0, 0, 1});
  CHECK(a.mpg.as<float>()[1] == 27.0f);
  CHECK(a.featureNames.size() == 9);
  CHECK_THAT(errorOf<DataError>([] { loadAutoMpg("/nonexistent/cars.json"); }),
             Catch::Contains("python3-vega-datasets"));
  // A number beyond float32 (or JSON's 1e999, inf) is an error, not a non-finite column.
  for (const char *value : {"1e999", "1e40"}) {
    TempFile bad("bad.json", std::string(R"([
    {"Name":"a","Miles_per_Gallon":18,"Cylinders":8,"Displacement":307,"Horsepower":)") +
                                 value + R"(,
     "Weight_in_lbs":3504,"Acceleration":12,"Year":"1970-01-01","Origin":"USA"}])");
    // 1e999 does not parse as JSON (number overflow, at its line and column); 1e40 parses as a
    // double and is refused as a float32 column.
    CHECK_THAT(errorOf<DataError>([&] { loadAutoMpg(bad.path); }),
               Catch::Contains(bad.path) &&
                   (std::string(value) == "1e999"
                        ? Catch::Contains(":2:89: number overflow parsing '1e999'")
                        : Catch::Contains("Horsepower is not a finite number")));
  }
}

TEST_CASE("Auto MPG: the real cars.json (python3-vega-datasets)", "[data][autompg][real]") {
  // A declared dependency (scripts/install-deps.sh): missing is a failure, never a silent pass.
  if (!fs::exists(kCarsJsonPath))
    FAIL(kCarsJsonPath << " not installed (Debian python3-vega-datasets; scripts/install-deps.sh)");
  Table all = loadJsonRecords(kCarsJsonPath);
  CHECK(all.rows == 406);
  CHECK(all.dropMissing({"Miles_per_Gallon"}).rows == 398);
  CHECK(all.dropMissing().rows == 392);

  AutoMpg a = loadAutoMpg();
  REQUIRE(a.features.shape() == std::vector<int64_t>{392, 9});
  REQUIRE(a.mpg.shape() == std::vector<int64_t>{392});
  // The book's first row (Table 6.1): 18.0 8 307.0 130.0 3504.0 12.0 70 1.
  auto x = a.features.as<float>();
  CHECK(a.mpg.as<float>()[0] == 18.0f);
  CHECK(std::vector<float>(x.begin(), x.begin() + 9) ==
        std::vector<float>{8, 307, 130, 3504, 12, 70, 1, 0, 0});
  // One-hot origin: every row has exactly one 1, and all three occur.
  float usa = 0, europe = 0, japan = 0;
  for (int64_t r = 0; r < 392; ++r) {
    CHECK(x[r * 9 + 6] + x[r * 9 + 7] + x[r * 9 + 8] == 1.0f);
    usa += x[r * 9 + 6];
    europe += x[r * 9 + 7];
    japan += x[r * 9 + 8];
    CHECK(x[r * 9 + 5] >= 70);
    CHECK(x[r * 9 + 5] <= 82);
  }
  CHECK(usa == 245);
  CHECK(europe == 68);
  CHECK(japan == 79);

  // The book's 80/20 split: 314 / 78; normalised with the training statistics.
  TrainTestSplit s = trainTestSplit(a.features, a.mpg, 0.8, 0);
  CHECK(s.xTrain.shape() == std::vector<int64_t>{314, 9});
  CHECK(s.yTrain.shape() == std::vector<int64_t>{314});
  CHECK(s.xTest.shape() == std::vector<int64_t>{78, 9});
  CHECK(s.yTest.shape() == std::vector<int64_t>{78});
  Normalizer norm = Normalizer::fit(s.xTrain);
  HostTensor tn = norm.apply(s.xTrain);
  Normalizer again = Normalizer::fit(tn);
  for (size_t j = 0; j < 9; ++j) {
    CHECK(std::abs(again.mean[j]) < 1e-5);
    CHECK(std::abs(again.std[j] - 1.0) < 1e-5);
  }
  CHECK(norm.mean[3] > 2500); // weight in lbs
  CHECK(norm.apply(s.xTest).shape() == std::vector<int64_t>{78, 9});
  // The book's pipeline: from_tensor_slices(...).shuffle(100).batch(32) -> 10 batches.
  Dataset train = Dataset::fromTensors({tn, s.yTrain}).shuffle(100, 0).batch(32);
  CHECK(train.cardinality() == 10);
  int64_t seen = 0;
  for (auto &b : train) {
    CHECK(b[0].shape()[1] == 9);
    CHECK(b[1].shape().size() == 1); // labels stay [b]
    seen += b[0].shape()[0];
  }
  CHECK(seen == 314);
}

TEST_CASE("Normalizer uses the given statistics", "[data][normalize]") {
  HostTensor x = makeTensor({4, 2}, std::vector<double>{1, 10, 2, 10, 3, 10, 4, 10});
  Normalizer n = Normalizer::fit(x);
  CHECK(n.mean == std::vector<double>{2.5, 10});
  CHECK(n.std[0] == Approx(std::sqrt(5.0 / 3.0))); // ddof 1 as pandas
  CHECK(n.std[1] == 1.0);                          // constant column
  CHECK(Normalizer::fit(x, 0).std[0] == Approx(std::sqrt(1.25)));
  HostTensor y = n.apply(makeTensor({1, 2}, std::vector<double>{2.5, 12}));
  CHECK(y.as<double>()[0] == 0.0);
  CHECK(y.as<double>()[1] == 2.0);
  HostTensor back = n.inverse(y);
  CHECK(back.as<double>()[1] == 12.0);
  CHECK_THROWS_AS(n.apply(makeTensor({1, 3}, std::vector<double>{1, 2, 3})), DataError);
}

TEST_CASE("make_moons: shape, labels, geometry, determinism", "[data][moons]") {
  Moons m = makeMoons(2000, 0.2, 100);
  CHECK(m.x.shape() == std::vector<int64_t>{2000, 2});
  CHECK(m.x.dtype() == DType::F32);
  CHECK(m.y.shape() == std::vector<int64_t>{2000});
  CHECK(m.y.dtype() == DType::I32);
  int ones = 0;
  for (int32_t l : m.y.as<int32_t>()) {
    CHECK((l == 0 || l == 1));
    ones += l;
  }
  CHECK(ones == 1000);

  // Same seed, same data; other seed, other data.
  Moons again = makeMoons(2000, 0.2, 100);
  CHECK(std::equal(m.x.as<float>().begin(), m.x.as<float>().end(), again.x.as<float>().begin()));
  CHECK(std::equal(m.y.as<int32_t>().begin(), m.y.as<int32_t>().end(),
                   again.y.as<int32_t>().begin()));
  Moons other = makeMoons(2000, 0.2, 101);
  CHECK(!std::equal(m.x.as<float>().begin(), m.x.as<float>().end(), other.x.as<float>().begin()));

  // Without noise and shuffling the points lie exactly on sklearn's half circles.
  Moons clean = makeMoons(7, 0.0, 0, /*shuffle=*/false);
  auto c = clean.x.as<float>();
  CHECK(std::vector<int32_t>(clean.y.as<int32_t>().begin(), clean.y.as<int32_t>().end()) ==
        std::vector<int32_t>{0, 0, 0, 1, 1, 1, 1});
  CHECK(c[0] == Approx(1.0f)); // outer t=0: (1, 0)
  CHECK(c[1] == Approx(0.0f).margin(1e-7));
  CHECK(c[4] == Approx(-1.0f));             // outer t=pi: (-1, 0)
  CHECK(c[6] == Approx(0.0f).margin(1e-7)); // inner t=0: (0, 0.5)
  CHECK(c[7] == Approx(0.5f));
  CHECK(c[12] == Approx(2.0f)); // inner t=pi: (2, 0.5)
  CHECK(c[13] == Approx(0.5f));
  for (int i = 0; i < 3; ++i) // outer circle: radius 1 around (0, 0)
    CHECK(c[2 * i] * c[2 * i] + c[2 * i + 1] * c[2 * i + 1] == Approx(1.0f));
  for (int i = 3; i < 7; ++i) // inner circle: radius 1 around (1, 0.5)
    CHECK((c[2 * i] - 1) * (c[2 * i] - 1) + (c[2 * i + 1] - 0.5f) * (c[2 * i + 1] - 0.5f) ==
          Approx(1.0f));

  // The noise has roughly the requested standard deviation: the distance from the clean
  // circle, over many points.
  Moons noisy = makeMoons(20000, 0.1, 5);
  double sum2 = 0;
  auto nx = noisy.x.as<float>();
  auto ny = noisy.y.as<int32_t>();
  for (int64_t i = 0; i < 20000; ++i) {
    double cx = ny[i] ? 1.0 : 0.0, cy = ny[i] ? 0.5 : 0.0;
    double dx = nx[2 * i] - cx, dy = nx[2 * i + 1] - cy;
    double r = std::sqrt(dx * dx + dy * dy) - 1.0;
    sum2 += r * r;
  }
  CHECK(std::sqrt(sum2 / 20000) == Approx(0.1).epsilon(0.1));

  // The chapter 7.9 split: 1400 / 600.
  TrainTestSplit s = trainTestSplit(m.x, m.y, 0.7, 42);
  CHECK(s.xTrain.shape() == std::vector<int64_t>{1400, 2});
  CHECK(s.yTest.shape() == std::vector<int64_t>{600});
  // Pipeline of the moons.
  Dataset ds = Dataset::fromTensors({s.xTrain, s.yTrain}).shuffle(1400, 1).batch(32);
  CHECK(ds.cardinality() == 44);
  CHECK_THROWS_AS(makeMoons(-1, 0.1, 0), DataError);
}
