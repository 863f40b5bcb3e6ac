#include "mes/document/qr_payload.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

Application sampleApplication() {
  Application a;
  a.personal_number = "001099012345";
  a.issue_date = Date{2021, 7, 1};
  a.card_model = CardModel::kCccd2021;
  a.person.full_name = "Nguy\xE1\xBB\x85n V\xC4\x83n A";
  a.person.date_of_birth = Date{1999, 3, 15};
  a.person.sex = Sex::kMale;
  a.person.place_of_residence = "S\xE1\xBB\x91 1, Ph\xC6\xB0\xE1\xBB\x9Dng 2, TP. Hu\xE1\xBA\xBF";
  a.person.old_id_number = "191234567";
  a.person.father_name = "Nguy\xE1\xBB\x85n V\xC4\x83n B";
  a.person.mother_name = "Tr\xE1\xBA\xA7n Th\xE1\xBB\x8B C";
  return a;
}

TEST(QrPayloadTest, The2021LayoutFromDomainMd) {
  const Application a = sampleApplication();
  Result<std::string> payload =
      renderQrPayload(defaultQrTemplate(CardModel::kCccd2021), qrValuesFor(a, Date{2024, 3, 15}));
  ASSERT_TRUE(payload.isOk()) << payload.status().toString();
  EXPECT_EQ(*payload, "001099012345|191234567|Nguy\xE1\xBB\x85n V\xC4\x83n A|15031999|Nam|"
                      "S\xE1\xBB\x91 1, Ph\xC6\xB0\xE1\xBB\x9Dng 2, TP. Hu\xE1\xBA\xBF|01072021");
}

TEST(QrPayloadTest, EmptyOldIdAndFemale) {
  Application a = sampleApplication();
  a.person.old_id_number.clear();
  a.person.sex = Sex::kFemale;
  Result<std::string> payload =
      renderQrPayload(defaultQrTemplate(CardModel::kCccd2021), qrValuesFor(a, std::nullopt));
  ASSERT_TRUE(payload.isOk());
  EXPECT_EQ(payload->substr(0, 14), "001099012345||");
  EXPECT_NE(payload->find("|N\xE1\xBB\xAF|"), std::string::npos);
}

TEST(QrPayloadTest, ParsesBackFieldByField) {
  for (CardModel model : {CardModel::kCccd2021, CardModel::kCanCuoc2024}) {
    const QrTemplate& tmpl = defaultQrTemplate(model);
    const QrValues values = qrValuesFor(sampleApplication(), Date{2039, 3, 15});
    Result<std::string> payload = renderQrPayload(tmpl, values);
    ASSERT_TRUE(payload.isOk());
    Result<QrValues> parsed = parseQrPayload(tmpl, *payload);
    ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
    for (const auto& [key, value] : *parsed) EXPECT_EQ(value, values.at(key)) << key;
  }
  Result<QrValues> v2024 = parseQrPayload(defaultQrTemplate(CardModel::kCanCuoc2024),
                                          renderQrPayload(defaultQrTemplate(
                                                              CardModel::kCanCuoc2024),
                                                          qrValuesFor(sampleApplication(),
                                                                      std::nullopt))
                                              .value());
  ASSERT_TRUE(v2024.isOk());
  EXPECT_EQ(v2024->at("mother_name"), "Tr\xE1\xBA\xA7n Th\xE1\xBB\x8B C");
  EXPECT_EQ(v2024->at("expiry_date"), "");
  EXPECT_EQ(defaultQrTemplate(CardModel::kCanCuoc2024).status, "unconfirmed");
}

TEST(QrPayloadTest, RejectsPayloadsWithTheWrongNumberOfFields) {
  const QrTemplate& tmpl = defaultQrTemplate(CardModel::kCccd2021);
  EXPECT_FALSE(parseQrPayload(tmpl, "001099012345|x|y").isOk());
  EXPECT_FALSE(parseQrPayload(tmpl, "a|b|c|d|e|f|g|h").isOk());
  EXPECT_TRUE(parseQrPayload(tmpl, "a|b|c|d|e|f|g").isOk());
}

TEST(QrPayloadTest, RefusesValuesContainingTheSeparator) {
  Application a = sampleApplication();
  a.person.place_of_residence = "Th\xC3\xB4n 1 | X\xC3\xA3 2";
  Result<std::string> r =
      renderQrPayload(defaultQrTemplate(CardModel::kCccd2021), qrValuesFor(a, std::nullopt));
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("{residence}"), std::string::npos);
}

// Found by qr_payload_fuzz (tests/fuzz/regressions/qr_payload_fuzz): a value ending with the
// start of a multi-character separator rendered, but the payload split differently.
TEST(QrPayloadTest, RefusesValuesThatRunIntoAMultiCharacterSeparator) {
  const QrTemplate tmpl{"custom", 1, "{number}::{full_name}", "unconfirmed"};
  const QrValues values{{"number", "12:"}, {"full_name", "A"}};
  Result<std::string> r = renderQrPayload(tmpl, values);
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("{number}"), std::string::npos);
  // Without the overlap the same template renders and splits back.
  Result<std::string> ok = renderQrPayload(tmpl, {{"number", "12"}, {"full_name", "A:"}});
  ASSERT_TRUE(ok.isOk());
  EXPECT_EQ(parseQrPayload(tmpl, *ok).value().at("full_name"), "A:");
}

TEST(QrPayloadTest, TemplatesAreValidatedAsData) {
  EXPECT_TRUE(validateQrTemplate({"custom", 2, "{number};{full_name}", "unconfirmed"}).isOk());
  EXPECT_FALSE(validateQrTemplate({"t", 1, "{number}{full_name}", ""}).isOk());
  EXPECT_FALSE(validateQrTemplate({"t", 1, "{number}|{unknown}", ""}).isOk());
  EXPECT_FALSE(validateQrTemplate({"t", 1, "{number|x", ""}).isOk());
  EXPECT_FALSE(validateQrTemplate({"t", 1, "number}", ""}).isOk());
  EXPECT_FALSE(validateQrTemplate({"t", 1, "no placeholders", ""}).isOk());
  // A custom template renders and parses with its own separator.
  const QrTemplate custom{"custom", 2, "V2;{number};{full_name}", "unconfirmed"};
  Result<std::string> text = renderQrPayload(custom, qrValuesFor(sampleApplication(), {}));
  ASSERT_TRUE(text.isOk());
  EXPECT_EQ(*text, "V2;001099012345;Nguy\xE1\xBB\x85n V\xC4\x83n A");
  EXPECT_EQ(parseQrPayload(custom, *text).value().at("number"), "001099012345");
  EXPECT_FALSE(parseQrPayload(custom, "V1;001099012345;X").isOk());
}

}  // namespace
}  // namespace cardline
