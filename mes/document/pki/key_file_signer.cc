#include "mes/document/pki/key_file_signer.h"

#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "mes/document/openssl_util.h"
#include "mes/document/pki/signing.h"

namespace cardline {

struct KeyFileSigner::State {
  ossl::X509Ptr cert;
  ossl::KeyPtr key;
  std::string signer_id;
  std::string counter_path;
  std::int64_t max_documents = 0;
  mutable std::mutex mu;
  std::int64_t signed_count = 0;  // guarded by mu
};

namespace {

Result<std::string> readText(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return notFound(path + " does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) return unavailable("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

KeyFileSigner::KeyFileSigner(std::unique_ptr<State> state, const Clock& clock)
    : state_(std::move(state)), clock_(clock) {}

KeyFileSigner::~KeyFileSigner() = default;

Result<std::unique_ptr<KeyFileSigner>> KeyFileSigner::open(const KeyFileSignerOptions& options,
                                                           const Clock& clock) {
  if (options.max_documents < 1) return invalidArgument("max_documents must be at least 1");
  const std::string cert_path = options.pki_dir + "/ds.pem";
  const std::string key_path = options.pki_dir + "/ds.key";
  CARDLINE_ASSIGN_OR_RETURN(std::string cert_pem, readText(cert_path));
  CARDLINE_ASSIGN_OR_RETURN(std::string key_pem, readText(key_path));
  auto state = std::make_unique<State>();
  std::vector<ossl::X509Ptr> certs = ossl::readCertificates(cert_pem);
  if (certs.empty()) return invalidArgument(cert_path + " holds no PEM certificate");
  state->cert = std::move(certs.front());
  ossl::BioPtr key_bio = ossl::memoryBio(key_pem);
  state->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!state->key) {
    ossl::drainErrors();
    return invalidArgument(key_path + " holds no readable (unencrypted) PEM private key");
  }
  if (X509_check_private_key(state->cert.get(), state->key.get()) != 1) {
    ossl::drainErrors();
    return invalidArgument(key_path + " does not belong to the certificate " + cert_path);
  }
  CARDLINE_ASSIGN_OR_RETURN(state->signer_id, pki::signerIdOf(state->cert.get()));
  state->counter_path = options.pki_dir + "/" + state->signer_id + ".count";
  state->max_documents = options.max_documents;
  CARDLINE_ASSIGN_OR_RETURN(state->signed_count, pki::readDocumentCount(state->counter_path));
  return std::unique_ptr<KeyFileSigner>(new KeyFileSigner(std::move(state), clock));
}

std::string KeyFileSigner::signerId() const { return state_->signer_id; }

std::int64_t KeyFileSigner::documentsSigned() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->signed_count;
}

Result<SignedSecurityObject> KeyFileSigner::signSecurityObject(
    const Bytes& lds_security_object_der) {
  if (lds_security_object_der.empty()) {
    return invalidArgument("nothing to sign: the LDS security object is empty");
  }
  std::lock_guard<std::mutex> lock(state_->mu);
  const Timestamp now = clock_.now();
  CARDLINE_RETURN_IF_ERROR(pki::checkSignerLimits(state_->cert.get(),
                                                  "Document Signer " + state_->signer_id, now,
                                                  state_->signed_count, state_->max_documents));
  CARDLINE_ASSIGN_OR_RETURN(Bytes out,
                            pki::signLdsSecurityObject(state_->cert.get(), state_->key.get(),
                                                       lds_security_object_der, now));
  CARDLINE_RETURN_IF_ERROR(pki::writeDocumentCount(state_->counter_path, state_->signed_count + 1));
  ++state_->signed_count;
  return SignedSecurityObject{std::move(out), state_->signer_id};
}

}  // namespace cardline
