#include "mes/config/template_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "tests/unit/prep/prep_test_support.h"

namespace cardline {
namespace {

using prep_testing::sourceDir;

std::string problemsText(const std::vector<ConfigProblem>& problems) {
  std::string text;
  for (const ConfigProblem& problem : problems) text += problem.toString() + "\n";
  return text;
}

TEST(ShippedTemplates, BothLoadAndValidateClean) {
  Result<std::vector<std::string>> files =
      templateFilesIn((sourceDir() / "templates" / "cards").string());
  ASSERT_TRUE(files.isOk()) << files.status().toString();
  ASSERT_EQ(files->size(), 2u);
  const std::vector<ConfigProblem> problems = checkTemplateFiles(*files);
  EXPECT_TRUE(problems.empty()) << problemsText(problems);
}

TEST(ShippedTemplates, EachModelHasItsTemplate) {
  const std::string dir = (sourceDir() / "templates" / "cards").string();
  Result<CardTemplate> cccd = loadTemplateForModel(dir, CardModel::kCccd2021);
  ASSERT_TRUE(cccd.isOk()) << cccd.status().toString();
  EXPECT_EQ(cccd->name, "cccd-2021");
  Result<CardTemplate> can_cuoc = loadTemplateForModel(dir, CardModel::kCanCuoc2024);
  ASSERT_TRUE(can_cuoc.isOk()) << can_cuoc.status().toString();
  EXPECT_EQ(can_cuoc->name, "can-cuoc-2024");
  // The 2021 back carries both fingerprints and the MRZ; the 2024 card no fingerprints.
  auto has = [](const CardFace& face, const std::string& binding) {
    for (const CardElement& e : face.elements) {
      if (e.binding == binding) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(cccd->back, "fingerprint_left"));
  EXPECT_TRUE(has(cccd->back, "fingerprint_right"));
  EXPECT_FALSE(has(can_cuoc->back, "fingerprint_left"));
  EXPECT_FALSE(has(can_cuoc->front, "identifying_marks"));
}

// One defect per file; the exact "file:line:col: message" of each.
struct BrokenCase {
  const char* file;
  const char* expected;  // without the directory
};

const BrokenCase kBroken[] = {
    {"bad_colour.yaml", "bad_colour.yaml:10:52: must be a colour \"#RRGGBB\", not 'red'"},
    {"bad_number.yaml", "bad_number.yaml:10:82: must be a number, not '6pt'"},
    {"min_size_above_size.yaml",
     "min_size_above_size.yaml:10:95: min_size must be between 0 and size (6.00)"},
    {"missing_font.yaml",
     "missing_font.yaml:7:12: font 'regular': file "
     "'/usr/share/fonts/truetype/noto/NotoSans-Missing.ttf' is missing or unreadable"},
    {"off_card.yaml",
     "off_card.yaml:10:46: box [60.00, 5.00, 40.00, 4.00] is off the card (85.60 x 53.98 mm)"},
    {"overlap.yaml",
     "overlap.yaml:11:50: front: field 'date_of_birth' at line 11 overlaps field 'full_name' at "
     "line 10"},
    {"short_box.yaml", "short_box.yaml:10:46: must be a list [x, y, width, height] in mm"},
    {"syntax.yaml", "syntax.yaml:12:5: YAML syntax: illegal block entry"},
    {"text_too_long.yaml",
     "text_too_long.yaml:10:46: text 'Nơi thường trú / Place of residence:' does not fit its box "
     "at min_size 5.00 pt: 9.46 mm too wide"},
    {"undeclared_font.yaml",
     "undeclared_font.yaml:10:67: unknown font 'italic' (not declared under fonts)"},
    {"unknown_binding.yaml",
     "unknown_binding.yaml:10:30: unknown binding 'blood_type' for a field (expected one of: "
     "personal_number, full_name, date_of_birth, sex, nationality, ethnicity, religion, "
     "place_of_origin, place_of_residence, place_of_birth_registration, identifying_marks, "
     "father_name, mother_name, old_id_number, issue_date, expiry)"},
    {"unknown_image_binding.yaml",
     "unknown_image_binding.yaml:10:30: unknown binding 'signature' for an image (expected one "
     "of: photo, fingerprint_left, fingerprint_right)"},
    {"unknown_key.yaml",
     "unknown_key.yaml:15:7: unknown key 'colour' for a field element (expected one of: type, "
     "box, binding, font, size, min_size, align, wrap, max_lines, transform, color)"},
    {"unknown_top_key.yaml",
     "unknown_top_key.yaml:3:1: unknown key 'printer' (expected one of: name, version, "
     "card_model, page, fonts, faces)"},
    {"unknown_type.yaml",
     "unknown_type.yaml:10:14: unknown element type 'hologram' (expected one of: text, field, "
     "image, qr, mrz, rect, line, ellipse, star, picture)"},
    {"wrong_page.yaml",
     "wrong_page.yaml:5:18: page must be ID-1, 85.60 x 53.98 mm (is 86.00 x 53.98)"},
};

class BrokenTemplateTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenTemplateTest, ReportsExactlyOneProblemAtItsPosition) {
  const std::filesystem::path dir = sourceDir() / "tests" / "data" / "templates";
  const std::string path = (dir / GetParam().file).string();
  const TemplateLoadResult loaded = loadCardTemplateFile(path);
  ASSERT_EQ(loaded.problems.size(), 1u) << problemsText(loaded.problems);
  EXPECT_EQ(loaded.problems[0].file, path);
  std::string text = loaded.problems[0].toString();
  text.erase(0, (dir.string() + "/").size());
  EXPECT_EQ(text, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Corpus, BrokenTemplateTest, ::testing::ValuesIn(kBroken));

TEST(BrokenTemplates, EveryFixtureIsCovered) {
  Result<std::vector<std::string>> files =
      templateFilesIn((sourceDir() / "tests" / "data" / "templates").string());
  ASSERT_TRUE(files.isOk());
  EXPECT_EQ(files->size(), std::size(kBroken));
  // checkTemplateFiles reports them all at once, in path order.
  const std::vector<ConfigProblem> problems = checkTemplateFiles(*files);
  EXPECT_EQ(problems.size(), std::size(kBroken)) << problemsText(problems);
}

TEST(TemplateLoader, UnreadableFileIsOneProblemWithoutPosition) {
  const TemplateLoadResult loaded = loadCardTemplateFile("/nonexistent/cards/x.yaml");
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_EQ(loaded.problems[0].toString(), "/nonexistent/cards/x.yaml: cannot read the file");
}

TEST(TemplateLoader, SameModelAndVersionTwiceIsReported) {
  const std::string file = (sourceDir() / "templates" / "cards" / "cccd-2021.yaml").string();
  const std::vector<ConfigProblem> problems = checkTemplateFiles({file, file});
  ASSERT_EQ(problems.size(), 1u) << problemsText(problems);
  EXPECT_NE(problems[0].message.find("cccd-2021 version 1 is also defined in"), std::string::npos);
}

TEST(TemplateLoader, RelativeFontPathsResolveAgainstTheTemplateFolder) {
  const std::string text =
      "name: t\nversion: 1\ncard_model: cccd-2021\npage: {width_mm: 85.6, height_mm: 53.98}\n"
      "fonts: {regular: NotoSans-Regular.ttf}\n"
      "faces:\n  front:\n    - {type: text, box: [5, 5, 40, 4], text: A, font: regular, size: 6}\n"
      "  back:\n    - {type: text, box: [5, 5, 40, 4], text: B, font: regular, size: 6}\n";
  const TemplateLoadResult loaded =
      parseCardTemplateText(text, "inline.yaml", "/usr/share/fonts/truetype/noto");
  EXPECT_TRUE(loaded.problems.empty()) << problemsText(loaded.problems);
  EXPECT_EQ(loaded.card_template.fonts.at("regular").path,
            "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf");
}

}  // namespace
}  // namespace cardline
