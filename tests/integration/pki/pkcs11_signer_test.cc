// The PKCS#11 Document Signer on a real SoftHSM2 token: the key pair generated in the token, its
// request certified by the test CSCA with the real `openssl x509 -req`, EF.SOD signed in the
// token and verified with `openssl cms -verify`; the key cannot be read out; a wrong PIN; the
// document limit and roll-over; the token going away and coming back.
#include "mes/document/pki/pkcs11_signer.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "mes/document/lds.h"
#include "mes/document/pki/test_pki.h"
#include "mes/document/sod.h"
#include "tests/integration/pki/softhsm.h"

namespace cardline {
namespace {

using testing::runCommand;
using testing::SoftHsm;
using testing::TempDir;

const Timestamp kStart = Timestamp::fromSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::string shellArg(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

class Pkcs11SignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(initTestPki(data_.path().string(), TestPkiOptions(), clock_).isOk());
    token_ = openToken(SoftHsm::kPin);
    ASSERT_NE(token_, nullptr);
  }

  std::unique_ptr<Pkcs11Token> openToken(const std::string& pin) {
    Pkcs11TokenOptions options;
    options.module_path = hsm_.module();
    options.token_label = SoftHsm::kLabel;
    options.pin = pin;
    auto token = Pkcs11Token::open(options);
    EXPECT_TRUE(token.isOk()) << token.status().toString();
    return token.isOk() ? std::move(token).value() : nullptr;
  }

  // A DS key generated in the token and certified by the test CSCA with the real openssl, valid
  // from the clock's now for `days`. Returns the key id.
  Bytes addCertifiedKey(const std::string& label, int days = 90) {
    Result<SignerKeyRequest> request = generateSignerKey(*token_, label, SignerSubject());
    EXPECT_TRUE(request.isOk()) << request.status().toString();
    if (!request.isOk()) return {};
    const auto csr = data_.path() / (label + ".csr");
    const auto cert = data_.path() / (label + ".pem");
    std::ofstream(csr) << request->csr_pem;
    const PkiPaths pki = pkiPaths(data_.path().string());
    // openssl x509 -req starts the validity at the wall clock; the CSCA step here uses the test
    // clock, so it goes through issueSignerCertificate for every key after the first.
    Result<std::string> pem =
        issueSignerCertificate(request->csr_pem, testing::readText(pki.csca_cert),
                               testing::readText(pki.csca_key), days, clock_);
    EXPECT_TRUE(pem.isOk()) << pem.status().toString();
    std::ofstream(cert) << *pem;
    Result<std::string> imported =
        importSignerCertificate(*token_, *pem, testing::readText(pki.csca_cert));
    EXPECT_TRUE(imported.isOk()) << imported.status().toString();
    return request->id;
  }

  std::unique_ptr<Pkcs11Signer> openSigner(std::int64_t max_documents = 100000) {
    Pkcs11SignerOptions options;
    options.counter_dir = pkiPaths(data_.path().string()).dir;
    options.max_documents = max_documents;
    auto signer = Pkcs11Signer::open(*token_, options, clock_);
    EXPECT_TRUE(signer.isOk()) << signer.status().toString();
    return signer.isOk() ? std::move(signer).value() : nullptr;
  }

  static DataGroups groups() {
    DataGroups g;
    g[1] = buildDg1(MrzText{"IDVNM0990123459001099012345<<0", "9903159M2403155VNM<<<<<<<<<<<2",
                            "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"});
    return g;
  }

  // `openssl cms -verify` of an EF.SOD against the test CSCA at the test clock's time.
  testing::CommandResult opensslVerify(const Bytes& ef_sod, const std::string& name) {
    Result<Bytes> cms = unwrapEfSod(ef_sod);
    EXPECT_TRUE(cms.isOk());
    const auto path = data_.path() / (name + ".der");
    testing::writeFile(path, cms.isOk() ? *cms : Bytes{});
    const std::string command = "openssl cms -verify -inform DER -in " + shellArg(path) +
                                " -CAfile " + shellArg(pkiPaths(data_.path().string()).csca_cert) +
                                " -purpose any -attime " + std::to_string(clock_.now().seconds()) +
                                " -out /dev/null 2>&1";
    testing::CommandResult result = runCommand(command);
    result.output = command + "\n" + result.output;
    return result;
  }

  SoftHsm hsm_;
  TempDir data_;
  FakeClock clock_{kStart};
  std::unique_ptr<Pkcs11Token> token_;
};

TEST_F(Pkcs11SignerTest, SignsInTheTokenAndOpensslVerifiesAgainstTheCsca) {
  Result<SignerKeyRequest> request = generateSignerKey(*token_, "ds-2026-01", SignerSubject());
  ASSERT_TRUE(request.isOk()) << request.status().toString();
  // The CSCA's step, done by the real openssl as an offline CSCA would.
  const PkiPaths pki = pkiPaths(data_.path().string());
  const auto csr = data_.path() / "ds.csr";
  const auto ext = data_.path() / "ds.ext";
  const auto cert = data_.path() / "ds-hsm.pem";
  std::ofstream(csr) << request->csr_pem;
  std::ofstream(ext) << "keyUsage = critical, digitalSignature\n"
                        "authorityKeyIdentifier = keyid:always\n";
  testing::CommandResult issued = runCommand(
      "openssl x509 -req -in " + shellArg(csr) + " -CA " + shellArg(pki.csca_cert) + " -CAkey " +
      shellArg(pki.csca_key) + " -days 90 -sha256 -set_serial 0x1234 -extfile " + shellArg(ext) +
      " -out " + shellArg(cert) + " 2>&1");
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  // The CSCA's issue time is the wall clock: sign at that time.
  clock_.set(Timestamp::fromSeconds(std::time(nullptr) + 60));
  Result<std::string> signer_id =
      importSignerCertificate(*token_, testing::readText(cert), testing::readText(pki.csca_cert));
  ASSERT_TRUE(signer_id.isOk()) << signer_id.status().toString();

  auto signer = openSigner();
  ASSERT_NE(signer, nullptr);
  EXPECT_EQ(signer->signerId(), *signer_id);
  Result<EfSod> sod = buildEfSod(groups(), *signer);
  ASSERT_TRUE(sod.isOk()) << sod.status().toString();
  EXPECT_EQ(sod->signer_id, *signer_id);
  EXPECT_EQ(signer->documentsSigned(), 1);
  testing::CommandResult verified = opensslVerify(sod->file, "sod");
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  // Our own Passive Authentication agrees.
  Result<PassiveAuthReport> report = verifyPassiveAuthentication(
      sod->file, groups(), testing::readText(pki.csca_cert), clock_.now());
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  EXPECT_TRUE(report->ok());

  // A certificate for a key the token does not hold is refused.
  Result<std::string> foreign = importSignerCertificate(*token_, testing::readText(pki.ds_cert),
                                                        testing::readText(pki.csca_cert));
  EXPECT_EQ(foreign.status().code(), ErrorCode::kNotFound) << foreign.status().toString();
  // The same certificate twice is refused.
  Result<std::string> again =
      importSignerCertificate(*token_, testing::readText(cert), testing::readText(pki.csca_cert));
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists) << again.status().toString();
}

TEST_F(Pkcs11SignerTest, ThePrivateKeyCannotBeReadOut) {
  const Bytes id = addCertifiedKey("ds-a");
  Result<Bytes> value = token_->keyAttribute(id, TokenObjectKind::kPrivateKey, CKA_VALUE);
  EXPECT_EQ(value.status().code(), ErrorCode::kPermissionDenied) << value.status().toString();
  EXPECT_NE(value.status().message().find("CKR_ATTRIBUTE_SENSITIVE"), std::string::npos)
      << value.status().toString();
  Result<Bytes> extractable =
      token_->keyAttribute(id, TokenObjectKind::kPrivateKey, CKA_EXTRACTABLE);
  ASSERT_TRUE(extractable.isOk()) << extractable.status().toString();
  EXPECT_EQ(*extractable, Bytes{CK_FALSE});
  Result<Bytes> sensitive = token_->keyAttribute(id, TokenObjectKind::kPrivateKey, CKA_SENSITIVE);
  ASSERT_TRUE(sensitive.isOk());
  EXPECT_EQ(*sensitive, Bytes{CK_TRUE});
  Result<Bytes> never =
      token_->keyAttribute(id, TokenObjectKind::kPrivateKey, CKA_NEVER_EXTRACTABLE);
  ASSERT_TRUE(never.isOk());
  EXPECT_EQ(*never, Bytes{CK_TRUE});
  // The listing says the same.
  Result<std::vector<SignerKeyInfo>> keys = listSignerKeys(*token_);
  ASSERT_TRUE(keys.isOk());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_TRUE(keys->front().sensitive);
  EXPECT_FALSE(keys->front().extractable);
  EXPECT_EQ(keys->front().state(), "ready");
}

TEST_F(Pkcs11SignerTest, AWrongPinIsAClearErrorAndNothingIsSigned) {
  addCertifiedKey("ds-a");
  token_.reset();
  Pkcs11TokenOptions options;
  options.module_path = hsm_.module();
  options.token_label = SoftHsm::kLabel;
  options.pin = "000000";
  auto token = Pkcs11Token::open(options);
  ASSERT_FALSE(token.isOk());
  EXPECT_EQ(token.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(token.status().message().find("PIN is wrong"), std::string::npos)
      << token.status().toString();
  EXPECT_NE(token.status().message().find(SoftHsm::kLabel), std::string::npos);
  // No document count was written: nothing was signed.
  for (const auto& entry :
       std::filesystem::directory_iterator(pkiPaths(data_.path().string()).dir)) {
    EXPECT_NE(entry.path().extension(), ".count") << entry.path();
  }
  // A token label that is not there is a clear error too.
  options.pin = SoftHsm::kPin;
  options.token_label = "no-such-token";
  auto missing = Pkcs11Token::open(options);
  EXPECT_EQ(missing.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(missing.status().message().find("no-such-token"), std::string::npos);
}

TEST_F(Pkcs11SignerTest, EnforcesTheValidityWindowAndTheDocumentLimit) {
  addCertifiedKey("ds-a", 30);
  auto signer = openSigner(2);
  ASSERT_NE(signer, nullptr);
  ASSERT_TRUE(buildEfSod(groups(), *signer).isOk());
  ASSERT_TRUE(buildEfSod(groups(), *signer).isOk());
  Result<EfSod> third = buildEfSod(groups(), *signer);
  EXPECT_EQ(third.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(third.status().message().find("limit of 2 documents"), std::string::npos)
      << third.status().toString();
  // The count survives a restart.
  signer.reset();
  auto reopened = openSigner(3);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->documentsSigned(), 2);
  clock_.set(kStart.plusSeconds(31LL * 86400));
  Result<EfSod> late = buildEfSod(groups(), *reopened);
  EXPECT_EQ(late.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("expired on"), std::string::npos)
      << late.status().toString();
  clock_.set(kStart.plusSeconds(-3600));
  Result<EfSod> early = buildEfSod(groups(), *reopened);
  EXPECT_NE(early.status().message().find("not valid before"), std::string::npos)
      << early.status().toString();
  EXPECT_EQ(reopened->documentsSigned(), 2);
}

TEST_F(Pkcs11SignerTest, RollsOverToTheNextSignerAndOldChipsStillVerify) {
  addCertifiedKey("ds-old");
  clock_.advanceMillis(24LL * 3600 * 1000);
  addCertifiedKey("ds-new");
  auto signer = openSigner(2);
  ASSERT_NE(signer, nullptr);
  const std::string old_id = signer->signerId();
  std::vector<EfSod> sods;
  for (int i = 0; i < 4; ++i) {
    Result<EfSod> sod = buildEfSod(groups(), *signer);
    ASSERT_TRUE(sod.isOk()) << i << ": " << sod.status().toString();
    sods.push_back(*sod);
  }
  EXPECT_EQ(sods[0].signer_id, old_id);
  EXPECT_EQ(sods[1].signer_id, old_id);
  EXPECT_NE(sods[2].signer_id, old_id);  // rolled over at the limit
  EXPECT_EQ(sods[3].signer_id, sods[2].signer_id);
  EXPECT_EQ(signer->signerId(), sods[2].signer_id);
  Result<EfSod> fifth = buildEfSod(groups(), *signer);
  EXPECT_EQ(fifth.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(fifth.status().message().find(old_id), std::string::npos) << fifth.status().toString();
  // Chips signed by either key verify against the CSCA, with the real openssl.
  for (std::size_t i = 0; i < sods.size(); ++i) {
    testing::CommandResult verified = opensslVerify(sods[i].file, "sod" + std::to_string(i));
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
  }
  // Retiring the old key destroys its private key; its certificate stays in the token.
  Result<SignerKeyInfo> retired = retireSigner(*token_, old_id);
  ASSERT_TRUE(retired.isOk()) << retired.status().toString();
  Result<std::vector<SignerKeyInfo>> keys = listSignerKeys(*token_);
  ASSERT_TRUE(keys.isOk());
  int retired_count = 0;
  for (const SignerKeyInfo& key : *keys) {
    if (key.signer_id == old_id) {
      EXPECT_EQ(key.state(), "retired");
      EXPECT_FALSE(key.has_private_key);
      ++retired_count;
    }
  }
  EXPECT_EQ(retired_count, 1);
  EXPECT_EQ(retireSigner(*token_, old_id).status().code(), ErrorCode::kFailedPrecondition);
  // A chip signed before the retirement still verifies.
  EXPECT_EQ(opensslVerify(sods[0].file, "after-retire").exit_code, 0);
}

TEST_F(Pkcs11SignerTest, ATokenThatGoesAwayIsUnavailableAndIsUsedAgainWhenBack) {
  addCertifiedKey("ds-a");
  auto signer = openSigner();
  ASSERT_NE(signer, nullptr);
  ASSERT_TRUE(buildEfSod(groups(), *signer).isOk());

  // Pull the token: the module loses every session (C_Finalize through the same module, as a
  // reset of the HSM would) and its storage disappears.
  void* library = ::dlopen(hsm_.module().c_str(), RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(library, nullptr);
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(library, "C_GetFunctionList"));
  CK_FUNCTION_LIST* f = nullptr;
  ASSERT_EQ(get_list(&f), CKR_OK);
  ASSERT_EQ(f->C_Finalize(nullptr), CKR_OK);
  const auto away = hsm_.dir() / "tokens-away";
  std::filesystem::rename(hsm_.tokenDir(), away);

  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<EfSod> refused = buildEfSod(groups(), *signer);
    ASSERT_FALSE(refused.isOk());
    EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable) << refused.status().toString();
    EXPECT_NE(refused.status().message().find("PKCS#11"), std::string::npos)
        << refused.status().toString();
  }
  EXPECT_EQ(signer->documentsSigned(), 1);

  // Back: the next document is signed without reopening anything.
  std::filesystem::rename(away, hsm_.tokenDir());
  Result<EfSod> back = buildEfSod(groups(), *signer);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(signer->documentsSigned(), 2);
  EXPECT_EQ(opensslVerify(back->file, "back").exit_code, 0);
  ::dlclose(library);
}

}  // namespace
}  // namespace cardline

#include "mes/security/key_file.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/security/pkcs11/wrapped_key.h"

namespace cardline {
namespace {

// The personal-data key wrapped by a token key: the wrapped text alone opens nothing, the token
// unwraps it to the same key, another token cannot, an altered text is data loss.
TEST(WrappedKeyTest, ThePiiKeyIsWrappedByATokenKeyAndOnlyThatTokenUnwrapsIt) {
  Bytes master(kMasterKeySize);
  for (std::size_t i = 0; i < master.size(); ++i) master[i] = static_cast<unsigned char>(i * 7 + 1);
  std::string wrapped_text;
  Bytes sealed;
  {
    SoftHsm hsm;
    Pkcs11TokenOptions options{hsm.module(), SoftHsm::kLabel, SoftHsm::kPin};
    auto token = Pkcs11Token::open(options);
    ASSERT_TRUE(token.isOk()) << token.status().toString();
    Result<std::string> wrapped = wrapSecret(**token, master);
    ASSERT_TRUE(wrapped.isOk()) << wrapped.status().toString();
    wrapped_text = *wrapped;
    EXPECT_TRUE(isWrappedKeyText(wrapped_text));
    EXPECT_EQ(wrapped_text.find(hexEncode(master)), std::string::npos);  // not in clear
    // The wrapping key itself cannot be read out.
    Result<Bytes> value = (*token)->keyAttribute(toBytes(kPiiWrappingKeyLabel),
                                                 TokenObjectKind::kSecretKey, CKA_VALUE);
    EXPECT_EQ(value.status().code(), ErrorCode::kPermissionDenied);

    Result<Bytes> unwrapped = unwrapSecret(**token, wrapped_text);
    ASSERT_TRUE(unwrapped.isOk()) << unwrapped.status().toString();
    EXPECT_EQ(*unwrapped, master);
    auto protector = AesGcmPiiProtector::create(*unwrapped);
    ASSERT_TRUE(protector.isOk());
    sealed = (*protector)->seal(toBytes("Nguyen Van A"), "person:1").value();

    std::string altered = wrapped_text;
    altered[altered.size() - 3] = altered[altered.size() - 3] == '0' ? '1' : '0';
    EXPECT_EQ(unwrapSecret(**token, altered).status().code(), ErrorCode::kDataLoss)
        << unwrapSecret(**token, altered).status().toString();
    EXPECT_EQ(unwrapSecret(**token, "00112233").status().code(), ErrorCode::kInvalidArgument);
  }
  // Another token (same label and PIN, new keys) cannot unwrap: the text alone is useless.
  SoftHsm other;
  Pkcs11TokenOptions options{other.module(), SoftHsm::kLabel, SoftHsm::kPin};
  auto token = Pkcs11Token::open(options);
  ASSERT_TRUE(token.isOk()) << token.status().toString();
  Result<Bytes> foreign = unwrapSecret(**token, wrapped_text);
  EXPECT_FALSE(foreign.isOk());
  EXPECT_NE(foreign.status().code(), ErrorCode::kOk);
  EXPECT_FALSE(sealed.empty());
}

}  // namespace
}  // namespace cardline
