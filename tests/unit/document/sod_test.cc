// EF.SOD, the key-file Document Signer and the test PKI, in process (real OpenSSL, real files
// in a temporary directory). The outside-tool checks are in document_tools_test.cc.
#include "mes/document/sod.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "mes/document/chip.h"
#include "mes/document/lds.h"
#include "mes/document/pki/key_file_signer.h"
#include "mes/document/pki/test_pki.h"
#include "mes/document/tlv.h"
#include "tests/unit/document/test_support.h"

namespace cardline {
namespace {

using testing::TempDir;

constexpr std::int64_t kDay = 86400;
const Timestamp kStart = Timestamp::fromSeconds(1767225600);  // 2026-01-01T00:00:00Z

DataGroups sampleGroups() {
  DataGroups groups;
  groups[1] = buildDg1(MrzText{"IDVNM0990123459001099012345<<0",
                               "9903159M2403155VNM<<<<<<<<<<<2",
                               "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"});
  groups[2] = buildDg2(testing::readFixture("face.jpg")).value();
  NationalData data;
  data.personal_number = "001099012345";
  data.full_name = "Nguy\xE1\xBB\x85n V\xC4\x83n A";
  groups[13] = buildDg13(data);
  return groups;
}

class SodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.set(kStart);
    Result<PkiPaths> paths = initTestPki(dir_.path().string(), TestPkiOptions(), clock_);
    ASSERT_TRUE(paths.isOk()) << paths.status().toString();
    paths_ = *paths;
    csca_pem_ = testing::readText(paths_.csca_cert);
  }

  std::unique_ptr<KeyFileSigner> openSigner(std::int64_t max_documents = 100000) {
    KeyFileSignerOptions options;
    options.pki_dir = paths_.dir;
    options.max_documents = max_documents;
    Result<std::unique_ptr<KeyFileSigner>> signer = KeyFileSigner::open(options, clock_);
    EXPECT_TRUE(signer.isOk()) << signer.status().toString();
    return signer.isOk() ? std::move(signer).value() : nullptr;
  }

  TempDir dir_;
  FakeClock clock_;
  PkiPaths paths_;
  std::string csca_pem_;
};

TEST(LdsSecurityObjectTest, DerLayoutAndRoundTrip) {
  DataGroups groups{{1, toBytes("a")}, {13, toBytes("b")}};
  const Bytes der = encodeLdsSecurityObject(groups);
  // SEQUENCE { INTEGER 0, SEQUENCE { OID sha256 }, SEQUENCE { ... } }
  EXPECT_EQ(hexEncode(Bytes(der.begin(), der.begin() + 20)),
            "306002010030" "0b0609608648016503040201" "304e");
  Result<std::map<int, Bytes>> hashes = parseLdsSecurityObject(der);
  ASSERT_TRUE(hashes.isOk()) << hashes.status().toString();
  ASSERT_EQ(hashes->size(), 2u);
  EXPECT_EQ(hexEncode(hashes->at(1)),
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");  // SHA-256("a")
  EXPECT_EQ(hashes->at(13), sha256(toBytes("b")));
  Bytes bad = der;
  bad[4] = 0x01;  // version 1
  EXPECT_FALSE(parseLdsSecurityObject(bad).isOk());
}

TEST_F(SodTest, PkiFilesAndModes) {
  for (const std::string* key : {&paths_.csca_key, &paths_.ds_key}) {
    struct stat st {};
    ASSERT_EQ(::stat(key->c_str(), &st), 0) << *key;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << *key;
  }
  EXPECT_NE(csca_pem_.find("BEGIN CERTIFICATE"), std::string::npos);
  // Idempotent: a second init refuses and leaves the files alone.
  Result<PkiPaths> again = initTestPki(dir_.path().string(), TestPkiOptions(), clock_);
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(testing::readText(paths_.csca_cert), csca_pem_);
  TestPkiOptions force;
  force.overwrite = PkiOverwrite::kReplace;
  ASSERT_TRUE(initTestPki(dir_.path().string(), force, clock_).isOk());
  EXPECT_NE(testing::readText(paths_.csca_cert), csca_pem_);
  TestPkiOptions bad;
  bad.ds_validity_days = 5000;
  bad.overwrite = PkiOverwrite::kReplace;
  EXPECT_EQ(initTestPki(dir_.path().string(), bad, clock_).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(SodTest, SignAndVerifyPassiveAuthentication) {
  auto signer = openSigner();
  ASSERT_NE(signer, nullptr);
  const DataGroups groups = sampleGroups();
  Result<EfSod> sod = buildEfSod(groups, *signer);
  ASSERT_TRUE(sod.isOk()) << sod.status().toString();
  EXPECT_EQ(sod->file[0], 0x77);
  EXPECT_EQ(sod->signer_id, signer->signerId());
  EXPECT_EQ(signer->signerId().rfind("ds-", 0), 0u);
  EXPECT_EQ(signer->documentsSigned(), 1);

  Result<PassiveAuthReport> report =
      verifyPassiveAuthentication(sod->file, groups, csca_pem_, kStart.plusSeconds(kDay));
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
  EXPECT_NE(report->signer_subject.find("cardline test Document Signer"), std::string::npos);
}

TEST_F(SodTest, TamperedDataGroupIsReported) {
  auto signer = openSigner();
  ASSERT_NE(signer, nullptr);
  DataGroups groups = sampleGroups();
  Result<EfSod> sod = buildEfSod(groups, *signer);
  ASSERT_TRUE(sod.isOk());
  groups[13].back() ^= 0x01;
  groups.erase(2);
  groups[11] = toBytes("extra");
  PassiveAuthReport report =
      verifyPassiveAuthentication(sod->file, groups, csca_pem_, kStart).value();
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(report.signature_ok);
  EXPECT_TRUE(report.chain_ok);
  EXPECT_EQ(report.mismatched, std::vector<int>{13});
  EXPECT_EQ(report.missing, std::vector<int>{2});
  EXPECT_EQ(report.not_in_sod, std::vector<int>{11});
}

TEST_F(SodTest, TamperedSignatureAndForeignCscaAreReported) {
  auto signer = openSigner();
  ASSERT_NE(signer, nullptr);
  const DataGroups groups = sampleGroups();
  Bytes file = buildEfSod(groups, *signer).value().file;

  // Another CSCA: the signature is fine, the chain is not.
  TempDir other;
  ASSERT_TRUE(initTestPki(other.path().string(), TestPkiOptions(), clock_).isOk());
  const std::string other_csca = testing::readText(pkiPaths(other.path().string()).csca_cert);
  PassiveAuthReport foreign =
      verifyPassiveAuthentication(file, groups, other_csca, kStart).value();
  EXPECT_TRUE(foreign.signature_ok);
  EXPECT_FALSE(foreign.chain_ok);
  EXPECT_FALSE(foreign.ok());

  // After the DS certificate expired, the chain check at that time fails.
  PassiveAuthReport late =
      verifyPassiveAuthentication(file, groups, csca_pem_, kStart.plusSeconds(100 * kDay))
          .value();
  EXPECT_FALSE(late.chain_ok);

  // Flip a byte of the signature (the last bytes of the CMS are the ECDSA signature value).
  file[file.size() - 3] ^= 0x55;
  PassiveAuthReport broken = verifyPassiveAuthentication(file, groups, csca_pem_, kStart).value();
  EXPECT_FALSE(broken.ok());
  EXPECT_FALSE(broken.signature_ok && broken.structure_ok);

  PassiveAuthReport garbage =
      verifyPassiveAuthentication(toBytes("not a sod"), groups, csca_pem_, kStart).value();
  EXPECT_FALSE(garbage.structure_ok);
  EXPECT_FALSE(garbage.problems.empty());
  EXPECT_EQ(verifyPassiveAuthentication(file, groups, "no pem", kStart).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(SodTest, SignerRefusesOutsideItsValidityWindow) {
  auto signer = openSigner();
  ASSERT_NE(signer, nullptr);
  const Bytes lso = encodeLdsSecurityObject(sampleGroups());
  clock_.set(kStart.plusSeconds(-kDay));
  Result<SignedSecurityObject> early = signer->signSecurityObject(lso);
  ASSERT_EQ(early.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(early.status().message().find("not valid before"), std::string::npos);
  clock_.set(kStart.plusSeconds(89 * kDay));
  EXPECT_TRUE(signer->signSecurityObject(lso).isOk());
  clock_.set(kStart.plusSeconds(91 * kDay));
  Result<SignedSecurityObject> late = signer->signSecurityObject(lso);
  ASSERT_EQ(late.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("expired"), std::string::npos);
  EXPECT_EQ(signer->documentsSigned(), 1);
}

TEST_F(SodTest, SignerRefusesPastItsMaximumCountAndPersistsTheCount) {
  const Bytes lso = encodeLdsSecurityObject(sampleGroups());
  {
    auto signer = openSigner(3);
    ASSERT_NE(signer, nullptr);
    EXPECT_TRUE(signer->signSecurityObject(lso).isOk());
    EXPECT_TRUE(signer->signSecurityObject(lso).isOk());
  }
  auto reopened = openSigner(3);  // a restart keeps the count
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->documentsSigned(), 2);
  EXPECT_TRUE(reopened->signSecurityObject(lso).isOk());
  Result<SignedSecurityObject> refused = reopened->signSecurityObject(lso);
  ASSERT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("limit of 3 documents"), std::string::npos);
  EXPECT_EQ(reopened->documentsSigned(), 3);
  EXPECT_EQ(testing::readText(paths_.dir + "/" + reopened->signerId() + ".count"), "3\n");
}

TEST_F(SodTest, ChipFilesVerifyEndToEnd) {
  auto signer = openSigner();
  ASSERT_NE(signer, nullptr);
  NationalData data;
  data.full_name = "Nguy\xE1\xBB\x85n V\xC4\x83n A";
  const MrzText mrz{"IDVNM0990123459001099012345<<0", "9903159M2403155VNM<<<<<<<<<<<2",
                    "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"};
  Result<ChipFiles> chip = buildChipFiles(mrz, testing::readFixture("face.jpg"), data, *signer);
  ASSERT_TRUE(chip.isOk()) << chip.status().toString();
  EXPECT_EQ(chip->signer_id, signer->signerId());
  EXPECT_EQ(parseEfCom(chip->ef_com).value().tag_list,
            (std::vector<std::uint8_t>{0x61, 0x75, 0x6D}));
  EXPECT_TRUE(verifyPassiveAuthentication(chip->ef_sod, chip->dataGroups(), csca_pem_, kStart)
                  .value()
                  .ok());
  EXPECT_EQ(buildChipFiles(mrz, toBytes("GIF89a"), data, *signer).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(signer->documentsSigned(), 1);

  // No photo (a child under 6): no DG2, EF.COM lists DG1 and DG13, the SOD hashes those two
  // and Passive Authentication passes without DG2.
  Result<ChipFiles> child = buildChipFiles(mrz, Bytes{}, data, *signer);
  ASSERT_TRUE(child.isOk()) << child.status().toString();
  EXPECT_TRUE(child->dg2.empty());
  EXPECT_EQ(parseEfCom(child->ef_com).value().tag_list, (std::vector<std::uint8_t>{0x61, 0x6D}));
  EXPECT_EQ(child->dataGroups().count(2), 0u);
  EXPECT_TRUE(verifyPassiveAuthentication(child->ef_sod, child->dataGroups(), csca_pem_, kStart)
                  .value()
                  .ok());
}

TEST_F(SodTest, SignerOpenFailures) {
  KeyFileSignerOptions options;
  options.pki_dir = (dir_.path() / "nowhere").string();
  EXPECT_EQ(KeyFileSigner::open(options, clock_).status().code(), ErrorCode::kNotFound);
  // A key that does not belong to the certificate.
  TempDir other;
  ASSERT_TRUE(initTestPki(other.path().string(), TestPkiOptions(), clock_).isOk());
  std::filesystem::copy_file(pkiPaths(other.path().string()).ds_key, paths_.ds_key,
                             std::filesystem::copy_options::overwrite_existing);
  options.pki_dir = paths_.dir;
  EXPECT_EQ(KeyFileSigner::open(options, clock_).status().code(), ErrorCode::kInvalidArgument);
  options.max_documents = 0;
  EXPECT_FALSE(KeyFileSigner::open(options, clock_).isOk());
}

}  // namespace
}  // namespace cardline
