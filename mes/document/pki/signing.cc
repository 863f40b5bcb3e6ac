#include "mes/document/pki/signing.h"

#include <fcntl.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mes/base/date.h"
#include "mes/document/openssl_util.h"
#include "mes/document/sod.h"

namespace cardline::pki {
namespace {

std::string certTime(const ASN1_TIME* t) {
  ossl::BioPtr bio = ossl::emptyBio();
  if (!bio || ASN1_TIME_print(bio.get(), t) != 1) return "?";
  return toString(ossl::bioContents(bio.get()));
}

}  // namespace

Result<Bytes> certificateDer(X509* cert) {
  const int der_length = i2d_X509(cert, nullptr);
  Bytes der(static_cast<std::size_t>(der_length > 0 ? der_length : 0));
  unsigned char* cursor = der.data();
  if (der_length <= 0 || i2d_X509(cert, &cursor) != der_length) {
    return ossl::failure("encoding the DS certificate");
  }
  return der;
}

Result<std::string> signerIdOf(X509* cert) {
  CARDLINE_ASSIGN_OR_RETURN(Bytes der, certificateDer(cert));
  return "ds-" + hexEncode(sha256(der)).substr(0, 16);
}

Status checkSignerLimits(X509* cert, const std::string& who, Timestamp now,
                         std::int64_t signed_count, std::int64_t max_documents) {
  time_t now_seconds = static_cast<time_t>(now.seconds());
  if (X509_cmp_time(X509_get0_notBefore(cert), &now_seconds) > 0) {
    return failedPrecondition(who + " is not valid before " + certTime(X509_get0_notBefore(cert)) +
                              " (now " + formatIsoTimestamp(now) + ")");
  }
  if (X509_cmp_time(X509_get0_notAfter(cert), &now_seconds) < 0) {
    return failedPrecondition(who + " expired on " + certTime(X509_get0_notAfter(cert)) + " (now " +
                              formatIsoTimestamp(now) + ")");
  }
  if (signed_count >= max_documents) {
    return failedPrecondition(who + " reached its limit of " + std::to_string(max_documents) +
                              " documents");
  }
  return Status::ok();
}

Result<Bytes> signLdsSecurityObject(X509* cert, EVP_PKEY* key, const Bytes& content,
                                    Timestamp now) {
  const unsigned int flags = CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
  ossl::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  if (!cms) return ossl::failure("CMS_sign");
  ASN1_OBJECT* content_type = OBJ_txt2obj(kLdsSecurityObjectOid, 1);
  const bool typed = content_type != nullptr && CMS_set1_eContentType(cms.get(), content_type) == 1;
  ASN1_OBJECT_free(content_type);
  if (!typed) return ossl::failure("setting the LDS content type");
  CMS_SignerInfo* signer_info = CMS_add1_signer(cms.get(), cert, key, EVP_sha256(), flags);
  if (signer_info == nullptr) return ossl::failure("CMS_add1_signer");
  // Signing time from our Clock (OpenSSL would otherwise read the system clock).
  ASN1_TIME* signing_time = ASN1_TIME_set(nullptr, static_cast<time_t>(now.seconds()));
  const bool timed =
      signing_time != nullptr &&
      CMS_signed_add1_attr_by_NID(signer_info, NID_pkcs9_signingTime,
                                  ASN1_STRING_type(signing_time), signing_time, -1) == 1;
  ASN1_TIME_free(signing_time);
  if (!timed) return ossl::failure("adding the signing time");
  ossl::BioPtr data = ossl::memoryBio(content);
  if (!data || CMS_final(cms.get(), data.get(), nullptr, CMS_BINARY | CMS_NOSMIMECAP) != 1) {
    return ossl::failure("CMS_final");
  }
  const int length = i2d_CMS_ContentInfo(cms.get(), nullptr);
  if (length <= 0) return ossl::failure("encoding the CMS");
  Bytes out(static_cast<std::size_t>(length));
  unsigned char* cursor = out.data();
  if (i2d_CMS_ContentInfo(cms.get(), &cursor) != length) return ossl::failure("encoding the CMS");
  return out;
}

Result<std::int64_t> readDocumentCount(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::int64_t{0};
  std::ifstream in(path, std::ios::binary);
  if (!in) return unavailable("cannot read " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
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

Status writeDocumentCount(const std::string& path, std::int64_t count) {
  const std::string tmp = path + ".tmp";
  const std::string text = std::to_string(count) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return unavailable("cannot write " + tmp + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return unavailable("cannot persist the document count in " + path);
  }
  return Status::ok();
}

}  // namespace cardline::pki
