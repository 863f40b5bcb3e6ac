#include "mes/document/lds.h"

#include <gtest/gtest.h>

#include <random>

#include "mes/document/tlv.h"
#include "tests/unit/document/test_support.h"

namespace cardline {
namespace {

MrzText domainMrz() {
  return MrzText{"IDVNM0990123459001099012345<<0", "9903159M2403155VNM<<<<<<<<<<<2",
                 "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"};
}

TEST(LdsTest, EfComGoldenBytes) {
  EfCom com;
  com.tag_list = {kTagDg1, kTagDg2, kTagDg13};
  const Bytes file = buildEfCom(com);
  EXPECT_EQ(hexEncode(file), "60155f0104303130375f36063034303030305c0361756d");
  Result<EfCom> parsed = parseEfCom(file);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_EQ(parsed->lds_version, "0107");
  EXPECT_EQ(parsed->unicode_version, "040000");
  EXPECT_EQ(parsed->tag_list, com.tag_list);
}

TEST(LdsTest, Dg1HoldsTheMrzIn5F1F) {
  const Bytes file = buildDg1(domainMrz());
  EXPECT_EQ(hexEncode(Bytes(file.begin(), file.begin() + 5)), "615d5f1f5a");
  EXPECT_EQ(file.size(), 2u + 3u + 90u);
  Result<MrzText> mrz = parseDg1(file);
  ASSERT_TRUE(mrz.isOk());
  EXPECT_EQ(mrz->joined(), domainMrz().joined());
}

TEST(LdsTest, Dg2HoldsTheJpegFixture) {
  const Bytes jpeg = testing::readFixture("face.jpg");
  ASSERT_GT(jpeg.size(), 100u) << "tests/data/document/face.jpg missing";
  Result<Bytes> file = buildDg2(jpeg);
  ASSERT_TRUE(file.isOk()) << file.status().toString();
  EXPECT_EQ((*file)[0], 0x75);
  Result<Tlv> outer = decodeSingleTlv(*file);
  ASSERT_TRUE(outer.isOk());
  Result<Tlv> group = findChild(*outer, 0x7F61);
  ASSERT_TRUE(group.isOk());
  EXPECT_EQ(findChild(*group, 0x02).value().value, Bytes{0x01});
  Result<Bytes> back = parseDg2(*file);
  ASSERT_TRUE(back.isOk());
  EXPECT_EQ(*back, jpeg);
  EXPECT_FALSE(buildDg2(toBytes("PNG not JPEG")).isOk());
}

NationalData sampleNationalData() {
  Application a;
  a.personal_number = "001099012345";
  a.issue_date = Date{2021, 7, 1};
  a.person.full_name = "Nguy\xE1\xBB\x85n V\xC4\x83n A";
  a.person.date_of_birth = Date{1999, 3, 15};
  a.person.sex = Sex::kMale;
  a.person.nationality = "VNM";
  a.person.ethnicity = "Kinh";
  a.person.religion = "Kh\xC3\xB4ng";
  a.person.place_of_origin = "H\xC3\xA0 N\xE1\xBB\x99i";
  a.person.place_of_residence = "S\xE1\xBB\x91 1, Hu\xE1\xBA\xBF";
  a.person.identifying_marks = "N\xE1\xBB\x91t ru\xE1\xBB\x93i";
  a.person.father_name = "Nguy\xE1\xBB\x85n V\xC4\x83n B";
  a.person.old_id_number = "191234567";
  return nationalDataFor(a, Date{2024, 3, 15});
}

TEST(LdsTest, Dg13RoundTripsUtf8Fields) {
  const NationalData data = sampleNationalData();
  EXPECT_EQ(data.date_of_birth, "15/03/1999");
  EXPECT_EQ(data.expiry_date, "15/03/2024");
  EXPECT_EQ(data.sex, "Nam");
  const Bytes file = buildDg13(data);
  EXPECT_EQ(file[0], 0x6D);
  Result<NationalData> parsed = parseDg13(file);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_TRUE(*parsed == data);
  EXPECT_EQ(parsed->place_of_residence, "S\xE1\xBB\x91 1, Hu\xE1\xBA\xBF");
}

TEST(LdsTest, Dg13NoExpiryText) {
  Application a;
  a.personal_number = "001060012345";
  a.person.full_name = "L\xC3\xAA Th\xE1\xBB\x8B D";
  const NationalData data = nationalDataFor(a, std::nullopt);
  EXPECT_EQ(data.expiry_date, "Kh\xC3\xB4ng th\xE1\xBB\x9Di h\xE1\xBA\xA1n");
  EXPECT_EQ(parseDg13(buildDg13(data)).value().expiry_date, kNoExpiryText);
}

TEST(LdsTest, ParsersRejectWrongFiles) {
  const Bytes dg1 = buildDg1(domainMrz());
  EXPECT_FALSE(parseEfCom(dg1).isOk());
  EXPECT_FALSE(parseDg13(dg1).isOk());
  EXPECT_FALSE(parseDg2(dg1).isOk());
  EXPECT_FALSE(parseDg1(encodeConstructed(0x61, {encodeTlv(0x5F1F, toBytes("SHORT"))})).isOk());
  EXPECT_FALSE(parseDg1(encodeConstructed(0x61, {encodeTlv(0x5F20, Bytes(90, 'A'))})).isOk());
  Bytes truncated = buildDg13(sampleNationalData());
  truncated.pop_back();
  EXPECT_FALSE(parseDg13(truncated).isOk());
  // Wrong layout version.
  EXPECT_FALSE(parseDg13(encodeConstructed(0x6D, {encodeTlv(0x02, {0x02})})).isOk());
  // Element that is not SEQUENCE { INTEGER, UTF8String }.
  EXPECT_FALSE(parseDg13(encodeConstructed(
                             0x6D, {encodeTlv(0x02, {0x01}),
                                    encodeConstructed(0x30, {encodeTlv(0x02, {0x01})})}))
                   .isOk());
}

// Every single-byte corruption of valid files is either parsed or rejected with an error; run
// under CARDLINE_SANITIZE=ON this also shows the parsers never read out of bounds.
TEST(LdsTest, CorruptedFilesNeverCrashTheParsers) {
  const Bytes files[] = {buildEfCom(EfCom{"0107", "040000", {0x61, 0x75, 0x6D}}),
                         buildDg1(domainMrz()), buildDg13(sampleNationalData()),
                         buildDg2(Bytes{0xFF, 0xD8, 0x01, 0x02}).value()};
  std::mt19937 random(20260101);  // fixed seed: the same inputs on every run
  int rejected = 0;
  for (const Bytes& file : files) {
    for (std::size_t i = 0; i < file.size(); ++i) {
      for (int round = 0; round < 4; ++round) {
        Bytes corrupt = file;
        corrupt[i] = static_cast<std::uint8_t>(random());
        const bool all_ok = parseEfCom(corrupt).isOk() && parseDg1(corrupt).isOk() &&
                            parseDg2(corrupt).isOk() && parseDg13(corrupt).isOk();
        if (!all_ok) ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace cardline
