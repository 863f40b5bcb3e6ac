#pragma once
// One PKCS#11 token (Cryptoki v2.40 C API, header from p11-kit) reached through the vendor's
// module (.so, loaded with dlopen): the Document Signer key pairs, their certificates and the
// AES key that wraps the personal-data key. Private and secret keys are generated inside the
// token as sensitive and non-extractable and never leave it; this class only asks the token to
// sign, wrap and unwrap with them.

#include <p11-kit/pkcs11.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline {

struct Pkcs11TokenOptions {
  std::string module_path;  // the vendor's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so
  std::string token_label;  // the token (CK_TOKEN_INFO.label, trailing blanks ignored)
  std::string pin;          // the user PIN (read by the caller from a file or the environment)
};

enum class TokenObjectKind { kPrivateKey, kPublicKey, kCertificate, kSecretKey, kOther };
const char* name(TokenObjectKind kind);

// One object in the token as `cardline pki list` shows it.
struct TokenObject {
  TokenObjectKind kind = TokenObjectKind::kOther;
  std::string label;
  Bytes id;                  // CKA_ID; a key pair and its certificate share it
  bool sensitive = false;    // CKA_SENSITIVE (private and secret keys)
  bool extractable = false;  // CKA_EXTRACTABLE (private and secret keys)
  Bytes value;               // certificates: the DER (CKA_VALUE); empty otherwise
};

// A logged-in session on one token.
//
// Token availability: every operation first makes sure a session is open (initialising the
// module, finding the token by label, opening a session and logging in as needed). When the
// token answers that it is gone (removed, session closed, module finalised, device error), the
// operation fails with kUnavailable naming the token and the PKCS#11 return code, the session is
// dropped, and the next operation tries to reach the token again. So a token that comes back is
// used again without restarting the process.
//
// Thread-safe: operations are serialised by a mutex. Owns the module handle; the module is
// finalised on destruction when this object initialised it.
class Pkcs11Token {
 public:
  // Loads the module and logs in. Fails with kNotFound when the module file or the token
  // label is not there, kPermissionDenied when the PIN is wrong (the token's message says so;
  // nothing is done with the token then), kInvalidArgument when the options are incomplete,
  // kUnavailable when the module cannot be loaded or initialised.
  static Result<std::unique_ptr<Pkcs11Token>> open(const Pkcs11TokenOptions& options);
  ~Pkcs11Token();
  Pkcs11Token(const Pkcs11Token&) = delete;
  Pkcs11Token& operator=(const Pkcs11Token&) = delete;

  const std::string& label() const { return options_.token_label; }

  // Every object in the token that the logged-in user can see.
  Result<std::vector<TokenObject>> objects();

  // Generates an ECDSA key pair on NIST P-256 inside the token, both halves with CKA_ID id and
  // CKA_LABEL label, stored on the token. The private key is CKA_PRIVATE, CKA_SENSITIVE,
  // not CKA_EXTRACTABLE, CKA_SIGN only. Returns the public point (uncompressed X9.62, 65
  // bytes). kAlreadyExists when a key with this id exists.
  Result<Bytes> generateEcKeyPair(const Bytes& id, const std::string& label);

  // The uncompressed public point of the EC public key with CKA_ID id; kNotFound if none.
  Result<Bytes> ecPublicPoint(const Bytes& id);

  // CKM_ECDSA over digest with the private key id: r || s (64 bytes for P-256). kNotFound when
  // there is no such private key.
  Result<Bytes> signEcdsa(const Bytes& id, const Bytes& digest);

  // Stores an X.509 certificate (der; subject_der is its subject Name, CKA_SUBJECT) with CKA_ID
  // id. kAlreadyExists when one with this id is there.
  Status storeCertificate(const Bytes& id, const std::string& label, const Bytes& der,
                          const Bytes& subject_der);

  // Destroys every object of kind with CKA_ID id; returns how many. 0 is not an error.
  Result<int> destroy(const Bytes& id, TokenObjectKind kind);

  // Reads one attribute of the private or secret key id (raw bytes as the token returns them).
  // kPermissionDenied when the token refuses because the attribute is sensitive (CKA_VALUE of a
  // sensitive key), kNotFound when there is no such key.
  Result<Bytes> keyAttribute(const Bytes& id, TokenObjectKind kind, CK_ATTRIBUTE_TYPE type);

  // Generates an AES-256 key inside the token (sensitive, not extractable, CKA_WRAP and
  // CKA_UNWRAP; CKA_ENCRYPT/CKA_DECRYPT for modules whose key wrap goes through them).
  // kAlreadyExists when a secret key with this id exists.
  Status generateAesKey(const Bytes& id, const std::string& label);

  // AES key wrap with padding (RFC 5649, CKM_AES_KEY_WRAP_PAD) of plain bytes under the secret
  // key id, done inside the token (the plain bytes go in as a temporary session object, which is
  // destroyed). unwrap() reverses it: kDataLoss when the wrapped bytes do not unwrap under this
  // key (altered or another key).
  Result<Bytes> wrap(const Bytes& key_id, const Bytes& plain);
  Result<Bytes> unwrap(const Bytes& key_id, const Bytes& wrapped);

 private:
  struct Module;
  Pkcs11Token(Pkcs11TokenOptions options, std::unique_ptr<Module> module);

  // Opens a session and logs in when there is none. Caller holds mu_.
  Status ensureSession();
  // Turns a failed return code into a Status; drops the session when the token is gone.
  Status failed(const std::string& what, CK_RV rv);
  Result<CK_OBJECT_HANDLE> findOne(CK_OBJECT_CLASS object_class, const Bytes& id);
  Result<std::vector<CK_OBJECT_HANDLE>> find(std::vector<CK_ATTRIBUTE> templ);
  Result<Bytes> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

  const Pkcs11TokenOptions options_;
  std::unique_ptr<Module> module_;
  std::mutex mu_;
  CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;  // guarded by mu_
};

// The name of a PKCS#11 return code ("CKR_PIN_INCORRECT"), or its hex value.
std::string ckrName(CK_RV rv);

}  // namespace cardline
