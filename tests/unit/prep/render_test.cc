// Renders sample applications of both card models and checks the print job with real tools:
// qpdf --check, pdfinfo (2 pages, ID-1 size), pdffonts (embedded), pdftotext (the Vietnamese
// text back, exactly), zbarimg (the QR from the 300 dpi proof), and the raster itself (the glyphs
// drawn, not only the text layer).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "mes/config/template_loader.h"
#include "mes/prep/pdf_card_renderer.h"
#include "mes/prep/prepare.h"
#include "mes/prep/proof_renderer.h"
#include "mes/prep/unicode_text.h"
#include "tests/unit/prep/prep_test_support.h"

namespace cardline {
namespace {

using prep_testing::CommandResult;
using prep_testing::readText;
using prep_testing::runCommand;
using prep_testing::sourceDir;
using prep_testing::TempDir;

CardTemplate shippedTemplate(const std::string& file) {
  Result<CardTemplate> tmpl =
      loadCardTemplate((sourceDir() / "templates" / "cards" / file).string());
  EXPECT_TRUE(tmpl.isOk()) << tmpl.status().toString();
  return tmpl.isOk() ? *tmpl : CardTemplate{};
}

// pdftotext of the whole job with spaces collapsed, so that a wrapped value can be found.
std::string collapsed(std::string text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\f' || c == '\r' || c == '\t';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class RenderTest : public ::testing::TestWithParam<const char*> {
 protected:
  Application sample() const {
    return std::string(GetParam()) == "cccd-2021.yaml" ? prep_testing::sample2021()
                                                       : prep_testing::sample2024();
  }
};

TEST_P(RenderTest, PrintJobPassesTheToolsAndReadsBackExactly) {
  const CardTemplate tmpl = shippedTemplate(GetParam());
  const Application app = sample();
  Result<PreparedCard> card = prepareCard(app, tmpl);
  ASSERT_TRUE(card.isOk()) << card.status().toString();
  TempDir dir;
  ASSERT_TRUE(writePreparedCard(*card, dir.path().string()).isOk());
  ASSERT_TRUE(writeProofs(card->pdf, dir.path().string()).isOk());
  const std::string pdf = (dir.path() / "card.pdf").string();

  CommandResult qpdf = runCommand("qpdf --check '" + pdf + "' 2>&1");
  EXPECT_EQ(qpdf.exit_code, 0) << qpdf.output;

  CommandResult info = runCommand("pdfinfo '" + pdf + "'");
  ASSERT_EQ(info.exit_code, 0);
  EXPECT_NE(collapsed(info.output).find("Pages: 2 "), std::string::npos) << info.output;
  EXPECT_NE(collapsed(info.output).find("Page size: 242.646 x 153.014 pts"), std::string::npos)
      << info.output;

  CommandResult fonts = runCommand("pdffonts '" + pdf + "' 2>/dev/null");
  ASSERT_EQ(fonts.exit_code, 0);
  int listed = 0;
  std::string line;
  std::istringstream lines(fonts.output);
  while (std::getline(lines, line)) {
    if (line.find("CID TrueType") == std::string::npos) continue;
    ++listed;
    // Columns: name type encoding emb sub uni object; "emb" must be yes.
    EXPECT_NE(collapsed(line).find("CID TrueType Identity-H yes"), std::string::npos) << line;
    EXPECT_EQ(line.find("DejaVu"), std::string::npos) << line;
  }
  EXPECT_GE(listed, 2) << fonts.output;

  CommandResult text = runCommand("pdftotext -enc UTF-8 '" + pdf + "' - 2>/dev/null");
  ASSERT_EQ(text.exit_code, 0);
  const std::string got = nfcText(collapsed(text.output)).value();
  const Person& p = app.person;
  for (const std::string& expected :
       {upperText(p.full_name).value(), p.place_of_residence, app.personal_number,
        formatCardDate(p.date_of_birth), std::string(p.sex == Sex::kMale ? "Nam" : "Nữ"),
        std::string("Việt Nam"), card->values.mrz.line1, card->values.mrz.line2,
        card->values.mrz.line3, std::string("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")}) {
    EXPECT_NE(got.find(nfcText(expected).value()), std::string::npos)
        << "missing '" << expected << "' in:\n"
        << got;
  }

  CommandResult qr = runCommand(
      "zbarimg --raw -q -Sdisable -Sqrcode.enable '" +
      (dir.path() / (app.card_model == CardModel::kCccd2021 ? "front.png" : "back.png")).string() +
      "' 2>/dev/null");
  ASSERT_EQ(qr.exit_code, 0) << qr.output;
  std::string decoded = qr.output;
  while (!decoded.empty() && decoded.back() == '\n') decoded.pop_back();
  EXPECT_EQ(decoded, card->values.qr_payload);

  EXPECT_EQ(readText(dir.path() / "mrz.txt"), card->values.mrz.joined() + "\n");
  EXPECT_EQ(readText(dir.path() / "qr.txt"), card->values.qr_payload);
  EXPECT_EQ(readText(dir.path() / "expiry.txt"), card->values.expiry->toString() + "\n");
}

TEST(RenderTest, CardWithoutExpiryPrintsKhongThoiHan) {
  const CardTemplate tmpl = shippedTemplate("cccd-2021.yaml");
  Application app = prep_testing::sample2021();
  app.personal_number = "001160012345";  // born 1960, female
  app.person.date_of_birth = prep_testing::date("1960-02-29");
  Result<PreparedCard> card = prepareCard(app, tmpl);
  ASSERT_TRUE(card.isOk()) << card.status().toString();
  EXPECT_FALSE(card->values.expiry.has_value());
  TempDir dir;
  ASSERT_TRUE(writePreparedCard(*card, dir.path().string()).isOk());
  EXPECT_EQ(readText(dir.path() / "expiry.txt"), "none\n");
  CommandResult text =
      runCommand("pdftotext -enc UTF-8 '" + (dir.path() / "card.pdf").string() + "' - 2>/dev/null");
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_NE(nfcText(collapsed(text.output)).value().find("Không thời hạn"), std::string::npos)
      << text.output;
}

TEST(RenderTest, ImageInAFormatThatCannotBePrintedIsAnError) {
  const CardTemplate tmpl = shippedTemplate("cccd-2021.yaml");
  Application app = prep_testing::sample2021();
  app.person.fingerprint_left_index = Image{"wsq", Bytes{1, 2, 3}};
  Result<PreparedCard> card = prepareCard(app, tmpl);
  ASSERT_FALSE(card.isOk());
  EXPECT_EQ(card.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(card.status().message().find("fingerprint_left: image format 'wsq'"), std::string::npos)
      << card.status().message();
}

TEST(RenderTest, CorruptPhotoIsAnError) {
  const CardTemplate tmpl = shippedTemplate("cccd-2021.yaml");
  Application app = prep_testing::sample2021();
  app.person.photo = Image{"jpeg", Bytes{0xff, 0xd8, 0x00, 0x01}};
  Result<PreparedCard> card = prepareCard(app, tmpl);
  ASSERT_FALSE(card.isOk());
  EXPECT_EQ(card.status().code(), ErrorCode::kInvalidArgument) << card.status().toString();
}

// The front page of a card showing only `word`, rasterised: the glyphs drawn, not the text layer.
RgbRaster rasterOfWord(const std::string& font_path, const std::string& word) {
  CardTemplate tmpl;
  tmpl.name = "glyph-check";
  tmpl.fonts["f"] = FontSpec{font_path, {}};
  CardElement element;
  element.kind = ElementKind::kText;
  element.box = BoxMm{4, 4, 78, 40};
  element.font = "f";
  element.size = 48;
  element.text = word;
  tmpl.front.elements.push_back(element);
  Result<Bytes> pdf = renderCardPdf(tmpl, CardFaceData{});
  EXPECT_TRUE(pdf.isOk()) << pdf.status().toString();
  if (!pdf.isOk()) return {};
  Result<std::vector<RgbRaster>> pages = rasterisePdf(*pdf, 100);
  EXPECT_TRUE(pages.isOk()) << pages.status().toString();
  return pages.isOk() && !pages->empty() ? pages->front() : RgbRaster{};
}

bool hasInk(const RgbRaster& raster) {
  return std::any_of(raster.pixels.begin(), raster.pixels.end(),
                     [](std::uint8_t v) { return v < 64; });
}

// "Nguyễn" must look different from both "Nguyên" (tilde lost) and "Nguyen" (both marks lost).
bool nguyenKeepsItsMarks(const std::string& font_path) {
  const RgbRaster full = rasterOfWord(font_path, "Nguyễn");
  const RgbRaster circumflex_only = rasterOfWord(font_path, "Nguyên");
  const RgbRaster bare = rasterOfWord(font_path, "Nguyen");
  EXPECT_TRUE(hasInk(full));
  return full.pixels != circumflex_only.pixels && full.pixels != bare.pixels;
}

TEST(GlyphCheck, NotoDrawsNguyenWithBothMarks) {
  EXPECT_TRUE(nguyenKeepsItsMarks("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"));
  EXPECT_TRUE(nguyenKeepsItsMarks("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"));
}

// The same check with DejaVu Sans shows that it can fail: libharu 2.3.0 keeps one level of
// composite glyphs, so DejaVu's "ễ" loses its marks on the page (ENVIRONMENT.md) while
// pdftotext still reads "Nguyễn".
TEST(GlyphCheck, TheCheckCatchesTheDejaVuCompositeGlyphBug) {
  const std::string dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  ASSERT_TRUE(std::filesystem::exists(dejavu))
      << "fonts-dejavu-core is not installed (scripts/install-deps.sh --test installs it)";
  EXPECT_FALSE(nguyenKeepsItsMarks(dejavu));
}

// The colour at a point of a raster rendered at `dpi`, given in mm from the top-left corner.
std::vector<int> pixelAt(const RgbRaster& raster, int dpi, double x_mm, double y_mm) {
  const auto x = static_cast<std::size_t>(x_mm / 25.4 * dpi);
  const auto y = static_cast<std::size_t>(y_mm / 25.4 * dpi);
  const std::size_t at = (y * static_cast<std::size_t>(raster.width) + x) * 3;
  return {raster.pixels[at], raster.pixels[at + 1], raster.pixels[at + 2]};
}

TEST(RenderTest, PictureArtworkAndVectorShapesLandWhereTheTemplateSays) {
  TempDir dir;
  RgbRaster red;
  red.width = 40;
  red.height = 20;
  red.pixels.resize(40 * 20 * 3);
  for (std::size_t i = 0; i < red.pixels.size(); i += 3) red.pixels[i] = 255;
  Result<Bytes> png = encodeProofPng(red, 72);
  ASSERT_TRUE(png.isOk());
  prep_testing::writeBytes(dir.path() / "red.png", *png);

  CardTemplate tmpl;
  CardElement picture;
  picture.kind = ElementKind::kPicture;
  picture.box = BoxMm{10, 10, 20, 10};
  picture.file = (dir.path() / "red.png").string();
  tmpl.front.elements.push_back(picture);
  CardElement disc;
  disc.kind = ElementKind::kEllipse;
  disc.box = BoxMm{50, 10, 20, 20};
  disc.fill = Rgb{0, 0, 255};
  tmpl.front.elements.push_back(disc);
  Result<Bytes> pdf = renderCardPdf(tmpl, CardFaceData{});
  ASSERT_TRUE(pdf.isOk()) << pdf.status().toString();
  Result<std::vector<RgbRaster>> pages = rasterisePdf(*pdf, 100);
  ASSERT_TRUE(pages.isOk());
  const RgbRaster& front = pages->front();
  EXPECT_EQ(pixelAt(front, 100, 20, 15), (std::vector<int>{255, 0, 0}));      // picture centre
  EXPECT_EQ(pixelAt(front, 100, 60, 20), (std::vector<int>{0, 0, 255}));      // disc centre
  EXPECT_EQ(pixelAt(front, 100, 51, 11), (std::vector<int>{255, 255, 255}));  // outside the disc
  EXPECT_EQ(pixelAt(front, 100, 5, 5), (std::vector<int>{255, 255, 255}));    // paper
}

TEST(RenderTest, MissingPictureFileIsNotFound) {
  CardTemplate tmpl;
  CardElement picture;
  picture.kind = ElementKind::kPicture;
  picture.box = BoxMm{10, 10, 20, 10};
  picture.file = "/nonexistent/artwork.png";
  tmpl.front.elements.push_back(picture);
  EXPECT_EQ(renderCardPdf(tmpl, CardFaceData{}).status().code(), ErrorCode::kNotFound);
}

TEST(RenderTest, TemplateForAnotherModelIsRefused) {
  const CardTemplate tmpl = shippedTemplate("can-cuoc-2024.yaml");
  Result<PreparedCard> card = prepareCard(prep_testing::sample2021(), tmpl);
  ASSERT_FALSE(card.isOk());
  EXPECT_EQ(card.status().code(), ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(BothModels, RenderTest,
                         ::testing::Values("cccd-2021.yaml", "can-cuoc-2024.yaml"));

}  // namespace
}  // namespace cardline
