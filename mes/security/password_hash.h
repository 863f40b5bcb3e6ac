#pragma once
// Slow, salted password hashing: PBKDF2-HMAC-SHA256 (OpenSSL) with a 16-byte random salt,
// stored as the self-describing text "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64".
//
// Thread-safe (no shared state). A verification costs as much as a hash: about a third of a
// second at the default iteration count on this kind of machine, by design.

#include <string>
#include <string_view>

#include "mes/base/status.h"

namespace cardline {

struct PasswordHashOptions {
  // PBKDF2 iterations for new hashes. The default follows OWASP's 2023 figure for
  // PBKDF2-HMAC-SHA256. Tests may lower it; production configuration must not.
  int iterations = 310000;
};

// The smallest iteration count accepted by hashPassword() and by verifyPassword() when reading
// a stored hash (guards against a stored hash downgraded to a trivial count).
inline constexpr int kMinPasswordIterations = 1000;

// Hashes `password` with a fresh random salt. kInvalidArgument if options.iterations is below
// kMinPasswordIterations; kInternal if the random generator or OpenSSL fails.
Result<std::string> hashPassword(std::string_view password, const PasswordHashOptions& options);

enum class PasswordMatch { kMatch, kMismatch };

// Checks `password` against a stored hash string in constant time (CRYPTO_memcmp).
// kInvalidArgument if `stored` is not a well-formed "pbkdf2-sha256$..." string (unknown
// algorithm, bad base64, iteration count out of range); kInternal if OpenSSL fails.
Result<PasswordMatch> verifyPassword(std::string_view password, std::string_view stored);

// True when `stored` was made with fewer iterations than `options` asks for (the caller may
// re-hash at the next successful login). Malformed strings count as needing a re-hash.
bool passwordNeedsRehash(std::string_view stored, const PasswordHashOptions& options);

}  // namespace cardline
