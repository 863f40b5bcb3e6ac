#include "mes/intake/validation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "mes/base/date.h"
#include "mes/intake/record_reader.h"
#include "mes/intake/text.h"
#include "tests/unit/intake/test_paths.h"

namespace cardline {
namespace {

using testing::intakeDataDir;
using testing::referenceDir;

class ValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = ReferenceData::loadFromDirectory(referenceDir());
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    reference_ = loaded.value();
    options_.image_directory = intakeDataDir();
    options_.now = FakeClock().now();  // 2026-01-01T00:00:00Z
  }

  std::vector<ValidatedRecord> validateFile(const std::string& name) {
    std::string path = intakeDataDir() + "/" + name;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    auto reader = makeRecordReader(formatForPath(path).value(), in, ReaderOptions{});
    std::vector<ValidatedRecord> out;
    while (auto record = reader->next())
      out.push_back(validateRecord(*record, reference_, options_));
    return out;
  }

  ReferenceData reference_;
  ValidationOptions options_;
};

void expectAllValid(const std::vector<ValidatedRecord>& records) {
  for (const auto& r : records) {
    EXPECT_TRUE(r.application.has_value()) << "line " << r.line;
    for (const auto& p : r.problems) {
      ADD_FAILURE() << "line " << r.line << " " << p.field << ": " << p.message;
    }
  }
}

TEST_F(ValidationTest, ValidCorpusIsAcceptedAsJsonLinesAndAsCsv) {
  auto jsonl = validateFile("valid.jsonl");
  auto csv = validateFile("valid.csv");
  ASSERT_EQ(jsonl.size(), 6u);
  ASSERT_EQ(csv.size(), 6u);
  expectAllValid(jsonl);
  expectAllValid(csv);
  for (std::size_t i = 0; i < jsonl.size(); ++i) {
    ASSERT_TRUE(jsonl[i].application && csv[i].application);
    // The same content read from either format hashes the same.
    EXPECT_EQ(jsonl[i].application->content_hash, csv[i].application->content_hash) << i;
    EXPECT_EQ(csv[i].line, static_cast<std::int64_t>(i) + 2);  // after the header
  }
}

TEST_F(ValidationTest, MapsARecordToAnApplication) {
  auto records = validateFile("valid.jsonl");
  ASSERT_TRUE(records[0].application);
  const Application& a = *records[0].application;
  EXPECT_EQ(a.id, "V-0001");
  EXPECT_EQ(a.card_model, CardModel::kCccd2021);
  EXPECT_EQ(a.request_type, RequestType::kRenewal);
  EXPECT_EQ(a.personal_number, "001090123456");
  EXPECT_EQ(a.person.full_name, "Nguyễn Văn An");
  EXPECT_EQ(a.person.date_of_birth, (Date{1990, 5, 17}));
  EXPECT_EQ(a.person.sex, Sex::kMale);
  EXPECT_EQ(a.issue_date, (Date{2024, 3, 1}));
  EXPECT_EQ(formatIsoTimestamp(a.approved_at), "2024-03-01T02:30:00.000000Z");
  EXPECT_EQ(a.person.photo.format, "jpeg");
  EXPECT_FALSE(a.person.photo.data.empty());
  ASSERT_TRUE(a.person.fingerprint_left_index);
  EXPECT_EQ(a.receiving_unit.code, "PC06-001");
  EXPECT_EQ(a.content_hash.size(), 64u);
  EXPECT_EQ(a.content_hash, intakeContentHash(a));

  const Application& urgent = *records[1].application;
  EXPECT_EQ(urgent.priority, Priority::kUrgent);
  EXPECT_EQ(urgent.card_model, CardModel::kCanCuoc2024);
  EXPECT_EQ(urgent.person.mother_name, "Lê Thị Mai");
  EXPECT_FALSE(urgent.person.fingerprint_left_index);

  // Decomposed input comes out NFC.
  const Application& nfd = *records[2].application;
  EXPECT_EQ(nfd.person.full_name, "Phạm Thị Ánh Nguyệt");
  EXPECT_EQ(nfd.person.place_of_residence, "Số 7 Điện Biên Phủ, Đà Nẵng");

  // A 3-year-old on the 2024 model needs no photo.
  EXPECT_TRUE(records[4].application->person.photo.data.empty());
}

TEST_F(ValidationTest, ContentHashChangesWithContent) {
  auto records = validateFile("valid.jsonl");
  Application a = *records[0].application;
  std::string before = intakeContentHash(a);
  a.person.place_of_residence += " ";
  EXPECT_NE(intakeContentHash(a), before);
}

// Every problem of every line of broken.jsonl, exactly as broken.expected.tsv lists them.
TEST_F(ValidationTest, BrokenCorpusReportsEveryProblemWithFieldAndMessage) {
  std::map<std::int64_t, std::vector<std::pair<std::string, std::string>>> expected;
  std::ifstream tsv(intakeDataDir() + "/broken.expected.tsv");
  ASSERT_TRUE(tsv);
  std::string row;
  while (std::getline(tsv, row)) {
    if (row.empty() || row[0] == '#') continue;
    auto tab1 = row.find('\t');
    auto tab2 = row.find('\t', tab1 + 1);
    std::string field = row.substr(tab1 + 1, tab2 - tab1 - 1);
    expected[std::stoll(row.substr(0, tab1))].emplace_back(field == "-" ? "" : field,
                                                           row.substr(tab2 + 1));
  }
  auto records = validateFile("broken.jsonl");
  ASSERT_EQ(records.size(), expected.size());
  for (const auto& r : records) {
    SCOPED_TRACE("broken.jsonl:" + std::to_string(r.line) + " " + r.application_id);
    EXPECT_FALSE(r.application.has_value());
    auto want = expected[r.line];
    ASSERT_FALSE(want.empty());
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& p : r.problems) {
      EXPECT_EQ(p.line, r.line);
      got.emplace_back(p.field, p.message);
    }
    ASSERT_EQ(got.size(), want.size()) << [&] {
      std::string s;
      for (auto& g : got) s += "\n  got " + g.first + ": " + g.second;
      return s;
    }();
    for (const auto& w : want) {
      bool prefix = !w.second.empty() && w.second.back() == '*';
      std::string text = prefix ? w.second.substr(0, w.second.size() - 1) : w.second;
      bool found = false;
      for (const auto& g : got) {
        if (g.first == w.first && (prefix ? g.second.rfind(text, 0) == 0 : g.second == text)) {
          found = true;
        }
      }
      EXPECT_TRUE(found) << "missing " << w.first << ": " << w.second << [&] {
        std::string s;
        for (auto& g : got) s += "\n  got " + g.first + ": " + g.second;
        return s;
      }();
    }
  }
}

TEST_F(ValidationTest, ProblemsCarryTheApplicationId) {
  RawRecord record;
  record.line = 7;
  record.fields["application_id"] = "X-1";
  auto result = validateRecord(record, reference_, options_);
  ASSERT_FALSE(result.problems.empty());
  for (const auto& p : result.problems) {
    EXPECT_EQ(p.application_id, "X-1");
    EXPECT_EQ(p.line, 7);
  }
}

TEST_F(ValidationTest, PathsAreRefusedWithoutAnImageDirectory) {
  auto json = validateFile("valid.jsonl");
  std::ifstream in(intakeDataDir() + "/valid.jsonl");
  std::string first;
  std::getline(in, first);
  RawRecord record = parseJsonRecord(first, 0);
  options_.image_directory.reset();
  auto result = validateRecord(record, reference_, options_);
  ASSERT_FALSE(result.problems.empty());
  EXPECT_EQ(result.problems[0].field, "photo.path");
  EXPECT_EQ(result.problems[0].message, "is not accepted here; send the image as data");
}

TEST_F(ValidationTest, TheFitCheckRunsOnOtherwiseValidRecordsAndItsProblemsReject) {
  std::vector<std::string> checked;
  options_.fit_check = [&checked](const Application& a) {
    checked.push_back(a.id);
    std::vector<Problem> problems;
    if (a.card_model == CardModel::kCanCuoc2024) {
      problems.push_back({0, "", "place_of_residence", "does not fit its box"});
    }
    return problems;
  };
  auto records = validateFile("valid.jsonl");
  ASSERT_GE(records.size(), 2u);
  // Seen with the full application (after NFC and the other rules).
  EXPECT_EQ(checked.size(), records.size());
  EXPECT_TRUE(records[0].application);  // 2021 model: fits
  EXPECT_FALSE(records[1].application);
  ASSERT_EQ(records[1].problems.size(), 1u);
  EXPECT_EQ(records[1].problems[0].field, "place_of_residence");
  EXPECT_EQ(records[1].problems[0].message, "does not fit its box");
  EXPECT_EQ(records[1].problems[0].application_id, records[1].application_id);
  EXPECT_GT(records[1].problems[0].line, 0);

  // A record with other problems is not fit-checked.
  checked.clear();
  options_.limits.name = 3;
  validateFile("valid.jsonl");
  EXPECT_TRUE(checked.empty());
}

TEST_F(ValidationTest, LimitsAreOptions) {
  options_.limits.name = 10;
  auto records = validateFile("valid.jsonl");
  ASSERT_FALSE(records[1].problems.empty());  // "Trần Thị Thu Hương" is 18 characters
  EXPECT_EQ(records[1].problems[0].message, "is 18 characters long; at most 10 fit on the card");
}

}  // namespace
}  // namespace cardline

namespace cardline {
namespace {

TEST(ValidationCsvTest, InvalidUtf8InACsvFieldIsReportedOnThatField) {
  auto reference = ReferenceData::loadFromDirectory(testing::referenceDir());
  ASSERT_TRUE(reference.isOk());
  std::istringstream in("application_id,full_name,ethnicity\nC-1,Nguy\xE1\xBB,Kinh\n");
  auto reader = makeCsvReader(in, ReaderOptions{});
  auto record = reader->next();
  ASSERT_TRUE(record);
  ValidationOptions options;
  options.now = FakeClock().now();
  auto result = validateRecord(*record, reference.value(), options);
  bool found = false;
  for (const auto& p : result.problems) {
    if (p.field == "full_name") {
      EXPECT_EQ(p.message, "is not valid UTF-8 at byte 4");
      found = true;
    }
    EXPECT_NE(p.field, "ethnicity");
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace cardline
