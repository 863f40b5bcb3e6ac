// `cardline pki` as an operator runs it (the real binary of this build) against a SoftHSM2 token:
// generate a Document Signer key in the token, have the test CSCA certify its request, import
// the certificate, prepare a card whose EF.SOD the token signs (verified with the real openssl),
// retire the key; every step in the audit trail; a wrong PIN is a clear error.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "mes/document/sod.h"
#include "tests/integration/pki/softhsm.h"

namespace cardline {
namespace {

using testing::CommandResult;
using testing::runCommand;
using testing::SoftHsm;

std::string sourceDir() { return std::getenv("CARDLINE_SOURCE_DIR"); }
std::string binaryDir() { return std::getenv("CARDLINE_BINARY_DIR"); }
std::string arg(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

class PkiCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = hsm_.dir() / "cardline.yaml";
    std::ofstream(config_) << "data_dir: data\n"
                           << "resources_dir: " << sourceDir() << "\n"
                           << "signer:\n  backend: pkcs11\n  pkcs11:\n"
                           << "    module: " << hsm_.module() << "\n"
                           << "    token_label: " << SoftHsm::kLabel << "\n"
                           << "    pin_env: CARDLINE_TEST_HSM_PIN\n";
    ::setenv("CARDLINE_TEST_HSM_PIN", SoftHsm::kPin, 1);
  }
  void TearDown() override { ::unsetenv("CARDLINE_TEST_HSM_PIN"); }

  // Runs cardline with the test configuration; output is stdout and stderr.
  CommandResult cardline(const std::string& arguments) {
    CommandResult result =
        runCommand("cd " + arg(hsm_.dir()) + " && " + arg(binaryDir() + "/mes/app/cardline") + " " +
                   arguments + " --config " + arg(config_) + " 2>&1");
    result.output = "cardline " + arguments + "\n" + result.output;
    return result;
  }

  std::filesystem::path dataDir() const { return hsm_.dir() / "data"; }

  SoftHsm hsm_;
  std::filesystem::path config_;
};

TEST_F(PkiCliTest, TheKeyCeremonyOnTheTokenSignsCardsAndIsAudited) {
  ASSERT_EQ(cardline("migrate").exit_code, 0);
  ASSERT_EQ(cardline("pki init").exit_code, 0);  // the test CSCA

  CommandResult generated =
      cardline("pki generate-key --label ds-2026-a --out ds.csr --actor key-officer");
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  CommandResult request =
      runCommand("openssl req -in " + arg(hsm_.dir() / "ds.csr") + " -noout -verify -subject 2>&1");
  EXPECT_EQ(request.exit_code, 0) << request.output;
  EXPECT_NE(request.output.find("CN = cardline Document Signer"), std::string::npos)
      << request.output;

  // The request of the same key again (same public key).
  ASSERT_EQ(cardline("pki request ds-2026-a --out again.csr").exit_code, 0);
  CommandResult keys = runCommand(
      "openssl req -in " + arg(hsm_.dir() / "ds.csr") + " -noout -pubkey && openssl req -in " +
      arg(hsm_.dir() / "again.csr") + " -noout -verify -pubkey 2>/dev/null");
  EXPECT_EQ(keys.exit_code, 0) << keys.output;
  const std::size_t half = keys.output.size() / 2;
  EXPECT_EQ(keys.output.substr(0, half), keys.output.substr(half)) << keys.output;

  CommandResult listed = cardline("pki list");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("ds-2026-a"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("awaiting certificate"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("sensitive, not extractable"), std::string::npos) << listed.output;

  // Before the certificate is imported the line cannot sign: a clear error.
  std::filesystem::copy(sourceDir() + "/tests/data/intake/images", hsm_.dir() / "images",
                        std::filesystem::copy_options::recursive);
  {
    std::ifstream in(sourceDir() + "/tests/data/intake/valid.jsonl");
    std::string first;
    std::getline(in, first);
    std::ofstream(hsm_.dir() / "app.json") << first << "\n";
  }
  CommandResult early = cardline("prepare app.json --out early");
  EXPECT_NE(early.exit_code, 0);
  EXPECT_NE(early.output.find("holds no Document Signer key with a certificate"), std::string::npos)
      << early.output;

  ASSERT_EQ(cardline("pki sign-request ds.csr --out ds-hsm.pem --days 30").exit_code, 0);
  CommandResult imported = cardline("pki import-cert ds-hsm.pem");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  const std::size_t at = imported.output.find("Document Signer ds-");
  ASSERT_NE(at, std::string::npos) << imported.output;
  const std::string signer_id = imported.output.substr(at + 16, 19);

  CommandResult prepared = cardline("prepare app.json --out card");
  ASSERT_EQ(prepared.exit_code, 0) << prepared.output;
  EXPECT_NE(prepared.output.find("signed by " + signer_id), std::string::npos) << prepared.output;
  Result<Bytes> cms = unwrapEfSod(toBytes(testing::readText(hsm_.dir() / "card/chip/EF.SOD")));
  ASSERT_TRUE(cms.isOk()) << cms.status().toString();
  testing::writeFile(hsm_.dir() / "sod.der", *cms);
  CommandResult verified = runCommand(
      "openssl cms -verify -inform DER -in " + arg(hsm_.dir() / "sod.der") + " -CAfile " +
      arg(dataDir() / "pki/csca.pem") + " -purpose any -out /dev/null 2>&1");
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  CommandResult retired = cardline("pki retire " + signer_id);
  ASSERT_EQ(retired.exit_code, 0) << retired.output;
  CommandResult after = cardline("pki list");
  EXPECT_NE(after.output.find("retired"), std::string::npos) << after.output;
  EXPECT_EQ(after.output.find("private key"), std::string::npos) << after.output;
  EXPECT_NE(cardline("pki retire " + signer_id).exit_code, 0);

  // Every step is in the hash-chained audit trail.
  CommandResult audit = runCommand("sqlite3 " + arg(dataDir() / "cardline.db") +
                                   " 'SELECT actor, action FROM audit_entries ORDER BY seq' 2>&1");
  ASSERT_EQ(audit.exit_code, 0) << audit.output;
  EXPECT_EQ(audit.output,
            "key-officer|pki.generate_key\n"
            "system|pki.export_request\n"
            "system|pki.list\n"
            "system|pki.sign_request\n"
            "system|pki.import_cert\n"
            "system|pki.retire\n"
            "system|pki.list\n");
  CommandResult intact = cardline("audit verify");
  EXPECT_EQ(intact.exit_code, 0) << intact.output;
}

TEST_F(PkiCliTest, AWrongOrMissingPinIsAClearError) {
  ASSERT_EQ(cardline("migrate").exit_code, 0);
  ::setenv("CARDLINE_TEST_HSM_PIN", "000000", 1);
  CommandResult wrong = cardline("pki generate-key --label ds-x --out x.csr");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("the PIN is wrong"), std::string::npos) << wrong.output;
  EXPECT_FALSE(std::filesystem::exists(hsm_.dir() / "x.csr"));
  ::unsetenv("CARDLINE_TEST_HSM_PIN");
  CommandResult missing = cardline("pki list");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("set the environment variable CARDLINE_TEST_HSM_PIN"),
            std::string::npos)
      << missing.output;
  // Nothing was generated.
  ::setenv("CARDLINE_TEST_HSM_PIN", SoftHsm::kPin, 1);
  CommandResult listed = cardline("pki list");
  EXPECT_NE(listed.output.find("0 key(s)"), std::string::npos) << listed.output;
}

TEST_F(PkiCliTest, ThePersonalDataKeyWrappedByTheTokenOpensOnlyWithTheToken) {
  ASSERT_EQ(cardline("migrate").exit_code, 0);
  std::filesystem::copy(sourceDir() + "/tests/data/intake/images", hsm_.dir() / "images",
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy(sourceDir() + "/tests/data/intake/valid.jsonl", hsm_.dir() / "apps.jsonl");
  CommandResult imported = cardline("import apps.jsonl");
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  ASSERT_EQ(cardline("track 001090123456").exit_code, 0);

  CommandResult wrapped = cardline("pki wrap-pii-key");
  ASSERT_EQ(wrapped.exit_code, 0) << wrapped.output;
  const std::string key_text = testing::readText(dataDir() / "keys/pii.key");
  EXPECT_EQ(key_text.rfind("cardline-wrapped-key v1\n", 0), 0u) << key_text;
  EXPECT_EQ(std::filesystem::status(dataDir() / "keys/pii.key").permissions() &
                (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);

  // The data directory alone opens nothing: without the token the key file is not a key.
  CommandResult alone = cardline("track 001090123456");
  EXPECT_NE(alone.exit_code, 0) << alone.output;

  // With the token (security.pii_key_protection: pkcs11) the same query finds the person.
  std::ofstream(config_, std::ios::app) << "security:\n  pii_key_protection: pkcs11\n";
  CommandResult found = cardline("track 001090123456");
  EXPECT_EQ(found.exit_code, 0) << found.output;
  ::setenv("CARDLINE_TEST_HSM_PIN", "000000", 1);
  CommandResult wrong_pin = cardline("track 001090123456");
  EXPECT_NE(wrong_pin.exit_code, 0);
  EXPECT_NE(wrong_pin.output.find("the PIN is wrong"), std::string::npos) << wrong_pin.output;
}

}  // namespace
}  // namespace cardline

namespace cardline {
namespace {

// `cardline demo --hsm`: the same line, every chip signed in a SoftHSM2 token in DATA_DIR/hsm.
TEST(DemoHsmTest, TheLineSignsEveryChipInTheToken) {
  testing::TempDir dir;
  const std::filesystem::path data = dir.path() / "demo";
  CommandResult demo = runCommand(arg(binaryDir() + "/mes/app/cardline") +
                                  " demo --hsm --applications 4 --seed 3 "
                                  "--exit-when-done --port 0 --data-dir " +
                                  arg(data) + " 2>&1");
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  EXPECT_NE(demo.output.find("Document Signer: pkcs11 (token \"cardline-demo\")"),
            std::string::npos)
      << demo.output;
  const std::size_t at = demo.output.find("generated Document Signer ds-");
  ASSERT_NE(at, std::string::npos) << demo.output;
  const std::string signer_id = demo.output.substr(at + 26, 19);
  // Every encoded card names the token's signer; the key-file DS signed none.
  CommandResult signers = runCommand("sqlite3 " + arg(data / "cardline.db") +
                                     " 'SELECT DISTINCT signer_id FROM cards "
                                     "WHERE signer_id IS NOT NULL AND signer_id <> \"\"' 2>&1");
  ASSERT_EQ(signers.exit_code, 0) << signers.output;
  EXPECT_EQ(signers.output, signer_id + "\n") << demo.output;
  EXPECT_TRUE(std::filesystem::exists(data / "hsm" / "tokens"));
}

}  // namespace
}  // namespace cardline
