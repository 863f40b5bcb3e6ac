// The fit rule (text_fit.h) with a fake measurer (exact arithmetic), then with libharu's real
// measurements on the shipped 2021 template: a long address shrinks, an impossible one is a
// FitError naming the field; nothing is clipped.

#include "mes/prep/text_fit.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mes/config/template_loader.h"
#include "mes/prep/pdf_card_renderer.h"
#include "mes/prep/prepare.h"
#include "tests/unit/prep/prep_test_support.h"

namespace cardline {
namespace {

// Every code point is half an em wide; unknown fonts fail.
class HalfEmMeasurer : public TextMeasurer {
 public:
  Result<double> widthPt(const std::string& font, double size_pt, std::string_view utf8) override {
    if (font != "f") return notFound("unknown font " + font);
    int code_points = 0;
    for (unsigned char c : utf8) code_points += (c & 0xC0) != 0x80 ? 1 : 0;
    return code_points * size_pt * 0.5;
  }
};

// A box `chars` characters wide at `size`, holding `lines` lines at `size`.
FitBox boxFor(double size, double min_size, int chars, int lines, WrapMode wrap, int max_lines) {
  FitBox box;
  box.width_pt = chars * size * 0.5;
  box.height_pt = lines * kLineHeightEm * size;
  box.size = size;
  box.min_size = min_size;
  box.wrap = wrap;
  box.max_lines = max_lines;
  return box;
}

TEST(FitRule, ShortTextFitsAtTheNominalSizeOnOneLine) {
  HalfEmMeasurer measurer;
  Result<FittedText> fitted =
      fitText(measurer, "f", boxFor(10, 6, 20, 2, WrapMode::kWords, 2), "  Hà   Nội ");
  ASSERT_TRUE(fitted.isOk());
  EXPECT_TRUE(fitted->fits);
  EXPECT_DOUBLE_EQ(fitted->size, 10);
  EXPECT_EQ(fitted->lines, std::vector<std::string>{"Hà Nội"});
}

TEST(FitRule, WrapsAtWordBoundariesBeforeShrinking) {
  HalfEmMeasurer measurer;
  // 11 characters per line: "Phường Bến" (10) fits, adding " Nghé" (15) does not.
  Result<FittedText> fitted =
      fitText(measurer, "f", boxFor(10, 8, 11, 2, WrapMode::kWords, 2), "Phường Bến Nghé");
  ASSERT_TRUE(fitted.isOk());
  EXPECT_TRUE(fitted->fits);
  EXPECT_DOUBLE_EQ(fitted->size, 10);
  EXPECT_EQ(fitted->lines, (std::vector<std::string>{"Phường Bến", "Nghé"}));
}

TEST(FitRule, ShrinksInQuarterPointStepsUntilItFits) {
  HalfEmMeasurer measurer;
  // Box 20 characters wide at 10 pt = 100 pt; one line of 22 characters needs 100 / 11 pt =
  // 9.09 pt, so the first quarter step that fits is 9.0 pt.
  Result<FittedText> fitted =
      fitText(measurer, "f", boxFor(10, 6, 20, 1, WrapMode::kNone, 1), "Nguyễn Thị Huỳnh Như A");
  ASSERT_TRUE(fitted.isOk());
  EXPECT_TRUE(fitted->fits);
  EXPECT_DOUBLE_EQ(fitted->size, 9.0);
  EXPECT_EQ(fitted->lines.size(), 1u);
}

TEST(FitRule, TooWideAtMinSizeIsReportedInMillimetres) {
  HalfEmMeasurer measurer;
  // 40 characters at the 8 pt minimum = 160 pt in a 100 pt box: 60 pt = 21.17 mm over.
  Result<FittedText> fitted =
      fitText(measurer, "f", boxFor(10, 8, 20, 1, WrapMode::kNone, 1), std::string(40, 'x'));
  ASSERT_TRUE(fitted.isOk());
  EXPECT_FALSE(fitted->fits);
  EXPECT_DOUBLE_EQ(fitted->size, 8);
  EXPECT_EQ(fitted->overDescription(), "21.17 mm too wide");
}

TEST(FitRule, TooManyLinesAtMinSizeIsReportedAsLines) {
  HalfEmMeasurer measurer;
  const std::string words = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj";
  Result<FittedText> fitted =
      fitText(measurer, "f", boxFor(10, 10, 4, 2, WrapMode::kWords, 2), words);
  ASSERT_TRUE(fitted.isOk());
  EXPECT_FALSE(fitted->fits);
  EXPECT_EQ(fitted->lines.size(), 10u);
  EXPECT_EQ(fitted->overDescription(), "8 lines too many");
}

TEST(FitRule, MaxLinesLimitsEvenWhenTheBoxIsTaller) {
  HalfEmMeasurer measurer;
  Result<FittedText> fitted =
      fitText(measurer, "f", boxFor(10, 10, 4, 5, WrapMode::kWords, 1), "aaaa bbbb");
  ASSERT_TRUE(fitted.isOk());
  EXPECT_FALSE(fitted->fits);
  EXPECT_EQ(fitted->over_lines, 1);
}

TEST(FitRule, MeasurerFailureIsAnError) {
  HalfEmMeasurer measurer;
  Result<FittedText> fitted =
      fitText(measurer, "nope", boxFor(10, 8, 20, 1, WrapMode::kNone, 1), "text");
  ASSERT_FALSE(fitted.isOk());
  EXPECT_EQ(fitted.status().code(), ErrorCode::kNotFound);
}

CardTemplate template2021() {
  Result<CardTemplate> tmpl = loadCardTemplate(
      (prep_testing::sourceDir() / "templates" / "cards" / "cccd-2021.yaml").string());
  EXPECT_TRUE(tmpl.isOk()) << tmpl.status().toString();
  return tmpl.isOk() ? *tmpl : CardTemplate{};
}

TEST(PdfMeasurer, MeasuresUtf8ByCharacterNotByByte) {
  const CardTemplate tmpl = template2021();
  Result<std::unique_ptr<PdfTextMeasurer>> measurer = PdfTextMeasurer::create(tmpl);
  ASSERT_TRUE(measurer.isOk());
  const double plain = (*measurer)->widthPt("regular", 10, "Nguyen").value();
  const double marked = (*measurer)->widthPt("regular", 10, "Nguyễn").value();
  EXPECT_GT(plain, 10);
  // "ễ" is three bytes but one glyph of about the width of "e".
  EXPECT_LT(std::abs(marked - plain), 1.0) << plain << " vs " << marked;
  // Width scales with the size.
  EXPECT_NEAR((*measurer)->widthPt("regular", 20, "Nguyen").value(), 2 * plain, 1e-6);
  EXPECT_EQ((*measurer)->widthPt("missing", 10, "x").status().code(), ErrorCode::kNotFound);
}

// The fitted size of `binding`, found by shrinking until checkFaceFit would accept it: rendered
// PDFs carry no size, so the test re-runs the rule with the real measurer.
Result<FittedText> fittedField(const CardTemplate& tmpl, const std::string& binding,
                               const std::string& value) {
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<PdfTextMeasurer> measurer,
                            PdfTextMeasurer::create(tmpl));
  for (const CardElement& element : tmpl.front.elements) {
    if (element.binding == binding)
      return fitText(*measurer, element.font, fitBoxOf(element), value);
  }
  return notFound(binding);
}

TEST(FitWithTemplate, LongAddressShrinksAndStillPrints) {
  const CardTemplate tmpl = template2021();
  Application app = prep_testing::sample2021();
  app.person.place_of_residence =
      "Số nhà 118/25/4 đường Nguyễn Văn Quỳ, Khu phố 3, Phường Phú Thuận, Quận 7, Thành phố "
      "Hồ Chí Minh, gần chợ Tân Mỹ, đối diện trường Tiểu học Phú Thuận, Việt Nam";
  Result<FittedText> fitted =
      fittedField(tmpl, "place_of_residence", app.person.place_of_residence);
  ASSERT_TRUE(fitted.isOk()) << fitted.status().toString();
  EXPECT_TRUE(fitted->fits);
  EXPECT_LT(fitted->size, 5.5);  // shrunk below the nominal size
  EXPECT_GE(fitted->size, 4.0);  // but not below min_size
  Result<std::vector<FitError>> errors = checkFit(app, tmpl);
  ASSERT_TRUE(errors.isOk()) << errors.status().toString();
  EXPECT_TRUE(errors->empty());
  EXPECT_TRUE(prepareCard(app, tmpl).isOk());
}

TEST(FitWithTemplate, ImpossibleAddressIsAFitErrorNamingTheField) {
  const CardTemplate tmpl = template2021();
  Application app = prep_testing::sample2021();
  std::string address;
  for (int i = 0; i < 12; ++i) address += "Thôn Đông Xuyên Thượng, Xã Nghĩa Hưng, ";
  app.person.place_of_residence = address + "Hà Nội";
  Result<std::vector<FitError>> errors = checkFit(app, tmpl);
  ASSERT_TRUE(errors.isOk()) << errors.status().toString();
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ((*errors)[0].binding, "place_of_residence");
  EXPECT_EQ((*errors)[0].face, "front");
  EXPECT_NE((*errors)[0].message.find("lines too many"), std::string::npos) << (*errors)[0].message;

  Result<PreparedCard> card = prepareCard(app, tmpl);
  ASSERT_FALSE(card.isOk());
  EXPECT_EQ(card.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(card.status().message().find("place_of_residence (front"), std::string::npos)
      << card.status().message();
}

TEST(FitWithTemplate, FitCheckerKeepsItsMeasurerAndAgreesWithCheckFit) {
  std::map<CardModel, CardTemplate> templates;
  templates.emplace(CardModel::kCccd2021, template2021());
  FitChecker checker(std::move(templates));
  Application app = prep_testing::sample2021();
  for (int round = 0; round < 3; ++round) {  // the same answer with the measurer reused
    Result<std::vector<FitError>> fits = checker.check(app);
    ASSERT_TRUE(fits.isOk()) << fits.status().toString();
    EXPECT_TRUE(fits->empty());
  }
  app.person.full_name = "Nguyễn " + std::string(60, 'W');
  Result<std::vector<FitError>> wide = checker.check(app);
  ASSERT_TRUE(wide.isOk()) << wide.status().toString();
  ASSERT_EQ(wide->size(), 1u);
  EXPECT_EQ((*wide)[0].binding, "full_name");
  EXPECT_EQ((*wide)[0].message, (*checkFit(app, template2021()))[0].message);
  // No template for the 2024 model here.
  EXPECT_EQ(checker.check(prep_testing::sample2024()).status().code(), ErrorCode::kNotFound);
}

TEST(FitWithTemplate, UnbreakableNameIsTooWide) {
  const CardTemplate tmpl = template2021();
  Application app = prep_testing::sample2021();
  app.person.full_name = "Nguyễn " + std::string(60, 'W');
  Result<std::vector<FitError>> errors = checkFit(app, tmpl);
  ASSERT_TRUE(errors.isOk()) << errors.status().toString();
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ((*errors)[0].binding, "full_name");
  EXPECT_NE((*errors)[0].message.find("mm too wide"), std::string::npos) << (*errors)[0].message;
}

}  // namespace
}  // namespace cardline
