// Outside tools check our output (label integration): `openssl cms -verify` verifies EF.SOD
// against the CSCA, and `zbarimg` decodes the QR PNG to exactly the payload. The tools are
// required: a missing tool makes the test fail, never skip.
#include <gtest/gtest.h>

#include "mes/document/lds.h"
#include "mes/document/pki/key_file_signer.h"
#include "mes/document/pki/test_pki.h"
#include "mes/document/qr_code.h"
#include "mes/document/qr_payload.h"
#include "mes/document/sod.h"
#include "mes/document/tlv.h"
#include "tests/unit/document/test_support.h"

namespace cardline {
namespace {

using testing::runCommand;
using testing::TempDir;

const Timestamp kStart = Timestamp::fromSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::string shellQuoted(const std::string& p) { return "'" + p + "'"; }
std::string shellQuoted(const std::filesystem::path& p) { return shellQuoted(p.string()); }

TEST(OpensslCmsTest, VerifiesEfSodAgainstTheCsca) {
  TempDir dir;
  FakeClock clock(kStart);
  Result<PkiPaths> paths = initTestPki(dir.path().string(), TestPkiOptions(), clock);
  ASSERT_TRUE(paths.isOk()) << paths.status().toString();
  KeyFileSignerOptions options;
  options.pki_dir = paths->dir;
  auto signer = KeyFileSigner::open(options, clock);
  ASSERT_TRUE(signer.isOk()) << signer.status().toString();

  DataGroups groups;
  groups[1] = buildDg1(MrzText{"IDVNM0990123459001099012345<<0",
                               "9903159M2403155VNM<<<<<<<<<<<2",
                               "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"});
  groups[2] = buildDg2(testing::readFixture("face.jpg")).value();
  NationalData data;
  data.full_name = "Nguy\xE1\xBB\x85n V\xC4\x83n A";
  groups[13] = buildDg13(data);
  Result<EfSod> sod = buildEfSod(groups, **signer);
  ASSERT_TRUE(sod.isOk()) << sod.status().toString();

  // The CMS inside tag 0x77.
  Result<Bytes> cms = unwrapEfSod(sod->file);
  ASSERT_TRUE(cms.isOk());
  const auto sod_path = dir.path() / "sod.der";
  const auto content_path = dir.path() / "content.der";
  testing::writeFile(sod_path, *cms);
  const std::string verify = "openssl cms -verify -inform DER -in " + shellQuoted(sod_path) +
                             " -CAfile " + shellQuoted(paths->csca_cert) +
                             " -purpose any -attime " +
                             std::to_string(kStart.plusSeconds(3600).seconds()) + " -out " +
                             shellQuoted(content_path) + " 2>&1";
  testing::CommandResult ok = runCommand(verify);
  EXPECT_EQ(ok.exit_code, 0) << verify << "\n" << ok.output;
  Result<std::map<int, Bytes>> hashes =
      parseLdsSecurityObject(toBytes(testing::readText(content_path)));
  ASSERT_TRUE(hashes.isOk()) << hashes.status().toString();
  ASSERT_EQ(hashes->size(), 3u);
  for (const auto& [number, bytes] : groups) EXPECT_EQ(hashes->at(number), sha256(bytes));

  // The content type is the LDS security object.
  testing::CommandResult printed = runCommand("openssl cms -cmsout -print -inform DER -in " +
                                              shellQuoted(sod_path) + " 2>&1");
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_NE(printed.output.find("2.23.136.1.1.1"), std::string::npos) << printed.output;

  // A foreign CSCA makes openssl fail, so the check above can fail.
  TempDir other;
  ASSERT_TRUE(initTestPki(other.path().string(), TestPkiOptions(), clock).isOk());
  testing::CommandResult foreign = runCommand(
      "openssl cms -verify -inform DER -in " + shellQuoted(sod_path) + " -CAfile " +
      shellQuoted(pkiPaths(other.path().string()).csca_cert) + " -purpose any -attime " +
      std::to_string(kStart.plusSeconds(3600).seconds()) + " -out /dev/null 2>&1");
  EXPECT_NE(foreign.exit_code, 0) << foreign.output;
}

TEST(OpensslX509Test, TestPkiCertificatesHaveTheDocumentedExtensions) {
  TempDir dir;
  FakeClock clock(kStart);
  Result<PkiPaths> paths = initTestPki(dir.path().string(), TestPkiOptions(), clock);
  ASSERT_TRUE(paths.isOk());
  testing::CommandResult csca =
      runCommand("openssl x509 -noout -text -in " + shellQuoted(paths->csca_cert) + " 2>&1");
  ASSERT_EQ(csca.exit_code, 0) << csca.output;
  EXPECT_NE(csca.output.find("CA:TRUE"), std::string::npos);
  EXPECT_NE(csca.output.find("Certificate Sign"), std::string::npos);
  EXPECT_NE(csca.output.find("prime256v1"), std::string::npos);
  testing::CommandResult ds =
      runCommand("openssl x509 -noout -text -in " + shellQuoted(paths->ds_cert) + " 2>&1");
  ASSERT_EQ(ds.exit_code, 0);
  EXPECT_NE(ds.output.find("Digital Signature"), std::string::npos);
  EXPECT_NE(ds.output.find("Jan  1 00:00:00 2026 GMT"), std::string::npos) << ds.output;
  EXPECT_NE(ds.output.find("Apr  1 00:00:00 2026 GMT"), std::string::npos) << ds.output;
  testing::CommandResult chain = runCommand(
      "openssl verify -attime " + std::to_string(kStart.plusSeconds(60).seconds()) +
      " -CAfile " + shellQuoted(paths->csca_cert) + " " + shellQuoted(paths->ds_cert) + " 2>&1");
  EXPECT_EQ(chain.exit_code, 0) << chain.output;
}

void expectZbarDecodes(const std::string& payload) {
  TempDir dir;
  Result<QrMatrix> matrix = encodeQr(payload);
  ASSERT_TRUE(matrix.isOk()) << matrix.status().toString();
  Result<Bytes> png = renderQrPng(*matrix, QrPngOptions{4, 4});
  ASSERT_TRUE(png.isOk()) << png.status().toString();
  const auto path = dir.path() / "qr.png";
  testing::writeFile(path, *png);
  testing::CommandResult decoded =
      runCommand("zbarimg --raw -q " + shellQuoted(path) + " 2>/dev/null");
  ASSERT_EQ(decoded.exit_code, 0) << "zbarimg failed or is missing (install zbar-tools)";
  std::string text = decoded.output;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  EXPECT_EQ(text, payload);
}

TEST(ZbarimgTest, DecodesVietnameseTextExactly) {
  expectZbarDecodes("Hu\xE1\xBA\xBF");  // "Huế"
  expectZbarDecodes("Nguy\xE1\xBB\x85n Th\xE1\xBB\x8B \xC4\x90\xE1\xBA\xB7ng");
}

TEST(ZbarimgTest, DecodesThe2021PayloadExactly) {
  Application a;
  a.personal_number = "046199012345";
  a.issue_date = Date{2021, 7, 1};
  a.person.full_name = "Tr\xE1\xBA\xA7n Th\xE1\xBB\x8B Ng\xE1\xBB\x8D\x63 \xC4\x90\xE1\xBB\xA9\x63";
  a.person.date_of_birth = Date{1990, 12, 31};
  a.person.sex = Sex::kFemale;
  a.person.place_of_residence =
      "12 L\xC3\xAA L\xE1\xBB\xA3i, Ph\xC3\xBA H\xE1\xBB\x99i, TP. Hu\xE1\xBA\xBF, "
      "Th\xE1\xBB\xAB\x61 Thi\xC3\xAAn Hu\xE1\xBA\xBF";
  Result<std::string> payload =
      renderQrPayload(defaultQrTemplate(CardModel::kCccd2021), qrValuesFor(a, std::nullopt));
  ASSERT_TRUE(payload.isOk());
  expectZbarDecodes(*payload);
}

TEST(QrCodeTest, MatrixShapeAndErrors) {
  Result<QrMatrix> matrix = encodeQr("001099012345");
  ASSERT_TRUE(matrix.isOk());
  EXPECT_EQ(matrix->size, 17 + 4 * matrix->version);
  EXPECT_EQ(matrix->modules.size(), static_cast<std::size_t>(matrix->size * matrix->size));
  // Finder pattern corner is dark.
  EXPECT_TRUE(matrix->dark(0, 0));
  EXPECT_FALSE(encodeQr("").isOk());
  EXPECT_EQ(encodeQr(std::string(5000, 'x')).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(renderQrPng(*matrix, QrPngOptions{0, 4}).isOk());
  Result<Bytes> png = renderQrPng(*matrix);
  ASSERT_TRUE(png.isOk());
  EXPECT_EQ(hexEncode(Bytes(png->begin(), png->begin() + 8)), "89504e470d0a1a0a");
}

}  // namespace
}  // namespace cardline
