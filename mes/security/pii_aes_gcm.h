#pragma once
// AesGcmPiiProtector: the PiiProtector port with AES-256-GCM and HMAC-SHA-256 (OpenSSL EVP).
//
// Two sub-keys are derived from the 32-byte master key with HMAC-SHA-256 over fixed labels
// ("cardline/pii/seal/v1", "cardline/pii/lookup/v1"), so the look-up hash never reveals
// anything about the encryption key and vice versa.
//
// Sealed format (version 1): 0x01 | 12-byte random nonce | ciphertext | 16-byte GCM tag.
// The associated data is the version byte followed by the context, so a value moved to another
// row (another context) fails to open.
//
// Immutable after construction; thread-safe.

#include <memory>
#include <string>
#include <string_view>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/core/pii_protector.h"

namespace cardline {

class AesGcmPiiProtector final : public PiiProtector {
 public:
  // Builds a protector from a master key. kInvalidArgument unless the key has 32 bytes;
  // kInternal if OpenSSL cannot derive the sub-keys.
  static Result<std::unique_ptr<AesGcmPiiProtector>> create(const Bytes& master_key);
  // Loads the master key with loadKeyFile(path) and builds a protector; fails like loadKeyFile
  // and create.
  static Result<std::unique_ptr<AesGcmPiiProtector>> fromKeyFile(const std::string& path);

  // Encrypts with a fresh random nonce. kInternal if OpenSSL fails.
  Result<Bytes> seal(const Bytes& plaintext, std::string_view context) const override;
  // kDataLoss if the value is truncated, has an unknown version, was altered, was sealed under
  // another key or with another context.
  Result<Bytes> open(const Bytes& sealed, std::string_view context) const override;
  // Lower-case hex HMAC-SHA-256 of the personal number under the look-up sub-key.
  std::string lookupHash(std::string_view personal_number) const override;

 private:
  AesGcmPiiProtector(Bytes seal_key, Bytes lookup_key)
      : seal_key_(std::move(seal_key)), lookup_key_(std::move(lookup_key)) {}

  Bytes seal_key_;
  Bytes lookup_key_;
};

}  // namespace cardline
