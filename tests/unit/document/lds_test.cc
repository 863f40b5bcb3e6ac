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
  a.person.mother_name = "Tr\xE1\xBA\xA7n Th\xE1\xBB\x8B C";
  a.person.old_id_number = "191234567";
  return nationalDataFor(a, Date{2024, 3, 15});
}

// The texts of DG13 field `number` as a reader of real cards finds them: the SEQUENCE whose
// INTEGER is the number, then its strings in order.
std::vector<std::string> dg13Texts(const Bytes& file, int number) {
  std::vector<std::string> out;
  Result<Tlv> dg13 = decodeSingleTlv(file);
  if (!dg13.isOk()) return out;
  Result<std::vector<Tlv>> elements = decodeTlvSequence(dg13.value().value);
  if (!elements.isOk()) return out;
  for (const Tlv& element : elements.value()) {
    Result<std::vector<Tlv>> parts = decodeTlvSequence(element.value);
    if (!parts.isOk() || parts.value().empty()) continue;
    const std::vector<Tlv>& p = parts.value();
    if (p[0].tag != 0x02 || p[0].value != Bytes{static_cast<std::uint8_t>(number)}) continue;
    for (std::size_t i = 1; i < p.size(); ++i) out.push_back(toString(p[i].value));
  }
  return out;
}

// The field numbers of DG13 in file order.
std::vector<int> dg13Numbers(const Bytes& file) {
  std::vector<int> out;
  for (int n = 0; n < 256; ++n) {
    if (!dg13Texts(file, n).empty()) out.push_back(n);
  }
  return out;
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

TEST(LdsTest, Dg13HasTheLayoutPublicReadersParse) {
  const Bytes file = buildDg13(sampleNationalData());
  // 6D { 30 { 02 01 01, 0C "001099012345" }, ... }: no header element before field 1.
  const Bytes value = decodeSingleTlv(file).value().value;
  ASSERT_GE(value.size(), 19u);
  EXPECT_EQ(hexEncode(Bytes(value.begin(), value.begin() + 19)),
            "3011020101"
            "0c0c303031303939303132333435");
  EXPECT_EQ(dg13Texts(file, 1), std::vector<std::string>{"001099012345"});
  EXPECT_EQ(dg13Texts(file, 8), std::vector<std::string>{"H\xC3\xA0 N\xE1\xBB\x99i"});
  // 13: father, then mother, in one field.
  EXPECT_EQ(dg13Texts(file, 13), (std::vector<std::string>{"Nguy\xE1\xBB\x85n V\xC4\x83n B",
                                                           "Tr\xE1\xBA\xA7n Th\xE1\xBB\x8B C"}));
  EXPECT_EQ(dg13Texts(file, 16), std::vector<std::string>{"191234567"});
  EXPECT_TRUE(dg13Texts(file, 14).empty());
  EXPECT_TRUE(dg13Texts(file, 15).empty());
  EXPECT_EQ(dg13Numbers(file), (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16}));
}

TEST(LdsTest, Dg13Field8IsTheModelsPlaceLine) {
  Application a;
  a.personal_number = "079205001234";
  a.card_model = CardModel::kCanCuoc2024;
  a.person.place_of_origin = "ignored on the 2024 model";
  a.person.place_of_birth_registration =
      "Ph\xC6\xB0\xE1\xBB\x9Dng S\xC3\xA0i G\xC3\xB2n, TP. H\xE1\xBB\x93 Ch\xC3\xAD Minh";
  const NationalData data = nationalDataFor(a, std::nullopt);
  EXPECT_EQ(dg13Texts(buildDg13(data), 8),
            std::vector<std::string>{a.person.place_of_birth_registration});
}

TEST(LdsTest, Dg13ParserToleratesOneParentAndPrintableStrings) {
  const Bytes file = encodeConstructed(
      0x6D, {encodeConstructed(0x30, {encodeTlv(0x02, {0x01}), encodeTlv(0x13, toBytes("0123"))}),
             encodeConstructed(0x30, {encodeTlv(0x02, {0x0D}), encodeTlv(0x0C, toBytes("B"))}),
             encodeConstructed(0x30, {encodeTlv(0x02, {0x63}), encodeTlv(0x0C, toBytes("?"))})});
  Result<NationalData> parsed = parseDg13(file);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  EXPECT_EQ(parsed->personal_number, "0123");
  EXPECT_EQ(parsed->father_name, "B");
  EXPECT_EQ(parsed->mother_name, "");
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
  // An element that is not a SEQUENCE (the former layout-version header).
  EXPECT_FALSE(parseDg13(encodeConstructed(0x6D, {encodeTlv(0x02, {0x01})})).isOk());
  // Element that is not SEQUENCE { INTEGER, text... }.
  EXPECT_FALSE(
      parseDg13(encodeConstructed(0x6D, {encodeConstructed(0x30, {encodeTlv(0x02, {0x01})})}))
          .isOk());
  EXPECT_FALSE(
      parseDg13(encodeConstructed(0x6D, {encodeConstructed(0x30, {encodeTlv(0x02, {0x01}),
                                                                  encodeTlv(0x04, {0x01})})}))
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
