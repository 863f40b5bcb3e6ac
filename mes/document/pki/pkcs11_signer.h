#pragma once
// The PKCS#11 adapter of the Signer port: Document Signer (DS) keys generated and used inside a
// hardware security module, reached through Pkcs11Token (mes/security/pkcs11). Also the
// operator's steps of the key ceremony (`cardline pki generate-key`, `request`,
// `import-cert`, `retire`, `list`): see docs/pki.md.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/signer.h"
#include "mes/security/pkcs11/pkcs11_token.h"

namespace cardline {

struct Pkcs11SignerOptions {
  // Folder of the persisted document counts, one file <signerId()>.count per DS key (the data
  // directory's pki/, as for the key-file signer).
  std::string counter_dir;
  // Documents one DS key may sign in total (ICAO practice: about 100,000).
  std::int64_t max_documents = 100000;
};

// Signs LDS security objects with a DS key held in the token; the CMS is the same as the
// key-file signer's (OpenSSL builds it; only the ECDSA signature over the signed attributes is
// computed by the token, CKM_ECDSA on NIST P-256).
//
// Which key signs (roll-over): every DS key in the token that has both its private key and its
// certificate is a candidate, ordered by the certificate's notBefore (oldest first). A document
// is signed by the first candidate whose validity window contains clock.now() and whose count is
// below max_documents. So when a key reaches its limit or its end of validity, the next one
// (generated and certified ahead, docs/pki.md) takes over without a restart; documents signed
// by the old key still verify against the CSCA, its certificate being embedded in their EF.SOD.
//
// Failures of signSecurityObject beyond the Signer contract: kFailedPrecondition lists each
// candidate's reason when none may sign; kUnavailable when the token is gone (its message names
// the token; nothing is counted; the next call tries the token again).
//
// Thread-safe (signing is serialised). The token and clock must outlive the signer.
class Pkcs11Signer final : public Signer {
 public:
  // Reads the token's DS keys and certificates and the counts. kNotFound when the token holds
  // no key with a certificate (say how to make one), kInvalidArgument when a certificate in the
  // token cannot be parsed or is not EC P-256, or max_documents < 1; token errors pass through.
  static Result<std::unique_ptr<Pkcs11Signer>> open(Pkcs11Token& token,
                                                    const Pkcs11SignerOptions& options,
                                                    const Clock& clock);
  ~Pkcs11Signer() override;
  Pkcs11Signer(const Pkcs11Signer&) = delete;
  Pkcs11Signer& operator=(const Pkcs11Signer&) = delete;

  Result<SignedSecurityObject> signSecurityObject(const Bytes& lds_security_object_der) override;
  // The id of the key that signs next (or signed last, when none may sign now).
  std::string signerId() const override;
  // Documents counted against the key signerId() names.
  std::int64_t documentsSigned() const override;

 private:
  struct Candidate;
  struct State;
  explicit Pkcs11Signer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The subject of a DS certificate request.
struct SignerSubject {
  std::string country = "VN";
  std::string organization = "cardline";
  std::string common_name = "cardline Document Signer";
};

struct SignerKeyRequest {
  Bytes id;             // CKA_ID of the new key pair (8 random bytes)
  std::string label;    // CKA_LABEL
  std::string csr_pem;  // PKCS#10 request signed by the new key (proof of possession)
};

// Generates a DS key pair in the token (Pkcs11Token::generateEcKeyPair) and returns its
// certificate request for the CSCA. kInvalidArgument on an empty label or a subject field that
// is not a valid name entry (e.g. country not two letters); token errors pass through.
Result<SignerKeyRequest> generateSignerKey(Pkcs11Token& token, const std::string& label,
                                           const SignerSubject& subject);

// A new certificate request for the existing key with CKA_ID id (hex in messages).
Result<std::string> signerKeyRequest(Pkcs11Token& token, const Bytes& id,
                                     const SignerSubject& subject);

// Stores the DS certificate the CSCA issued (PEM) next to its key: the key pair is found by the
// certificate's public key. When csca_pem is not empty, the certificate must verify under it.
// Returns the signer id. kNotFound when no key in the token has this public key,
// kInvalidArgument when the PEM holds no certificate or the CSCA did not sign it,
// kAlreadyExists when the key already has a certificate.
Result<std::string> importSignerCertificate(Pkcs11Token& token, const std::string& cert_pem,
                                            const std::string& csca_pem);

// One DS key as `cardline pki list` shows it.
struct SignerKeyInfo {
  std::string label;
  std::string id_hex;
  std::string signer_id;  // empty until the certificate is imported
  std::string subject;
  std::string not_before;
  std::string not_after;
  bool has_private_key = false;
  bool sensitive = false;
  bool extractable = false;
  bool has_certificate = false;
  // "awaiting certificate", "ready", or "retired" (certificate kept, private key destroyed).
  std::string state() const;
};
Result<std::vector<SignerKeyInfo>> listSignerKeys(Pkcs11Token& token);

// Retires a DS key: destroys its private and public key in the token (the certificate stays, so
// the chips it signed can still be checked against it). `which` is a signer id (ds-…), a key id
// in hex or a label. Returns the key's info as it was. kNotFound when nothing matches,
// kFailedPrecondition when it is already retired, kInvalidArgument when a label is ambiguous.
Result<SignerKeyInfo> retireSigner(Pkcs11Token& token, const std::string& which);

}  // namespace cardline
