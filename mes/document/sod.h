#pragma once
// EF.SOD: the LDS security object (ICAO 9303 part 10/11) signed as CMS SignedData by the
// Document Signer, and Passive Authentication (verification). Uses OpenSSL internally; no
// OpenSSL type appears in this header. Thread-safe.

#include <map>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/signer.h"

namespace cardline {

// id-icao-ldsSecurityObject, the eContentType of the SignedData.
inline constexpr char kLdsSecurityObjectOid[] = "2.23.136.1.1.1";

// Data groups by number (1, 2, 13 ...), each the complete encoded file (tag, length, value).
using DataGroups = std::map<int, Bytes>;

// SHA-256 of data.
Bytes sha256(const Bytes& data);

// DER of LDSSecurityObject { version 0, hashAlgorithm { id-sha256 }, dataGroupHashValues
// SEQUENCE OF { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING } } in ascending
// data group order, hashing each group's complete bytes with SHA-256.
Bytes encodeLdsSecurityObject(const DataGroups& data_groups);

// The data group hashes inside an LDSSecurityObject. Fails with kInvalidArgument when the DER is
// malformed, the version is not 0 or the hash algorithm is not SHA-256 (the only one we write).
Result<std::map<int, Bytes>> parseLdsSecurityObject(const Bytes& der);

// 77 { cms } and back. unwrapEfSod fails with kInvalidArgument when the outer tag is not 0x77 or
// the TLV is malformed.
Bytes wrapEfSod(const Bytes& cms_signed_data);
Result<Bytes> unwrapEfSod(const Bytes& ef_sod);

struct EfSod {
  Bytes file;             // 77 { CMS SignedData }
  std::string signer_id;  // record it on the card
};

// Hashes the data groups, builds the LDS security object, has `signer` sign it and wraps the
// CMS in tag 0x77. Fails with kInvalidArgument when data_groups is empty or holds a number
// outside 1..16, otherwise with the signer's error (kFailedPrecondition past its limits).
Result<EfSod> buildEfSod(const DataGroups& data_groups, Signer& signer);

// The outcome of Passive Authentication of one chip. ok() only when every check passed.
struct PassiveAuthReport {
  bool structure_ok = false;  // 0x77 + CMS SignedData + eContentType LDS + parsable LSO
  bool signature_ok = false;  // the SignerInfo's signature over the content verifies
  bool chain_ok = false;      // the DS certificate chains to the CSCA at the given time
  std::vector<int> mismatched;     // groups present in both whose hash differs
  std::vector<int> missing;        // groups listed in the SOD but not given
  std::vector<int> not_in_sod;     // groups given but not listed in the SOD
  std::string signer_subject;      // DS certificate subject (one line), when found
  std::vector<std::string> problems;  // human-readable reasons, one per failed check

  bool ok() const {
    return structure_ok && signature_ok && chain_ok && mismatched.empty() && missing.empty() &&
           not_in_sod.empty();
  }
};

// Passive Authentication: parses EF.SOD, verifies the CMS signature with the embedded DS
// certificate, verifies the DS certificate chain to `csca_pem` (one or more PEM certificates
// trusted as anchors) at time `at`, recomputes each data group's SHA-256 and compares it with
// the SOD. Problems with the card are reported in the result, not as errors. Fails with
// kInvalidArgument only when csca_pem holds no parsable certificate.
Result<PassiveAuthReport> verifyPassiveAuthentication(const Bytes& ef_sod,
                                                      const DataGroups& data_groups,
                                                      const std::string& csca_pem, Timestamp at);

}  // namespace cardline
