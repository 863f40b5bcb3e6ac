#include "mes/security/audit_key_hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mes/security/key_file.h"

namespace cardline {
namespace {

bool hmacSha256(const Bytes& key, const std::string& text, Bytes* out) {
  out->assign(EVP_MAX_MD_SIZE, 0);
  unsigned int length = 0;
  const unsigned char* done =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(text.data()), text.size(), out->data(), &length);
  if (done == nullptr) return false;
  out->resize(length);
  return true;
}

}  // namespace

HmacAuditKey::HmacAuditKey(Bytes key) : key_(std::move(key)) {
  Bytes fingerprint;
  if (hmacSha256(key_, "cardline-audit-key-id", &fingerprint)) {
    id_ = hexEncode(fingerprint).substr(0, 16);
  }
}

Result<std::unique_ptr<HmacAuditKey>> HmacAuditKey::create(Bytes key) {
  if (key.size() != kMasterKeySize) {
    return invalidArgument("an audit key has " + std::to_string(kMasterKeySize) +
                           " bytes, not " + std::to_string(key.size()));
  }
  std::unique_ptr<HmacAuditKey> made(new HmacAuditKey(std::move(key)));
  if (made->id_.empty()) return internalError("HMAC-SHA-256 failed while loading the audit key");
  return made;
}

Result<std::unique_ptr<HmacAuditKey>> HmacAuditKey::fromKeyFile(const std::string& path) {
  Result<Bytes> key = loadKeyFile(path);
  if (!key.isOk()) return key.status().withContext("the audit key");
  return create(std::move(key).value());
}

Result<std::string> HmacAuditKey::mac(const std::string& text) const {
  Bytes digest;
  if (!hmacSha256(key_, text, &digest)) return internalError("HMAC-SHA-256 failed");
  return hexEncode(digest);
}

}  // namespace cardline
