#pragma once
// Key files: a 32-byte master key stored as hex (64 characters) or base64 text in a file that
// only its owner may read. The key never goes into the repository or the database.

#include <string>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline {

// Size of a master key in bytes (AES-256).
inline constexpr std::size_t kMasterKeySize = 32;

// Reads the key in `path` (hex or base64, surrounding white space ignored).
// Fails with kNotFound if the file does not exist, kPermissionDenied if it is readable or
// writable by group or others (fix with chmod 600) or cannot be read, kInvalidArgument if the
// text is neither hex nor base64 or does not decode to exactly 32 bytes.
Result<Bytes> loadKeyFile(const std::string& path);

enum class KeyFileOutcome { kCreated, kAlreadyPresent };

// Creates `path` with mode 0600 holding 32 fresh random bytes as hex, unless a file already
// exists there (then it is left untouched and kAlreadyPresent is returned; it is not
// validated — loadKeyFile does that). Fails with kUnavailable when the file cannot be created
// or written (missing directory, no permission, disk full), kInternal if the random generator
// fails.
Result<KeyFileOutcome> generateKeyFile(const std::string& path);

}  // namespace cardline
