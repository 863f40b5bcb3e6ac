#pragma once
// The key-file adapter of the Signer port: the Document Signer key and certificate are PEM files
// in the data directory's pki/ folder (written by initTestPki or by an operator).

#include <cstdint>
#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/signer.h"

namespace cardline {

struct KeyFileSignerOptions {
  // Folder holding ds.pem (certificate) and ds.key (PKCS#8 or traditional PEM private key).
  std::string pki_dir;
  // Documents this key may sign in total (ICAO practice: about 100,000). Counted in the file
  // pki_dir/<signerId()>.count, so a new DS key starts at zero and a restart keeps the count.
  std::int64_t max_documents = 100000;
};

// Signs LDS security objects with the key in ds.key, producing CMS SignedData (SHA-256,
// signed attributes contentType, signingTime from the Clock, messageDigest; the DS certificate
// embedded; eContentType id-icao-ldsSecurityObject).
//
// Limits: refuses to sign when clock.now() is outside the DS certificate's notBefore..notAfter,
// or when max_documents documents have been signed. The count is persisted (write to a
// temporary file, fsync, rename) after each signature and before the signature is returned, so
// a crash can lose a signature but never under-count. One process per pki folder: two
// processes sharing a counter file would each count only their own documents (with several MES
// nodes, give each node its own DS key, or count in the store).
//
// Thread-safe (signing is serialised by a mutex). The Clock must outlive the signer.
class KeyFileSigner final : public Signer {
 public:
  // Loads ds.pem and ds.key and the current count. Fails with kNotFound when a file is missing,
  // kInvalidArgument when a file cannot be parsed, the key does not belong to the certificate,
  // the counter file is corrupt or max_documents < 1, kUnavailable when a file cannot be read.
  static Result<std::unique_ptr<KeyFileSigner>> open(const KeyFileSignerOptions& options,
                                                     const Clock& clock);
  ~KeyFileSigner() override;
  KeyFileSigner(const KeyFileSigner&) = delete;
  KeyFileSigner& operator=(const KeyFileSigner&) = delete;

  // See Signer. kFailedPrecondition messages: "... not valid before ...", "... expired on ...",
  // "... reached its limit of N documents".
  Result<SignedSecurityObject> signSecurityObject(const Bytes& lds_security_object_der) override;
  // "ds-" + the first 16 hex digits of the SHA-256 of the DS certificate (DER).
  std::string signerId() const override;
  std::int64_t documentsSigned() const override;

 private:
  struct State;
  KeyFileSigner(std::unique_ptr<State> state, const Clock& clock);

  std::unique_ptr<State> state_;
  const Clock& clock_;
};

}  // namespace cardline
