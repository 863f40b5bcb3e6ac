#include "mes/intake/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "mes/config/reference_loader.h"
#include "mes/intake/record_reader.h"
#include "mes/intake/validation.h"
#include "tests/unit/intake/test_paths.h"

namespace cardline {
namespace {

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = loadReferenceData(testing::referenceDir());
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    reference_ = loaded.value();
    validation_.now = FakeClock(Timestamp::fromSeconds(1768521600)).now();  // 2026-01-16Z
  }

  std::string generate(const GenerateOptions& options, GenerateStats* stats = nullptr) {
    std::ostringstream out;
    auto result = generateApplications(options, reference_, out);
    EXPECT_TRUE(result.isOk()) << result.status().toString();
    if (stats && result.isOk()) *stats = result.value();
    return out.str();
  }

  std::vector<ValidatedRecord> validateAll(const std::string& text, InputFormat format) {
    std::istringstream in(text);
    auto reader = makeRecordReader(format, in, ReaderOptions{});
    std::vector<ValidatedRecord> out;
    while (auto r = reader->next()) out.push_back(validateRecord(*r, reference_, validation_));
    return out;
  }

  ReferenceData reference_;
  ValidationOptions validation_;
};

// Records are approved on their issue date at office hours (+07:00); generating "now" must not
// put an approval in the future, which intake rejects (`cardline bench` once failed on one).
TEST(LatestPastOfficeDay, NoApprovalOfThatDayLiesAfterNowAndTheNextDayWouldHaveOne) {
  const Timestamp midnight = Timestamp::fromSeconds(1768435200);  // 2026-01-15T00:00:00Z
  for (int minutes = 0; minutes < 2 * 24 * 60; minutes += 7) {
    const Timestamp now = midnight.plusSeconds(minutes * 60LL);
    const Date day = latestPastOfficeDay(now);
    auto last = parseIsoTimestamp(day.toString() + "T16:59:59+07:00");
    ASSERT_TRUE(last.isOk());
    EXPECT_LE(last->micros, now.micros) << formatIsoTimestamp(now);
    // The next day is not safe yet: its last approval is still to come.
    const Date next = utcDate(now.plusSeconds(-10 * 3600 + 24 * 3600));
    auto next_last = parseIsoTimestamp(next.toString() + "T16:59:59+07:00");
    ASSERT_TRUE(next_last.isOk());
    EXPECT_GT(next_last->micros, now.micros) << formatIsoTimestamp(now);
  }
}

TEST_F(GeneratorTest, IsDeterministicForASeed) {
  GenerateOptions options;
  options.count = 40;
  options.seed = 7;
  EXPECT_EQ(generate(options), generate(options));
  GenerateOptions other = options;
  other.seed = 8;
  EXPECT_NE(generate(options), generate(other));
}

TEST_F(GeneratorTest, EveryGeneratedRecordIsValidAndTheMixIsRealistic) {
  GenerateOptions options;
  options.count = 600;
  options.seed = 42;
  auto records = validateAll(generate(options), InputFormat::kJsonLines);
  ASSERT_EQ(records.size(), 600u);
  std::set<std::string> provinces, numbers;
  int with_diacritics = 0, model_2021 = 0, model_2024 = 0, urgent = 0, female = 0, children = 0,
      old = 0;
  for (const auto& r : records) {
    for (const auto& p : r.problems) {
      ADD_FAILURE() << "line " << r.line << " " << r.application_id << " " << p.field << ": "
                    << p.message;
    }
    if (!r.application) continue;
    const Application& a = *r.application;
    provinces.insert(a.personal_number.substr(0, 3));
    numbers.insert(a.personal_number);
    (a.card_model == CardModel::kCccd2021 ? model_2021 : model_2024)++;
    if (a.priority == Priority::kUrgent) ++urgent;
    if (a.person.sex == Sex::kFemale) ++female;
    int age = yearsBetween(a.person.date_of_birth, a.issue_date);
    if (age < 14) ++children;
    if (age >= 60) ++old;
    bool diacritics = std::any_of(a.person.full_name.begin(), a.person.full_name.end(),
                                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (diacritics) ++with_diacritics;
  }
  EXPECT_GT(with_diacritics, 500);
  EXPECT_EQ(numbers.size(), 600u);  // no personal number twice
  EXPECT_GT(provinces.size(), 55u);
  EXPECT_GT(model_2021, 30);
  EXPECT_GT(model_2024, model_2021);
  EXPECT_GT(urgent, 10);
  EXPECT_LT(urgent, 60);
  EXPECT_GT(female, 200);
  EXPECT_GT(children, 0);
  EXPECT_GT(old, 20);
}

// Since 1 July 2025: applications go to the 34 units as they are now, addresses are two-level
// (commune or ward, then province or city) with current names, and the birth-registration code
// of the personal number is one of the 63 old units.
TEST_F(GeneratorTest, UnitsAndAddressesAreTheCurrentOnes) {
  GenerateOptions options;
  options.count = 300;
  options.seed = 9;
  auto records = validateAll(generate(options), InputFormat::kJsonLines);
  ASSERT_EQ(records.size(), 300u);
  std::set<std::string> units;
  for (const auto& r : records) {
    ASSERT_TRUE(r.application) << r.application_id;
    EXPECT_FALSE(r.routed_from) << r.application_id;
    const Application& a = *r.application;
    const ReceivingUnitInfo* unit = reference_.receivingUnit(a.receiving_unit.code);
    ASSERT_NE(unit, nullptr);
    const AdministrativeUnit* now = reference_.administrativeUnit(unit->province_code);
    ASSERT_NE(now, nullptr) << a.receiving_unit.code << " is not a unit since July 2025";
    units.insert(now->code);
    const std::string& residence = a.person.place_of_residence;
    const std::string tail = ", " + now->addressName();
    ASSERT_GT(residence.size(), tail.size());
    EXPECT_EQ(residence.substr(residence.size() - tail.size()), tail) << residence;
    EXPECT_NE(residence.find(", Phường "), std::string::npos) << residence;
    EXPECT_NE(reference_.province(a.personal_number.substr(0, 3)), nullptr);
    for (const char* gone : {"Yên Bái", "Hậu Giang", "Bình Dương", "Quảng Nam", "Hà Giang"}) {
      EXPECT_EQ(residence.find(gone), std::string::npos) << residence;
      EXPECT_EQ(a.person.place_of_origin.find(gone), std::string::npos);
      EXPECT_EQ(a.person.place_of_birth_registration.find(gone), std::string::npos);
    }
  }
  EXPECT_GT(units.size(), 30u);
}

TEST_F(GeneratorTest, CsvOutputReadsBackToTheSameApplications) {
  GenerateOptions options;
  options.count = 30;
  options.seed = 3;
  auto jsonl = validateAll(generate(options), InputFormat::kJsonLines);
  options.format = InputFormat::kCsv;
  auto csv = validateAll(generate(options), InputFormat::kCsv);
  ASSERT_EQ(jsonl.size(), csv.size());
  for (std::size_t i = 0; i < csv.size(); ++i) {
    ASSERT_TRUE(jsonl[i].application && csv[i].application) << i;
    EXPECT_EQ(jsonl[i].application->content_hash, csv[i].application->content_hash);
  }
}

TEST_F(GeneratorTest, InvalidRecordsAreRejectedWithTheDocumentedProblem) {
  GenerateOptions options;
  options.count = 300;
  options.seed = 11;
  options.invalid_share = 1.0;
  GenerateStats stats;
  auto records = validateAll(generate(options, &stats), InputFormat::kJsonLines);
  EXPECT_EQ(stats.invalid, 300);
  for (int k = 0; k < kInvalidKindCount; ++k) EXPECT_GT(stats.per_kind[k], 0) << k;
  std::map<std::string, int> fields;
  for (const auto& r : records) {
    EXPECT_FALSE(r.application) << r.application_id;
    ASSERT_FALSE(r.problems.empty());
    fields[r.problems[0].field]++;
  }
  // The defects land on the documented fields.
  EXPECT_GT(fields["personal_number"], 0);
  EXPECT_GT(fields["date_of_birth"], 0);
  EXPECT_GT(fields["full_name"], 0);
  EXPECT_GT(fields["photo"], 0);
  EXPECT_GT(fields["receiving_unit.code"], 0);
  EXPECT_GT(fields["issue_date"], 0);
}

TEST_F(GeneratorTest, ShareOfInvalidRecordsFollowsTheOption) {
  GenerateOptions options;
  options.count = 400;
  options.seed = 5;
  options.invalid_share = 0.25;
  GenerateStats stats;
  auto records = validateAll(generate(options, &stats), InputFormat::kJsonLines);
  int rejected = 0;
  for (const auto& r : records) rejected += r.application ? 0 : 1;
  EXPECT_EQ(rejected, stats.invalid);
  EXPECT_GT(stats.invalid, 60);
  EXPECT_LT(stats.invalid, 140);
}

TEST_F(GeneratorTest, RejectsBadOptions) {
  GenerateOptions options;
  options.invalid_share = 1.5;
  std::ostringstream out;
  EXPECT_EQ(generateApplications(options, reference_, out).status().code(),
            ErrorCode::kInvalidArgument);
  options.invalid_share = 0;
  options.count = -1;
  EXPECT_EQ(generateApplications(options, reference_, out).status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardline
