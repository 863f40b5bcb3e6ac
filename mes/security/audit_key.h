#pragma once
// The secret that seals the audit trail (audit_chain.h). Each entry's hash is a MAC of its
// canonical text under this key, so someone who can write to the database but does not hold
// the key cannot re-compute the chain after altering, removing or rebuilding entries.
//
// A small port: today the key is a file next to the personal-data key (HmacAuditKey,
// audit_key_hmac.h); a hardware token can implement the same two calls later without the
// trail changing.

#include <string>

#include "mes/base/status.h"

namespace cardline {

class AuditKey {
 public:
  virtual ~AuditKey() = default;

  // Lower-case hex HMAC-SHA-256 (64 characters) of `text` under the key. Fails only when the
  // key's holder fails (kUnavailable for a token that cannot be reached, kInternal).
  // Thread-safe.
  virtual Result<std::string> mac(const std::string& text) const = 0;

  // A short public fingerprint of the key (16 hex characters), recorded in checkpoints so a
  // verifier can tell "sealed with another key" from "altered". Reveals nothing of the key.
  virtual std::string id() const = 0;
};

}  // namespace cardline
