#pragma once
// `cardline pki init`: a throwaway Country Signing CA (CSCA) and one Document Signer (DS) for
// demos and tests, made with OpenSSL's C API (no shell-out). Keys are ECDSA on NIST P-256,
// certificates are X.509 v3 signed with ECDSA-SHA256, private keys are written unencrypted (PEM,
// PKCS#8) with mode 0600. NOT for production: a real CSCA is offline and its DS keys live in an
// HSM.

#include <string>

#include "mes/base/clock.h"
#include "mes/base/status.h"

namespace cardline {

enum class PkiOverwrite { kRefuse, kReplace };

struct TestPkiOptions {
  std::string country = "VN";
  std::string organization = "cardline test PKI";
  std::string csca_common_name = "cardline test CSCA";
  std::string ds_common_name = "cardline test Document Signer";
  int csca_validity_days = 3650;  // ~10 years
  int ds_validity_days = 90;      // ~3 months, the usual DS key usage period
  // kRefuse (default): fail if any of the four files exists. kReplace: write a new PKI.
  PkiOverwrite overwrite = PkiOverwrite::kRefuse;
};

// Where the PKI files of a data directory live.
struct PkiPaths {
  std::string dir;        // DATA_DIR/pki
  std::string csca_cert;  // pki/csca.pem
  std::string csca_key;   // pki/csca.key (0600)
  std::string ds_cert;    // pki/ds.pem
  std::string ds_key;     // pki/ds.key (0600)
};

// The paths for data_dir (nothing is touched).
PkiPaths pkiPaths(const std::string& data_dir);

// Creates DATA_DIR/pki (mode 0700) with a self-signed CSCA (basicConstraints critical CA:TRUE,
// pathlen 0; keyUsage critical keyCertSign, cRLSign) and a DS certificate issued by it
// (keyUsage critical digitalSignature), both valid from clock.now(). Fails with kAlreadyExists
// when a file exists and options.overwrite is kRefuse (nothing is written then),
// kInvalidArgument on a non-positive validity or a DS validity longer than the CSCA's,
// kUnavailable when the directory or a file cannot be written, kInternal on an OpenSSL failure.
Result<PkiPaths> initTestPki(const std::string& data_dir, const TestPkiOptions& options,
                             const Clock& clock);

// The test CSCA's side of the key ceremony: issues a DS certificate for a PKCS#10 request
// (e.g. from `cardline pki generate-key`), valid from clock.now() for validity_days, with the
// request's subject and key, keyUsage critical digitalSignature, signed by the CSCA (PEM
// certificate and unencrypted PEM key). Returns the certificate PEM. kInvalidArgument when the
// request does not parse or its signature does not verify, or the CSCA files do not match.
// A production CSCA is offline; docs/pki.md shows the same step with `openssl x509 -req`.
Result<std::string> issueSignerCertificate(const std::string& request_pem,
                                           const std::string& csca_cert_pem,
                                           const std::string& csca_key_pem, int validity_days,
                                           const Clock& clock);

}  // namespace cardline
