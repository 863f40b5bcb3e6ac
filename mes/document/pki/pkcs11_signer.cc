// The key stays in the token: OpenSSL sees an EC_KEY holding only the public point, with an
// EC_KEY_METHOD whose ECDSA callback asks the token to sign the digest. OpenSSL 3 keeps such
// "foreign" keys on its legacy path, where the callback is honoured (the same mechanism as the
// PKCS#11 engines); those functions are deprecated in OpenSSL 3, hence the macro below, kept to
// this one file.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "mes/document/pki/pkcs11_signer.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <mutex>

#include "mes/document/openssl_util.h"
#include "mes/document/pki/signing.h"

namespace cardline {
namespace {

// What the ECDSA callback needs: the token, the key id, and where to leave a token error so the
// caller can report it instead of OpenSSL's generic failure.
struct TokenKey {
  Pkcs11Token* token = nullptr;
  Bytes id;
  Status last_error;
};

int tokenKeyIndex() {
  static const int index = EC_KEY_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

ECDSA_SIG* signInToken(const unsigned char* digest, int digest_length, const BIGNUM*, const BIGNUM*,
                       EC_KEY* ec_key) {
  auto* key = static_cast<TokenKey*>(EC_KEY_get_ex_data(ec_key, tokenKeyIndex()));
  if (key == nullptr || digest_length <= 0) return nullptr;
  Result<Bytes> signature = key->token->signEcdsa(key->id, Bytes(digest, digest + digest_length));
  if (!signature.isOk()) {
    key->last_error = signature.status();
    return nullptr;
  }
  if (signature->empty() || signature->size() % 2 != 0) {
    key->last_error = internalError("the token returned an ECDSA signature of " +
                                    std::to_string(signature->size()) + " bytes");
    return nullptr;
  }
  const int half = static_cast<int>(signature->size() / 2);
  BIGNUM* r = BN_bin2bn(signature->data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(signature->data() + half, half, nullptr);
  ECDSA_SIG* out = ECDSA_SIG_new();
  if (r == nullptr || s == nullptr || out == nullptr || ECDSA_SIG_set0(out, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(out);
    return nullptr;
  }
  return out;
}

const EC_KEY_METHOD* tokenKeyMethod() {
  static EC_KEY_METHOD* const method = [] {
    EC_KEY_METHOD* m = EC_KEY_METHOD_new(EC_KEY_OpenSSL());
    int (*sign)(int, const unsigned char*, int, unsigned char*, unsigned int*, const BIGNUM*,
                const BIGNUM*, EC_KEY*) = nullptr;
    int (*setup)(EC_KEY*, BN_CTX*, BIGNUM**, BIGNUM**) = nullptr;
    EC_KEY_METHOD_get_sign(m, &sign, &setup, nullptr);
    EC_KEY_METHOD_set_sign(m, sign, setup, signInToken);
    return m;
  }();
  return method;
}

// An EVP_PKEY for the token key `key` with the public point of `public_point` (uncompressed).
Result<ossl::KeyPtr> tokenBackedKey(TokenKey* key, const Bytes& public_point) {
  EC_KEY* ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  if (ec == nullptr) return ossl::failure("EC_KEY_new_by_curve_name");
  EC_POINT* point = EC_POINT_new(EC_KEY_get0_group(ec));
  const bool ok = point != nullptr &&
                  EC_POINT_oct2point(EC_KEY_get0_group(ec), point, public_point.data(),
                                     public_point.size(), nullptr) == 1 &&
                  EC_KEY_set_public_key(ec, point) == 1 &&
                  EC_KEY_set_method(ec, tokenKeyMethod()) == 1 &&
                  EC_KEY_set_ex_data(ec, tokenKeyIndex(), key) == 1;
  EC_POINT_free(point);
  if (!ok) {
    EC_KEY_free(ec);
    return invalidArgument("the token key " + hexEncode(key->id) +
                           " is not a NIST P-256 public key: " + ossl::drainErrors());
  }
  ossl::KeyPtr pkey(EVP_PKEY_new());
  if (!pkey || EVP_PKEY_assign_EC_KEY(pkey.get(), ec) != 1) {
    EC_KEY_free(ec);
    return ossl::failure("EVP_PKEY_assign_EC_KEY");
  }
  return pkey;
}

// The raw public point of a certificate's key (the BIT STRING's bytes).
Bytes publicPointOf(X509* cert) {
  const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert);
  if (bits == nullptr) return {};
  return Bytes(ASN1_STRING_get0_data(bits), ASN1_STRING_get0_data(bits) + ASN1_STRING_length(bits));
}

bool isP256(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  char group[64] = {0};
  std::size_t length = 0;
  return key != nullptr && EVP_PKEY_is_a(key, "EC") &&
         EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1 &&
         std::string(group) == "prime256v1";
}

Result<ossl::X509Ptr> parseDer(const Bytes& der, const std::string& where) {
  const unsigned char* cursor = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cert) {
    ossl::drainErrors();
    return invalidArgument(where + " is not a DER X.509 certificate");
  }
  return cert;
}

std::string timeText(const ASN1_TIME* t) {
  ossl::BioPtr bio = ossl::emptyBio();
  if (!bio || ASN1_TIME_print(bio.get(), t) != 1) return "?";
  return toString(ossl::bioContents(bio.get()));
}

Status setSubject(X509_NAME* name, const SignerSubject& subject) {
  if (subject.country.size() != 2) {
    return invalidArgument("the subject country must be two letters (ISO 3166), got \"" +
                           subject.country + "\"");
  }
  const std::pair<const char*, const std::string*> entries[] = {
      {"C", &subject.country}, {"O", &subject.organization}, {"CN", &subject.common_name}};
  for (const auto& [field, value] : entries) {
    if (value->empty() ||
        X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value->c_str()), -1, -1,
                                   0) != 1) {
      ossl::drainErrors();
      return invalidArgument(std::string("the subject field ") + field + " (\"" + *value +
                             "\") is not a valid name entry");
    }
  }
  return Status::ok();
}

Result<std::string> makeRequest(Pkcs11Token& token, const Bytes& id, const Bytes& point,
                                const SignerSubject& subject) {
  TokenKey key{&token, id, Status::ok()};
  CARDLINE_ASSIGN_OR_RETURN(ossl::KeyPtr pkey, tokenBackedKey(&key, point));
  std::unique_ptr<X509_REQ, ossl::Deleter<X509_REQ, X509_REQ_free>> request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), 0) != 1) return ossl::failure("X509_REQ");
  CARDLINE_RETURN_IF_ERROR(setSubject(X509_REQ_get_subject_name(request.get()), subject));
  if (X509_REQ_set_pubkey(request.get(), pkey.get()) != 1) {
    return ossl::failure("setting the request's public key");
  }
  if (X509_REQ_sign(request.get(), pkey.get(), EVP_sha256()) <= 0) {
    if (!key.last_error.isOk()) {
      ossl::drainErrors();
      return key.last_error;
    }
    return ossl::failure("signing the certificate request in the token");
  }
  ossl::BioPtr bio = ossl::emptyBio();
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), request.get()) != 1) {
    return ossl::failure("writing the request PEM");
  }
  return toString(ossl::bioContents(bio.get()));
}

}  // namespace

struct Pkcs11Signer::Candidate {
  ossl::X509Ptr cert;
  std::unique_ptr<TokenKey> key;  // referenced by pkey's ex_data: declared before pkey
  ossl::KeyPtr pkey;
  std::string signer_id;
  std::string counter_path;
  std::int64_t signed_count = 0;
};

struct Pkcs11Signer::State {
  Pkcs11Token* token = nullptr;
  const Clock* clock = nullptr;
  std::int64_t max_documents = 0;
  mutable std::mutex mu;
  std::vector<Candidate> candidates;  // by notBefore; counts guarded by mu
  std::size_t current = 0;            // guarded by mu
};

Pkcs11Signer::Pkcs11Signer(std::unique_ptr<State> state) : state_(std::move(state)) {}
Pkcs11Signer::~Pkcs11Signer() = default;

Result<std::unique_ptr<Pkcs11Signer>> Pkcs11Signer::open(Pkcs11Token& token,
                                                         const Pkcs11SignerOptions& options,
                                                         const Clock& clock) {
  if (options.max_documents < 1) return invalidArgument("max_documents must be at least 1");
  CARDLINE_ASSIGN_OR_RETURN(std::vector<TokenObject> objects, token.objects());
  auto state = std::make_unique<State>();
  state->token = &token;
  state->clock = &clock;
  state->max_documents = options.max_documents;
  for (const TokenObject& object : objects) {
    if (object.kind != TokenObjectKind::kCertificate) continue;
    const bool has_key = std::any_of(objects.begin(), objects.end(), [&](const TokenObject& o) {
      return o.kind == TokenObjectKind::kPrivateKey && o.id == object.id;
    });
    if (!has_key) continue;  // retired, or a CA certificate
    Candidate candidate;
    const std::string where = "the certificate \"" + object.label + "\" (id " +
                              hexEncode(object.id) + ") in token \"" + token.label() + "\"";
    CARDLINE_ASSIGN_OR_RETURN(candidate.cert, parseDer(object.value, where));
    if (!isP256(candidate.cert.get())) {
      return invalidArgument(where + " is not for an EC P-256 key");
    }
    candidate.key = std::make_unique<TokenKey>(TokenKey{&token, object.id, Status::ok()});
    CARDLINE_ASSIGN_OR_RETURN(
        candidate.pkey, tokenBackedKey(candidate.key.get(), publicPointOf(candidate.cert.get())));
    CARDLINE_ASSIGN_OR_RETURN(candidate.signer_id, pki::signerIdOf(candidate.cert.get()));
    candidate.counter_path = options.counter_dir + "/" + candidate.signer_id + ".count";
    CARDLINE_ASSIGN_OR_RETURN(candidate.signed_count,
                              pki::readDocumentCount(candidate.counter_path));
    state->candidates.push_back(std::move(candidate));
  }
  if (state->candidates.empty()) {
    return notFound("PKCS#11 token \"" + token.label() +
                    "\" holds no Document Signer key with a certificate (cardline pki "
                    "generate-key, then import-cert the CSCA's certificate)");
  }
  std::stable_sort(state->candidates.begin(), state->candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     return ASN1_TIME_compare(X509_get0_notBefore(a.cert.get()),
                                              X509_get0_notBefore(b.cert.get())) < 0;
                   });
  const Timestamp now = clock.now();
  for (std::size_t i = 0; i < state->candidates.size(); ++i) {
    const Candidate& c = state->candidates[i];
    if (pki::checkSignerLimits(c.cert.get(), c.signer_id, now, c.signed_count, state->max_documents)
            .isOk()) {
      state->current = i;
      break;
    }
  }
  return std::unique_ptr<Pkcs11Signer>(new Pkcs11Signer(std::move(state)));
}

std::string Pkcs11Signer::signerId() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->candidates[state_->current].signer_id;
}

std::int64_t Pkcs11Signer::documentsSigned() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->candidates[state_->current].signed_count;
}

Result<SignedSecurityObject> Pkcs11Signer::signSecurityObject(
    const Bytes& lds_security_object_der) {
  if (lds_security_object_der.empty()) {
    return invalidArgument("nothing to sign: the LDS security object is empty");
  }
  std::lock_guard<std::mutex> lock(state_->mu);
  const Timestamp now = state_->clock->now();
  Candidate* chosen = nullptr;
  std::string reasons;
  for (std::size_t i = 0; i < state_->candidates.size(); ++i) {
    Candidate& c = state_->candidates[i];
    Status usable = pki::checkSignerLimits(c.cert.get(), "Document Signer " + c.signer_id, now,
                                           c.signed_count, state_->max_documents);
    if (usable.isOk()) {
      chosen = &c;
      state_->current = i;
      break;
    }
    reasons += (reasons.empty() ? "" : "; ") + usable.message();
  }
  if (chosen == nullptr) {
    return failedPrecondition("no Document Signer in token \"" + state_->token->label() +
                              "\" may sign now: " + reasons);
  }
  chosen->key->last_error = Status::ok();
  Result<Bytes> cms = pki::signLdsSecurityObject(chosen->cert.get(), chosen->pkey.get(),
                                                 lds_security_object_der, now);
  if (!cms.isOk()) {
    if (!chosen->key->last_error.isOk()) {
      ossl::drainErrors();
      return chosen->key->last_error.withContext("signing with Document Signer " +
                                                 chosen->signer_id);
    }
    return cms.status();
  }
  CARDLINE_RETURN_IF_ERROR(pki::writeDocumentCount(chosen->counter_path, chosen->signed_count + 1));
  ++chosen->signed_count;
  return SignedSecurityObject{std::move(cms).value(), chosen->signer_id};
}

Result<SignerKeyRequest> generateSignerKey(Pkcs11Token& token, const std::string& label,
                                           const SignerSubject& subject) {
  if (label.empty()) return invalidArgument("the key label must not be empty");
  {
    X509_NAME* probe = X509_NAME_new();
    Status valid = setSubject(probe, subject);
    X509_NAME_free(probe);
    CARDLINE_RETURN_IF_ERROR(valid);
  }
  SignerKeyRequest out;
  out.id.resize(8);
  if (RAND_bytes(out.id.data(), static_cast<int>(out.id.size())) != 1) {
    return ossl::failure("making a key id");
  }
  out.label = label;
  CARDLINE_ASSIGN_OR_RETURN(Bytes point, token.generateEcKeyPair(out.id, label));
  CARDLINE_ASSIGN_OR_RETURN(out.csr_pem, makeRequest(token, out.id, point, subject));
  return out;
}

Result<std::string> signerKeyRequest(Pkcs11Token& token, const Bytes& id,
                                     const SignerSubject& subject) {
  CARDLINE_ASSIGN_OR_RETURN(Bytes point, token.ecPublicPoint(id));
  return makeRequest(token, id, point, subject);
}

Result<std::string> importSignerCertificate(Pkcs11Token& token, const std::string& cert_pem,
                                            const std::string& csca_pem) {
  std::vector<ossl::X509Ptr> certs = ossl::readCertificates(cert_pem);
  if (certs.empty()) return invalidArgument("the file holds no PEM certificate");
  X509* cert = certs.front().get();
  if (!isP256(cert)) return invalidArgument("the certificate is not for an EC P-256 key");
  if (!csca_pem.empty()) {
    std::vector<ossl::X509Ptr> csca = ossl::readCertificates(csca_pem);
    if (csca.empty()) return invalidArgument("the CSCA file holds no PEM certificate");
    if (X509_verify(cert, X509_get0_pubkey(csca.front().get())) != 1) {
      ossl::drainErrors();
      return invalidArgument("the certificate was not signed by the CSCA " +
                             ossl::subjectLine(csca.front().get()));
    }
  }
  const Bytes point = publicPointOf(cert);
  CARDLINE_ASSIGN_OR_RETURN(std::vector<TokenObject> objects, token.objects());
  for (const TokenObject& object : objects) {
    if (object.kind != TokenObjectKind::kPublicKey) continue;
    Result<Bytes> token_point = token.ecPublicPoint(object.id);
    if (!token_point.isOk() || *token_point != point) continue;
    CARDLINE_ASSIGN_OR_RETURN(Bytes der, pki::certificateDer(cert));
    const int subject_length = i2d_X509_NAME(X509_get_subject_name(cert), nullptr);
    Bytes subject(static_cast<std::size_t>(subject_length > 0 ? subject_length : 0));
    unsigned char* cursor = subject.data();
    if (subject_length <= 0 ||
        i2d_X509_NAME(X509_get_subject_name(cert), &cursor) != subject_length) {
      return ossl::failure("encoding the certificate subject");
    }
    CARDLINE_RETURN_IF_ERROR(token.storeCertificate(object.id, object.label, der, subject));
    return pki::signerIdOf(cert);
  }
  return notFound("no key in token \"" + token.label() + "\" has the public key of " +
                  ossl::subjectLine(cert) + " (was the request made by this token?)");
}

std::string SignerKeyInfo::state() const {
  if (!has_certificate) return has_private_key ? "awaiting certificate" : "incomplete";
  return has_private_key ? "ready" : "retired";
}

Result<std::vector<SignerKeyInfo>> listSignerKeys(Pkcs11Token& token) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<TokenObject> objects, token.objects());
  std::vector<SignerKeyInfo> out;
  auto entry = [&](const TokenObject& object) -> SignerKeyInfo& {
    const std::string id = hexEncode(object.id);
    for (SignerKeyInfo& info : out) {
      if (info.id_hex == id) return info;
    }
    out.push_back(SignerKeyInfo{});
    out.back().id_hex = id;
    out.back().label = object.label;
    return out.back();
  };
  for (const TokenObject& object : objects) {
    if (object.kind == TokenObjectKind::kPrivateKey) {
      SignerKeyInfo& info = entry(object);
      info.has_private_key = true;
      info.sensitive = object.sensitive;
      info.extractable = object.extractable;
    } else if (object.kind == TokenObjectKind::kCertificate) {
      SignerKeyInfo& info = entry(object);
      info.has_certificate = true;
      Result<ossl::X509Ptr> cert = parseDer(object.value, "certificate " + object.label);
      if (!cert.isOk()) continue;
      info.subject = ossl::subjectLine(cert->get());
      info.not_before = timeText(X509_get0_notBefore(cert->get()));
      info.not_after = timeText(X509_get0_notAfter(cert->get()));
      Result<std::string> signer_id = pki::signerIdOf(cert->get());
      if (signer_id.isOk()) info.signer_id = *signer_id;
    }
  }
  return out;
}

Result<SignerKeyInfo> retireSigner(Pkcs11Token& token, const std::string& which) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<SignerKeyInfo> keys, listSignerKeys(token));
  std::vector<const SignerKeyInfo*> matches;
  for (const SignerKeyInfo& key : keys) {
    if (key.signer_id == which || key.id_hex == which || key.label == which) {
      matches.push_back(&key);
    }
  }
  if (matches.empty()) {
    return notFound("no Document Signer key \"" + which + "\" in token \"" + token.label() +
                    "\" (cardline pki list shows them)");
  }
  if (matches.size() > 1) {
    return invalidArgument("\"" + which + "\" names " + std::to_string(matches.size()) +
                           " keys; give the signer id or key id instead");
  }
  const SignerKeyInfo info = *matches.front();
  if (!info.has_private_key) {
    return failedPrecondition("Document Signer key \"" + which + "\" is already retired");
  }
  CARDLINE_ASSIGN_OR_RETURN(Bytes id, hexDecode(info.id_hex));
  CARDLINE_RETURN_IF_ERROR(token.destroy(id, TokenObjectKind::kPrivateKey).status());
  CARDLINE_RETURN_IF_ERROR(token.destroy(id, TokenObjectKind::kPublicKey).status());
  return info;
}

}  // namespace cardline
