#include "mes/security/pii_aes_gcm.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

#include "mes/security/key_file.h"

namespace cardline {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr std::string_view kSealLabel = "cardline/pii/seal/v1";
constexpr std::string_view kLookupLabel = "cardline/pii/lookup/v1";

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

Result<Bytes> hmacSha256(const Bytes& key, std::string_view message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  const unsigned char* data = reinterpret_cast<const unsigned char*>(message.data());
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data, message.size(),
           out.data(), &length) == nullptr) {
    return internalError("HMAC-SHA-256 failed");
  }
  out.resize(length);
  return out;
}

Bytes associatedData(std::string_view context) {
  Bytes aad;
  aad.reserve(1 + context.size());
  aad.push_back(kVersion);
  aad.insert(aad.end(), context.begin(), context.end());
  return aad;
}

}  // namespace

Result<std::unique_ptr<AesGcmPiiProtector>> AesGcmPiiProtector::create(const Bytes& master_key) {
  if (master_key.size() != kMasterKeySize) {
    return invalidArgument("PII master key must have " + std::to_string(kMasterKeySize) +
                           " bytes, not " + std::to_string(master_key.size()));
  }
  CARDLINE_ASSIGN_OR_RETURN(Bytes seal_key, hmacSha256(master_key, kSealLabel));
  CARDLINE_ASSIGN_OR_RETURN(Bytes lookup_key, hmacSha256(master_key, kLookupLabel));
  return std::unique_ptr<AesGcmPiiProtector>(
      new AesGcmPiiProtector(std::move(seal_key), std::move(lookup_key)));
}

Result<std::unique_ptr<AesGcmPiiProtector>> AesGcmPiiProtector::fromKeyFile(
    const std::string& path) {
  CARDLINE_ASSIGN_OR_RETURN(Bytes key, loadKeyFile(path));
  return create(key);
}

Result<Bytes> AesGcmPiiProtector::seal(const Bytes& plaintext, std::string_view context) const {
  Bytes out(1 + kNonceSize + plaintext.size() + kTagSize);
  out[0] = kVersion;
  std::uint8_t* nonce = out.data() + 1;
  if (RAND_bytes(nonce, static_cast<int>(kNonceSize)) != 1) {
    return internalError("random generator failed");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return internalError("EVP_CIPHER_CTX_new failed");
  const Bytes aad = associatedData(context);
  int length = 0;
  std::uint8_t* cipher = nonce + kNonceSize;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceSize),
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, seal_key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, aad.data(), static_cast<int>(aad.size())) !=
          1) {
    return internalError("AES-256-GCM initialisation failed");
  }
  int written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), cipher, &length, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1) {
      return internalError("AES-256-GCM encryption failed");
    }
    written = length;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), cipher + written, &length) != 1) {
    return internalError("AES-256-GCM finalisation failed");
  }
  written += length;
  if (static_cast<std::size_t>(written) != plaintext.size()) {
    return internalError("AES-256-GCM produced an unexpected length");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          cipher + written) != 1) {
    return internalError("AES-256-GCM tag retrieval failed");
  }
  return out;
}

Result<Bytes> AesGcmPiiProtector::open(const Bytes& sealed, std::string_view context) const {
  if (sealed.size() < 1 + kNonceSize + kTagSize) {
    return dataLoss("sealed personal data is truncated");
  }
  if (sealed[0] != kVersion) {
    return dataLoss("sealed personal data has unknown version " + std::to_string(sealed[0]));
  }
  const std::uint8_t* nonce = sealed.data() + 1;
  const std::uint8_t* cipher = nonce + kNonceSize;
  const std::size_t cipher_size = sealed.size() - 1 - kNonceSize - kTagSize;
  Bytes tag(cipher + cipher_size, cipher + cipher_size + kTagSize);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return internalError("EVP_CIPHER_CTX_new failed");
  const Bytes aad = associatedData(context);
  Bytes plain(cipher_size);
  int length = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceSize),
                          nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, seal_key_.data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, aad.data(), static_cast<int>(aad.size())) !=
          1) {
    return internalError("AES-256-GCM initialisation failed");
  }
  int written = 0;
  if (cipher_size > 0) {
    if (EVP_DecryptUpdate(ctx.get(), plain.data(), &length, cipher,
                          static_cast<int>(cipher_size)) != 1) {
      return dataLoss("sealed personal data cannot be decrypted");
    }
    written = length;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) != 1) {
    return internalError("AES-256-GCM tag setting failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + written, &length) != 1) {
    return dataLoss(
        "sealed personal data failed authentication (altered, wrong key or wrong context)");
  }
  plain.resize(static_cast<std::size_t>(written + length));
  return plain;
}

std::string AesGcmPiiProtector::lookupHash(std::string_view personal_number) const {
  Result<Bytes> mac = hmacSha256(lookup_key_, personal_number);
  // HMAC with a valid key and SHA-256 cannot fail short of memory exhaustion; an empty hash
  // would make look-ups miss rather than match the wrong row.
  return mac.isOk() ? hexEncode(*mac) : std::string();
}

}  // namespace cardline
