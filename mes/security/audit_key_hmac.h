#pragma once
// The audit key held in a key file (key_file.h: 32 bytes, hex or base64, mode 0600), used for
// HMAC-SHA-256 with OpenSSL. The default file is <data_dir>/keys/audit.key, generated for the
// embedded database like the personal-data key; production keys are provisioned.

#include <memory>
#include <string>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/security/audit_key.h"

namespace cardline {

class HmacAuditKey final : public AuditKey {
 public:
  // kInvalidArgument unless `key` holds exactly 32 bytes.
  static Result<std::unique_ptr<HmacAuditKey>> create(Bytes key);
  // loadKeyFile(path) then create(); the file's errors pass through (kNotFound,
  // kPermissionDenied for a file others may read, kInvalidArgument).
  static Result<std::unique_ptr<HmacAuditKey>> fromKeyFile(const std::string& path);

  Result<std::string> mac(const std::string& text) const override;
  std::string id() const override { return id_; }

 private:
  explicit HmacAuditKey(Bytes key);
  Bytes key_;
  std::string id_;
};

}  // namespace cardline
