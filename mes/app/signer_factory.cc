#include "mes/app/signer_factory.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mes/document/pki/key_file_signer.h"
#include "mes/document/pki/pkcs11_signer.h"
#include "mes/document/pki/test_pki.h"

namespace cardline::app {
namespace {

// A Pkcs11Signer together with the token it signs with (the token outlives the signer).
class TokenSigner final : public Signer {
 public:
  TokenSigner(std::unique_ptr<Pkcs11Token> token, std::unique_ptr<Pkcs11Signer> signer)
      : token_(std::move(token)), signer_(std::move(signer)) {}
  ~TokenSigner() override { signer_.reset(); }
  Result<SignedSecurityObject> signSecurityObject(const Bytes& lds) override {
    return signer_->signSecurityObject(lds);
  }
  std::string signerId() const override { return signer_->signerId(); }
  std::int64_t documentsSigned() const override { return signer_->documentsSigned(); }

 private:
  std::unique_ptr<Pkcs11Token> token_;
  std::unique_ptr<Pkcs11Signer> signer_;
};

}  // namespace

Result<std::string> readTokenPin(const Config& config) {
  const Pkcs11Settings& hsm = config.signer.pkcs11;
  std::string pin;
  if (!hsm.pin_file.empty()) {
    const std::string path = config.underDataDir(hsm.pin_file, "");
    std::ifstream in(path);
    if (!in)
      return notFound("cannot read the token PIN file " + path + " (signer.pkcs11.pin_file)");
    std::getline(in, pin);
    if (!pin.empty() && pin.back() == '\r') pin.pop_back();
    if (pin.empty()) return invalidArgument("the token PIN file " + path + " is empty");
    return pin;
  }
  const char* value = hsm.pin_env.empty() ? nullptr : std::getenv(hsm.pin_env.c_str());
  if (value == nullptr) {
    return notFound(
        "no token PIN: set the environment variable " +
        (hsm.pin_env.empty() ? std::string("named by signer.pkcs11.pin_env") : hsm.pin_env) +
        " or signer.pkcs11.pin_file in " + config.source);
  }
  pin = value;
  if (pin.empty()) return invalidArgument("the token PIN in " + hsm.pin_env + " is empty");
  return pin;
}

Result<std::unique_ptr<Pkcs11Token>> openConfiguredToken(const Config& config) {
  Pkcs11TokenOptions options;
  options.module_path = config.signer.pkcs11.module;
  options.token_label = config.signer.pkcs11.token_label;
  if (options.module_path.empty()) {
    return invalidArgument("signer.pkcs11.module (the PKCS#11 module path) is not set in " +
                           config.source);
  }
  CARDLINE_ASSIGN_OR_RETURN(options.pin, readTokenPin(config));
  auto token = Pkcs11Token::open(options);
  if (!token.isOk()) return token.status().withContext("signer.pkcs11 in " + config.source);
  return token;
}

Result<std::unique_ptr<Signer>> openConfiguredSigner(const Config& config, const Clock& clock) {
  const PkiPaths pki = pkiPaths(config.data_dir);
  if (config.signer.backend == SignerBackend::kKeyFile) {
    KeyFileSignerOptions options;
    options.pki_dir = pki.dir;
    options.max_documents = config.signer.max_documents;
    auto signer = KeyFileSigner::open(options, clock);
    if (!signer.isOk()) {
      return signer.status().withContext("opening the Document Signer in " + pki.dir +
                                         " (create a test PKI with `cardline pki init`)");
    }
    return std::unique_ptr<Signer>(std::move(signer).value());
  }
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Token> token, openConfiguredToken(config));
  std::error_code ec;
  std::filesystem::create_directories(pki.dir, ec);  // the document counts live there
  if (ec) return unavailable("cannot create " + pki.dir + ": " + ec.message());
  Pkcs11SignerOptions options;
  options.counter_dir = pki.dir;
  options.max_documents = config.signer.max_documents;
  auto signer = Pkcs11Signer::open(*token, options, clock);
  if (!signer.isOk()) {
    return signer.status().withContext("opening the Document Signer in PKCS#11 token \"" +
                                       config.signer.pkcs11.token_label + "\"");
  }
  return std::unique_ptr<Signer>(
      std::make_unique<TokenSigner>(std::move(token), std::move(signer).value()));
}

}  // namespace cardline::app
