// Label and manifest PDFs of a real box packed by the engine: qpdf --check accepts them,
// pdftotext reads the Vietnamese names back, and zbarimg decodes the box id from the label's QR.
#include "mes/logistics/pdf/box_documents.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include "tests/unit/logistics/logistics_fixture.h"

namespace cardline::logistics_test {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void writeFile(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

class BoxDocumentsTest : public LogisticsTest {};

TEST_F(BoxDocumentsTest, LabelAndManifestAreValidPdfsWithVietnameseText) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  fullLine("A2", "001099000002", "Trần Thị Bích Ngọc", kHanoiUnit, "SER0002");
  fullLine("A3", "001099000003", "Đặng Hữu Phước", kHanoiUnit, "SER0003");
  Box box;
  std::vector<ManifestLine> lines;
  Status s = inTx([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(auto open, tx.logistics().boxesInState(BoxState::kOpen, "HN-01"));
    CARDLINE_ASSIGN_OR_RETURN(box, service_->closeBox(tx, open.at(0).id, "SL-0042", "lan"));
    CARDLINE_ASSIGN_OR_RETURN(lines, manifestLines(tx, box.id));
    return Status::ok();
  });
  ASSERT_TRUE(s.isOk()) << s.toString();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].personal_number_masked, "001*******01");

  Result<Bytes> label = renderBoxLabel(box, BoxDocumentFonts{});
  ASSERT_TRUE(label.isOk()) << label.status().toString();
  Result<Bytes> manifest = renderBoxManifest(box, lines, clock_.now(), BoxDocumentFonts{});
  ASSERT_TRUE(manifest.isOk()) << manifest.status().toString();
  const std::string label_path = temp_dir_ + "/label.pdf";
  const std::string manifest_path = temp_dir_ + "/manifest.pdf";
  writeFile(label_path, *label);
  writeFile(manifest_path, *manifest);

  for (const std::string& path : {label_path, manifest_path}) {
    CommandResult checked = runCommand("qpdf --check '" + path + "'");
    EXPECT_EQ(checked.exit_code, 0) << path << "\n" << checked.output;
  }

  CommandResult text = runCommand("pdftotext -layout '" + manifest_path + "' -");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  for (const std::string expected : {"Nguyễn Văn An", "Trần Thị Bích Ngọc", "Đặng Hữu Phước",
                                     "SER0002", "001*******03", "SL-0042", "Công an phường"}) {
    EXPECT_NE(text.output.find(expected), std::string::npos) << expected << "\n" << text.output;
  }
  EXPECT_EQ(text.output.find("001099000001"), std::string::npos) << "unmasked number";

  CommandResult label_text = runCommand("pdftotext '" + label_path + "' -");
  ASSERT_EQ(label_text.exit_code, 0) << label_text.output;
  EXPECT_NE(label_text.output.find("Công an phường Hàng Bạc"), std::string::npos)
      << label_text.output;
  EXPECT_NE(label_text.output.find(box.id), std::string::npos) << label_text.output;

  CommandResult png = runCommand("pdftoppm -r 200 -png -singlefile '" + label_path + "' '" +
                                 temp_dir_ + "/label'");
  ASSERT_EQ(png.exit_code, 0) << png.output;
  CommandResult qr = runCommand("zbarimg --quiet --raw '" + temp_dir_ + "/label.png'");
  EXPECT_EQ(qr.exit_code, 0) << qr.output;
  EXPECT_NE(qr.output.find(box.id), std::string::npos) << qr.output;
}

TEST(BoxDocumentsMaskTest, ManifestMasksThePersonalNumber) {
  EXPECT_EQ(maskPersonalNumberForManifest("079099012345"), "079*******45");
  EXPECT_EQ(maskPersonalNumberForManifest(""), "");
  EXPECT_EQ(maskPersonalNumberForManifest("12345"), "1***5");
}

TEST(BoxDocumentsFontTest, MissingFontIsNotFound) {
  Box box;
  box.id = "BOX-X-000001";
  BoxDocumentFonts fonts;
  fonts.regular = "/nonexistent/font.ttf";
  EXPECT_EQ(renderBoxLabel(box, fonts).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cardline::logistics_test
