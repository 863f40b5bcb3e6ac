#include "mes/document/sod.h"

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509_vfy.h>

#include <algorithm>

#include "mes/document/openssl_util.h"
#include "mes/document/tlv.h"

namespace cardline {
namespace {

constexpr std::uint32_t kTagInteger = 0x02;
constexpr std::uint32_t kTagOctetString = 0x04;
constexpr std::uint32_t kTagOid = 0x06;
constexpr std::uint32_t kTagSequence = 0x30;
constexpr std::uint32_t kTagEfSod = 0x77;
constexpr int kMaxDataGroup = 16;

// DER contents of OID 2.16.840.1.101.3.4.2.1 (id-sha256).
const Bytes kSha256Oid = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};

std::string joinNumbers(const std::vector<int>& numbers) {
  std::string out;
  for (int n : numbers) out += (out.empty() ? "DG" : ", DG") + std::to_string(n);
  return out;
}

}  // namespace

Bytes sha256(const Bytes& data) {
  Bytes digest(32);
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  digest.resize(length);
  return digest;
}

Bytes encodeLdsSecurityObject(const DataGroups& data_groups) {
  std::vector<Bytes> hashes;
  for (const auto& [number, bytes] : data_groups) {
    hashes.push_back(encodeConstructed(
        kTagSequence, {encodeTlv(kTagInteger, {static_cast<std::uint8_t>(number)}),
                       encodeTlv(kTagOctetString, sha256(bytes))}));
  }
  return encodeConstructed(kTagSequence,
                           {encodeTlv(kTagInteger, {0x00}),
                            encodeConstructed(kTagSequence, {encodeTlv(kTagOid, kSha256Oid)}),
                            encodeConstructed(kTagSequence, hashes)});
}

Result<std::map<int, Bytes>> parseLdsSecurityObject(const Bytes& der) {
  CARDLINE_ASSIGN_OR_RETURN(Tlv lso, decodeSingleTlv(der));
  if (lso.tag != kTagSequence) return invalidArgument("LDS security object is not a SEQUENCE");
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Tlv> parts, decodeTlvSequence(lso.value));
  if (parts.size() != 3 || parts[0].tag != kTagInteger || parts[1].tag != kTagSequence ||
      parts[2].tag != kTagSequence) {
    return invalidArgument(
        "LDS security object: expected { INTEGER version, AlgorithmIdentifier, SEQUENCE OF "
        "DataGroupHash }");
  }
  if (parts[0].value != Bytes{0x00}) {
    return invalidArgument("LDS security object: version is not 0");
  }
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Tlv> algorithm, decodeTlvSequence(parts[1].value));
  if (algorithm.empty() || algorithm[0].tag != kTagOid || algorithm[0].value != kSha256Oid) {
    return invalidArgument("LDS security object: hash algorithm is not SHA-256");
  }
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Tlv> entries, decodeTlvSequence(parts[2].value));
  std::map<int, Bytes> out;
  for (const Tlv& entry : entries) {
    if (entry.tag != kTagSequence) {
      return invalidArgument("LDS security object: DataGroupHash is not a SEQUENCE");
    }
    CARDLINE_ASSIGN_OR_RETURN(std::vector<Tlv> fields, decodeTlvSequence(entry.value));
    if (fields.size() != 2 || fields[0].tag != kTagInteger || fields[0].value.size() != 1 ||
        fields[1].tag != kTagOctetString) {
      return invalidArgument(
          "LDS security object: DataGroupHash is not { INTEGER, OCTET STRING }");
    }
    const int number = fields[0].value[0];
    if (number < 1 || number > kMaxDataGroup) {
      return invalidArgument("LDS security object: data group number " + std::to_string(number) +
                             " out of range");
    }
    if (!out.emplace(number, fields[1].value).second) {
      return invalidArgument("LDS security object: DG" + std::to_string(number) + " listed twice");
    }
  }
  return out;
}

Bytes wrapEfSod(const Bytes& cms_signed_data) { return encodeTlv(kTagEfSod, cms_signed_data); }

Result<Bytes> unwrapEfSod(const Bytes& ef_sod) {
  CARDLINE_ASSIGN_OR_RETURN(Tlv tlv, decodeSingleTlv(ef_sod));
  if (tlv.tag != kTagEfSod) return invalidArgument("EF.SOD: outer tag is not 77");
  return std::move(tlv.value);
}

Result<EfSod> buildEfSod(const DataGroups& data_groups, Signer& signer) {
  if (data_groups.empty()) return invalidArgument("EF.SOD needs at least one data group");
  for (const auto& entry : data_groups) {
    if (entry.first < 1 || entry.first > kMaxDataGroup) {
      return invalidArgument("data group number " + std::to_string(entry.first) +
                             " out of range 1..16");
    }
  }
  CARDLINE_ASSIGN_OR_RETURN(SignedSecurityObject signed_object,
                            signer.signSecurityObject(encodeLdsSecurityObject(data_groups)));
  return EfSod{wrapEfSod(signed_object.cms_signed_data), signed_object.signer_id};
}

Result<PassiveAuthReport> verifyPassiveAuthentication(const Bytes& ef_sod,
                                                      const DataGroups& data_groups,
                                                      const std::string& csca_pem, Timestamp at) {
  std::vector<ossl::X509Ptr> anchors = ossl::readCertificates(csca_pem);
  if (anchors.empty()) return invalidArgument("no CSCA certificate found in the given PEM text");

  PassiveAuthReport report;
  Result<Bytes> cms_der = unwrapEfSod(ef_sod);
  if (!cms_der.isOk()) {
    report.problems.push_back(cms_der.status().message());
    return report;
  }
  const unsigned char* cursor = cms_der->data();
  ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(cms_der->size())));
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    ossl::drainErrors();
    report.problems.push_back("EF.SOD does not hold a CMS SignedData");
    return report;
  }
  char oid[64] = {0};
  const ASN1_OBJECT* content_type = CMS_get0_eContentType(cms.get());
  if (content_type == nullptr || OBJ_obj2txt(oid, sizeof oid, content_type, 1) <= 0 ||
      std::string(oid) != kLdsSecurityObjectOid) {
    report.problems.push_back("CMS content type is " + std::string(oid) + ", expected " +
                              kLdsSecurityObjectOid);
    return report;
  }
  ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
  if (content == nullptr || *content == nullptr) {
    report.problems.push_back("CMS SignedData has no embedded content");
    return report;
  }
  const Bytes lso_der(ASN1_STRING_get0_data(*content),
                      ASN1_STRING_get0_data(*content) + ASN1_STRING_length(*content));
  Result<std::map<int, Bytes>> hashes = parseLdsSecurityObject(lso_der);
  if (!hashes.isOk()) {
    report.problems.push_back(hashes.status().message());
    return report;
  }
  report.structure_ok = true;

  // Signature with the embedded DS certificate; the chain is checked separately below so the
  // report can tell the two apart.
  ossl::BioPtr out = ossl::emptyBio();
  report.signature_ok = CMS_verify(cms.get(), nullptr, nullptr, nullptr, out.get(),
                                   CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
  if (!report.signature_ok) {
    report.problems.push_back("CMS signature does not verify: " + ossl::drainErrors());
  }

  CMS_set1_signers_certs(cms.get(), nullptr, 0);
  STACK_OF(X509)* signers = CMS_get0_signers(cms.get());
  X509* ds = signers != nullptr && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : nullptr;
  if (ds == nullptr) {
    report.problems.push_back("no single Document Signer certificate in the CMS");
  } else {
    report.signer_subject = ossl::subjectLine(ds);
    ossl::StorePtr store(X509_STORE_new());
    for (const auto& anchor : anchors) X509_STORE_add_cert(store.get(), anchor.get());
    STACK_OF(X509)* embedded = CMS_get1_certs(cms.get());
    ossl::StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (ctx && X509_STORE_CTX_init(ctx.get(), store.get(), ds, embedded) == 1) {
      X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                                 static_cast<time_t>(at.seconds()));
      report.chain_ok = X509_verify_cert(ctx.get()) == 1;
      if (!report.chain_ok) {
        report.problems.push_back(
            "Document Signer certificate does not chain to the CSCA: " +
            std::string(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))));
      }
    } else {
      report.problems.push_back("cannot set up certificate verification: " +
                                ossl::drainErrors());
    }
    sk_X509_pop_free(embedded, X509_free);
  }
  if (signers != nullptr) sk_X509_free(signers);
  ossl::drainErrors();

  for (const auto& [number, expected] : hashes.value()) {
    const auto it = data_groups.find(number);
    if (it == data_groups.end()) {
      report.missing.push_back(number);
    } else if (sha256(it->second) != expected) {
      report.mismatched.push_back(number);
    }
  }
  for (const auto& entry : data_groups) {
    if (hashes->count(entry.first) == 0) report.not_in_sod.push_back(entry.first);
  }
  if (!report.mismatched.empty()) {
    report.problems.push_back("hash mismatch: " + joinNumbers(report.mismatched));
  }
  if (!report.missing.empty()) {
    report.problems.push_back("listed in the SOD but not read: " + joinNumbers(report.missing));
  }
  if (!report.not_in_sod.empty()) {
    report.problems.push_back("not listed in the SOD: " + joinNumbers(report.not_in_sod));
  }
  return report;
}

}  // namespace cardline
