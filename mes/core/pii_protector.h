#pragma once
// Port: protection of personal data at rest. The storage adapters call it; mes/security
// implements it with AES-256-GCM and HMAC-SHA-256 under a key from a key file.

#include <string>
#include <string_view>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline {

// Implementations are thread-safe.
class PiiProtector {
 public:
  virtual ~PiiProtector() = default;
  // Encrypts and authenticates plaintext. `context` (for example the application id) is bound
  // as associated data: a sealed value copied to another row fails to open.
  virtual Result<Bytes> seal(const Bytes& plaintext, std::string_view context) const = 0;
  // Reverses seal(). kDataLoss if the value was altered, the key is wrong or the context
  // differs.
  virtual Result<Bytes> open(const Bytes& sealed, std::string_view context) const = 0;
  // A keyed, deterministic hash of a personal number for look-up (hex). Equal inputs give
  // equal hashes; without the key the number cannot be recovered by enumeration.
  virtual std::string lookupHash(std::string_view personal_number) const = 0;
};

}  // namespace cardline
