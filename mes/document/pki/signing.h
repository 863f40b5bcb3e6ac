#pragma once
// Internal to mes/document/pki: what every Signer adapter does the same way — the CMS
// SignedData of an EF.SOD, the signer's limits (certificate validity window, persisted document
// count) and the signer id. The adapters differ only in where the private key lives.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <string>

#include "mes/base/bytes.h"
#include "mes/base/clock.h"
#include "mes/base/status.h"

namespace cardline::pki {

// "ds-" + the first 16 hex digits of the SHA-256 of the certificate's DER.
Result<std::string> signerIdOf(X509* cert);

// The certificate's DER.
Result<Bytes> certificateDer(X509* cert);

// kFailedPrecondition when now is outside cert's validity ("... not valid before ...",
// "... expired on ...") or signed_count >= max_documents ("... reached its limit of N
// documents"); `who` starts the message.
Status checkSignerLimits(X509* cert, const std::string& who, Timestamp now,
                         std::int64_t signed_count, std::int64_t max_documents);

// CMS SignedData (DER ContentInfo) over content: eContentType id-icao-ldsSecurityObject,
// SHA-256, signed attributes contentType, signingTime (now) and messageDigest, cert embedded.
// key signs (a software key or one whose signing is done by an HSM).
Result<Bytes> signLdsSecurityObject(X509* cert, EVP_PKEY* key, const Bytes& content, Timestamp now);

// The persisted document count of a signer: path holds one decimal number; a missing file is
// 0. kInvalidArgument when the file is corrupt, kUnavailable when it cannot be read.
Result<std::int64_t> readDocumentCount(const std::string& path);
// Writes count to path (temporary file, fsync, rename). kUnavailable on failure.
Status writeDocumentCount(const std::string& path, std::int64_t count);

}  // namespace cardline::pki
