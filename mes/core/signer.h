#pragma once
// The Signer port: whatever holds the Document Signer (DS) private key. The key-file adapter
// lives in mes/document/pki (cardline::pki); an HSM adapter (PKCS#11) implements the same
// interface. std only.

#include <cstdint>
#include <string>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline {

// What a Signer hands back for one chip.
struct SignedSecurityObject {
  // DER of a CMS ContentInfo (RFC 5652) holding SignedData: eContentType is
  // id-icao-ldsSecurityObject (2.23.136.1.1.1), eContent is the LDS security object that was
  // passed in, digest SHA-256, one SignerInfo, the DS certificate embedded. Not yet wrapped in
  // the EF.SOD tag 0x77 (see mes/document/sod.h).
  Bytes cms_signed_data;
  // The signerId() of the signer that produced it; the MES records it on the card.
  std::string signer_id;
};

// Signs LDS security objects with one Document Signer key.
//
// Design choice: the adapter returns the whole CMS SignedData, not a raw signature over a
// digest. An HSM adapter can still keep the key inside the HSM: OpenSSL's CMS code signs with
// any EVP_PKEY, including one backed by a PKCS#11 provider/engine, so only the key loading
// differs between adapters. The adapter is also the one place that enforces the signer's
// limits (certificate validity window, maximum number of documents).
//
// Implementations are thread-safe; one instance may be shared by all preparation threads.
class Signer {
 public:
  virtual ~Signer() = default;

  // Signs lds_security_object_der (the DER LDSSecurityObject) and counts one document against
  // the signer's limit. Fails with:
  //  - kFailedPrecondition when the signer may not sign now: the current time is outside the
  //    DS certificate's validity window, or the maximum document count is reached (the message
  //    says which); nothing is counted then;
  //  - kInvalidArgument when the input is empty;
  //  - kUnavailable when the key store (HSM, key file, counter file) cannot be reached;
  //  - kInternal on an unexpected cryptographic library failure.
  virtual Result<SignedSecurityObject> signSecurityObject(const Bytes& lds_security_object_der) = 0;

  // A stable identifier of this signer's key and certificate (e.g. "ds-1f2e3d4c5b6a7988"),
  // recorded on every card it signed.
  virtual std::string signerId() const = 0;

  // How many documents this signer has signed so far (as counted against its limit).
  virtual std::int64_t documentsSigned() const = 0;
};

}  // namespace cardline
