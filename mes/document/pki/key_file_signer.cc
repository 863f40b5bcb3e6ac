#include "mes/document/pki/key_file_signer.h"

#include <fcntl.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "mes/base/date.h"
#include "mes/document/openssl_util.h"
#include "mes/document/sod.h"

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

Result<std::int64_t> readCount(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::int64_t{0};
  CARDLINE_ASSIGN_OR_RETURN(std::string text, readText(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::int64_t value = 0;
  if (text.empty() || text.size() > 18) {
    return invalidArgument(path + ": expected a document count, got \"" + text + "\"");
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return invalidArgument(path + ": expected a document count, got \"" + text + "\"");
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

Status writeCount(const std::string& path, std::int64_t count) {
  const std::string tmp = path + ".tmp";
  const std::string text = std::to_string(count) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return unavailable("cannot write " + tmp + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) ==
                       static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return unavailable("cannot persist the document count in " + path);
  }
  return Status::ok();
}

std::string certTime(const ASN1_TIME* t) {
  ossl::BioPtr bio = ossl::emptyBio();
  if (!bio || ASN1_TIME_print(bio.get(), t) != 1) return "?";
  return toString(ossl::bioContents(bio.get()));
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
  const int der_length = i2d_X509(state->cert.get(), nullptr);
  Bytes der(static_cast<std::size_t>(der_length > 0 ? der_length : 0));
  unsigned char* cursor = der.data();
  if (der_length <= 0 || i2d_X509(state->cert.get(), &cursor) != der_length) {
    return ossl::failure("encoding the DS certificate");
  }
  state->signer_id = "ds-" + hexEncode(sha256(der)).substr(0, 16);
  state->counter_path = options.pki_dir + "/" + state->signer_id + ".count";
  state->max_documents = options.max_documents;
  CARDLINE_ASSIGN_OR_RETURN(state->signed_count, readCount(state->counter_path));
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
  time_t now_seconds = static_cast<time_t>(now.seconds());
  X509* cert = state_->cert.get();
  const std::string who = "Document Signer " + state_->signer_id;
  if (X509_cmp_time(X509_get0_notBefore(cert), &now_seconds) > 0) {
    return failedPrecondition(who + " is not valid before " +
                              certTime(X509_get0_notBefore(cert)) + " (now " +
                              formatIsoTimestamp(now) + ")");
  }
  if (X509_cmp_time(X509_get0_notAfter(cert), &now_seconds) < 0) {
    return failedPrecondition(who + " expired on " + certTime(X509_get0_notAfter(cert)) +
                              " (now " + formatIsoTimestamp(now) + ")");
  }
  if (state_->signed_count >= state_->max_documents) {
    return failedPrecondition(who + " reached its limit of " +
                              std::to_string(state_->max_documents) + " documents");
  }

  const unsigned int flags = CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
  ossl::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  if (!cms) return ossl::failure("CMS_sign");
  ASN1_OBJECT* content_type = OBJ_txt2obj(kLdsSecurityObjectOid, 1);
  const bool typed = content_type != nullptr &&
                     CMS_set1_eContentType(cms.get(), content_type) == 1;
  ASN1_OBJECT_free(content_type);
  if (!typed) return ossl::failure("setting the LDS content type");
  CMS_SignerInfo* signer_info =
      CMS_add1_signer(cms.get(), cert, state_->key.get(), EVP_sha256(), flags);
  if (signer_info == nullptr) return ossl::failure("CMS_add1_signer");
  // Signing time from our Clock (OpenSSL would otherwise read the system clock).
  ASN1_TIME* signing_time = ASN1_TIME_set(nullptr, now_seconds);
  const bool timed =
      signing_time != nullptr &&
      CMS_signed_add1_attr_by_NID(signer_info, NID_pkcs9_signingTime,
                                  ASN1_STRING_type(signing_time), signing_time, -1) == 1;
  ASN1_TIME_free(signing_time);
  if (!timed) return ossl::failure("adding the signing time");
  ossl::BioPtr content = ossl::memoryBio(lds_security_object_der);
  if (!content || CMS_final(cms.get(), content.get(), nullptr, CMS_BINARY | CMS_NOSMIMECAP) != 1) {
    return ossl::failure("CMS_final");
  }
  const int length = i2d_CMS_ContentInfo(cms.get(), nullptr);
  if (length <= 0) return ossl::failure("encoding the CMS");
  Bytes out(static_cast<std::size_t>(length));
  unsigned char* cursor = out.data();
  if (i2d_CMS_ContentInfo(cms.get(), &cursor) != length) return ossl::failure("encoding the CMS");

  CARDLINE_RETURN_IF_ERROR(writeCount(state_->counter_path, state_->signed_count + 1));
  ++state_->signed_count;
  return SignedSecurityObject{std::move(out), state_->signer_id};
}

}  // namespace cardline
