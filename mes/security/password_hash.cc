#include "mes/security/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <vector>

#include "mes/base/bytes.h"

namespace cardline {
namespace {

constexpr char kAlgorithm[] = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr int kMaxIterations = 100000000;

struct ParsedHash {
  int iterations = 0;
  Bytes salt;
  Bytes hash;
};

Result<Bytes> derive(std::string_view password, const Bytes& salt, int iterations,
                     std::size_t length) {
  Bytes out(length);
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()), out.data()) != 1) {
    return internalError("PKCS5_PBKDF2_HMAC failed");
  }
  return out;
}

std::vector<std::string_view> splitDollar(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('$', start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

Result<ParsedHash> parseHash(std::string_view stored) {
  const auto parts = splitDollar(stored);
  if (parts.size() != 4 || parts[0] != kAlgorithm) {
    return invalidArgument("not a pbkdf2-sha256 password hash");
  }
  ParsedHash parsed;
  if (parts[1].empty() || parts[1].size() > 9) {
    return invalidArgument("bad iteration count in password hash");
  }
  std::int64_t iterations = 0;
  for (char c : parts[1]) {
    if (c < '0' || c > '9') return invalidArgument("bad iteration count in password hash");
    iterations = iterations * 10 + (c - '0');
  }
  if (iterations < kMinPasswordIterations || iterations > kMaxIterations) {
    return invalidArgument("iteration count in password hash out of range");
  }
  parsed.iterations = static_cast<int>(iterations);
  Result<Bytes> salt = base64Decode(parts[2]);
  Result<Bytes> hash = base64Decode(parts[3]);
  if (!salt.isOk() || !hash.isOk() || salt->empty() || hash->size() != kHashBytes) {
    return invalidArgument("bad salt or hash in password hash");
  }
  parsed.salt = std::move(salt).value();
  parsed.hash = std::move(hash).value();
  return parsed;
}

}  // namespace

Result<std::string> hashPassword(std::string_view password, const PasswordHashOptions& options) {
  if (options.iterations < kMinPasswordIterations || options.iterations > kMaxIterations) {
    return invalidArgument("password hash iterations must be between " +
                           std::to_string(kMinPasswordIterations) + " and " +
                           std::to_string(kMaxIterations));
  }
  Bytes salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return internalError("RAND_bytes failed");
  }
  CARDLINE_ASSIGN_OR_RETURN(Bytes hash, derive(password, salt, options.iterations, kHashBytes));
  return std::string(kAlgorithm) + "$" + std::to_string(options.iterations) + "$" +
         base64Encode(salt) + "$" + base64Encode(hash);
}

Result<PasswordMatch> verifyPassword(std::string_view password, std::string_view stored) {
  CARDLINE_ASSIGN_OR_RETURN(ParsedHash parsed, parseHash(stored));
  CARDLINE_ASSIGN_OR_RETURN(Bytes computed,
                            derive(password, parsed.salt, parsed.iterations, parsed.hash.size()));
  return CRYPTO_memcmp(computed.data(), parsed.hash.data(), computed.size()) == 0
             ? PasswordMatch::kMatch
             : PasswordMatch::kMismatch;
}

bool passwordNeedsRehash(std::string_view stored, const PasswordHashOptions& options) {
  Result<ParsedHash> parsed = parseHash(stored);
  return !parsed.isOk() || parsed->iterations < options.iterations;
}

}  // namespace cardline
