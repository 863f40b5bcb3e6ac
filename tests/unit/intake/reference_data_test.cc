#include "mes/intake/reference_data.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "mes/intake/text.h"
#include "tests/unit/intake/test_paths.h"

namespace cardline {
namespace {

TEST(ReferenceDataTest, ShippedFilesHaveThe63ProvincesAndAUnitForEach) {
  auto loaded = ReferenceData::loadFromDirectory(testing::referenceDir());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  const ReferenceData& ref = loaded.value();
  EXPECT_EQ(ref.provinces().size(), 63u);
  ASSERT_NE(ref.province("001"), nullptr);
  EXPECT_EQ(ref.province("001")->name, "Hà Nội");
  EXPECT_EQ(ref.province("079")->name, "Hồ Chí Minh");
  EXPECT_EQ(ref.province("096")->name, "Cà Mau");
  EXPECT_EQ(ref.province("003"), nullptr);
  std::set<std::string> served;
  for (const auto& unit : ref.receivingUnits()) {
    served.insert(unit.province_code);
    EXPECT_EQ(toNfc(unit.name).value(), unit.name);
  }
  for (const auto& p : ref.provinces()) EXPECT_TRUE(served.count(p.code)) << p.code;
  ASSERT_NE(ref.receivingUnit("PC06-001"), nullptr);
}

TEST(ReferenceDataTest, MalformedFilesNameFileAndLine) {
  std::string dir = ::testing::TempDir();
  std::string provinces = dir + "/intake_ref_provinces.csv";
  std::string units = dir + "/intake_ref_units.csv";
  std::ofstream(provinces) << "code,name\n001,Hà Nội\n01,Bad\n";
  std::ofstream(units) << "code,name,province_code\nU1,Unit,001\n";
  auto r = ReferenceData::load(provinces, units);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().message(), provinces + ":3: province code must be 3 digits");

  std::ofstream(provinces) << "code,name\n001,Hà Nội\n";
  std::ofstream(units) << "code,name,province_code\nU1,Unit,001\nU2,Other,002\n";
  r = ReferenceData::load(provinces, units);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().message(), units + ":3: unknown province code 002");

  std::ofstream(units) << "code,title,province_code\n";
  r = ReferenceData::load(provinces, units);
  EXPECT_EQ(r.status().message(), units + ":1: header must be code,name,province_code");

  EXPECT_EQ(ReferenceData::load(dir + "/missing.csv", units).status().code(), ErrorCode::kNotFound);
  std::remove(provinces.c_str());
  std::remove(units.c_str());
}

}  // namespace
}  // namespace cardline
