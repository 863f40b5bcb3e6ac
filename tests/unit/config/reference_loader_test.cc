// administrative_units.yaml: the shipped file (34 units since 1 July 2025, a successor for each
// of the 63 old units), routing of old receiving units, and every problem of a broken file
// reported as file:line:col.
#include "mes/config/reference_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace cardline {
namespace {

std::string referenceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return std::string(dir ? dir : ".") + "/etc/reference";
}

ReferenceData historical() {
  auto loaded = ReferenceData::loadFromDirectory(referenceDir());
  EXPECT_TRUE(loaded.isOk()) << loaded.status().toString();
  return loaded.isOk() ? loaded.value() : ReferenceData();
}

std::string shippedText() {
  std::ifstream in(referenceDir() + "/" + kAdministrativeUnitsFile);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ReferenceLoaderTest, TheShippedFileHasThe34UnitsOfJuly2025) {
  auto loaded = loadReferenceData(referenceDir());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  const ReferenceData& ref = loaded.value();
  const AdministrativeUnits& units = ref.administrativeUnits();
  EXPECT_EQ(units.version, 1);
  EXPECT_EQ(units.effective_from.toString(), "2025-07-01");
  ASSERT_EQ(units.units.size(), 34u);
  int cities = 0;
  for (const AdministrativeUnit& u : units.units) {
    if (u.kind == UnitKind::kCity) {
      ++cities;
      EXPECT_EQ(u.receiving_unit.name, "Công an thành phố " + u.name);
    } else {
      EXPECT_EQ(u.receiving_unit.name, "Công an tỉnh " + u.name);
    }
  }
  EXPECT_EQ(cities, 6);
  EXPECT_EQ(units.successors.size(), 63u);
  EXPECT_EQ(ref.provinces().size(), 63u);  // the birth-registration codes stay
  EXPECT_EQ(ref.currentReceivingUnits().size(), 34u);

  // Yên Bái (015) is part of Lào Cai now, Hậu Giang (093) of Cần Thơ, Bình Dương of Hồ Chí Minh.
  ASSERT_NE(ref.successorOf("PC06-015"), nullptr);
  EXPECT_EQ(ref.successorOf("PC06-015")->name, "Công an tỉnh Lào Cai");
  EXPECT_EQ(ref.successorOf("PC06-093")->code, "CA-092");
  EXPECT_EQ(ref.successorOf("CA-074-01")->name, "Công an thành phố Hồ Chí Minh");
  EXPECT_EQ(ref.successorOf("CA-010"), nullptr);    // current
  EXPECT_EQ(ref.successorOf("PC06-999"), nullptr);  // unknown
  EXPECT_EQ(ref.receivingUnit("CA-010")->name, "Công an tỉnh Lào Cai");
  EXPECT_EQ(ref.administrativeUnit("037")->addressName(), "tỉnh Ninh Bình");
  EXPECT_EQ(ref.administrativeUnit("046")->addressName(), "thành phố Huế");
  EXPECT_EQ(ref.predecessorsOf("037"), (std::vector<std::string>{"035", "036", "037"}));
  EXPECT_TRUE(checkReferenceData(referenceDir()).empty());
}

// Replaces the first occurrence of `from` in the shipped text.
std::string edited(const std::string& from, const std::string& to) {
  std::string text = shippedText();
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The line of the shipped text that contains `needle` (1-based).
int lineOf(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  return at == std::string::npos
             ? -1
             : 1 + static_cast<int>(
                       std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

TEST(ReferenceLoaderTest, EveryProblemIsReportedWithItsPosition) {
  const ReferenceData old = historical();
  // A successor to a unit that does not exist, and a wrong old name: both on their lines.
  std::string text = edited("{from: \"015\", name: Yên Bái, to: \"010\"}",
                            "{from: \"015\", name: Yen Bai, to: \"999\"}");
  AdministrativeUnitsLoadResult r = parseAdministrativeUnitsText(text, "units.yaml", old);
  ASSERT_EQ(r.problems.size(), 2u);
  const int line = lineOf(text, "Yen Bai");
  for (const ConfigProblem& p : r.problems) {
    EXPECT_EQ(p.file, "units.yaml");
    EXPECT_EQ(p.line, line) << p.toString();
    EXPECT_EQ(p.col, 5) << p.toString();
  }
  EXPECT_EQ(r.problems[0].toString(),
            "units.yaml:" + std::to_string(line) + ":5: old unit 015 is 'Yên Bái', not 'Yen Bai'");

  // A dropped successor: the old unit has none (a problem of the whole file).
  text = edited("  - {from: \"093\", name: Hậu Giang, to: \"092\"}\n", "");
  r = parseAdministrativeUnitsText(text, "units.yaml", old);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].message, "old unit 093 (Hậu Giang) has no successor");

  // Types, kinds, unknown and missing keys, a bad date.
  text = edited("kind: city", "kind: town");
  text.replace(text.find("effective_from: 2025-07-01"), 26, "effective_from: 2025-13-01");
  text.replace(text.find("    name: Cao Bằng"), 18, "    title: Cao Bằng");
  r = parseAdministrativeUnitsText(text, "units.yaml", old);
  ASSERT_EQ(r.problems.size(), 4u);
  for (const ConfigProblem& p : r.problems) EXPECT_GT(p.line, 0) << p.toString();
  EXPECT_EQ(r.problems[0].line, lineOf(text, "effective_from"));
  EXPECT_NE(r.problems[1].message.find("kind must be province or city"), std::string::npos);
  EXPECT_EQ(r.problems[2].message, "units[1]: unknown key 'title'");
  EXPECT_EQ(r.problems[3].message, "units[1]: missing key 'name'");

  // A YAML syntax error.
  r = parseAdministrativeUnitsText("version: [1\n", "units.yaml", old);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].message.find("YAML syntax"), std::string::npos);
  EXPECT_GT(r.problems[0].line, 0);

  // loadReferenceData refuses a broken folder, naming the file.
  EXPECT_EQ(loadReferenceData("/nonexistent").status().code(), ErrorCode::kNotFound);
}

TEST(ReferenceLoaderTest, DuplicateUnitsAndReceivingUnitsAreRefused) {
  const ReferenceData old = historical();
  std::string text = edited("code: CA-004", "code: CA-001");
  AdministrativeUnitsLoadResult r = parseAdministrativeUnitsText(text, "u.yaml", old);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].message, "duplicate receiving unit code CA-001");
  EXPECT_EQ(r.problems[0].line, lineOf(text, "code: \"004\"")) << r.problems[0].toString();
  text = edited("code: CA-004", "code: CA-001-01");
  r = parseAdministrativeUnitsText(text, "u.yaml", old);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].message, "receiving unit CA-001-01 is also a unit before 1 July 2025");
}

}  // namespace
}  // namespace cardline
