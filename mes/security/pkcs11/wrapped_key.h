#pragma once
// A secret (the personal-data master key) kept in the data directory only wrapped by an AES key
// that never leaves the PKCS#11 token (AES key wrap with padding, RFC 5649, done in the token).
// The data directory alone then decrypts nothing: unwrapping needs the token and its PIN.
//
// File format (text, mode 0600):
//   cardline-wrapped-key v1
//   token-key: <label of the wrapping key in the token>
//   wrapped: <hex of the wrapped bytes>

#include <string>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/security/pkcs11/pkcs11_token.h"

namespace cardline {

// The CKA_LABEL (and CKA_ID) of the token's AES key that wraps the personal-data key.
inline constexpr const char* kPiiWrappingKeyLabel = "cardline-pii-wrap";

// True when `text` is in the wrapped-key file format (its first line).
bool isWrappedKeyText(const std::string& text);

// Wraps `plain` under the token's key kPiiWrappingKeyLabel, generating that key in the token
// first when it is not there. Returns the file text. Token errors pass through.
Result<std::string> wrapSecret(Pkcs11Token& token, const Bytes& plain);

// Unwraps file text made by wrapSecret. kInvalidArgument when the text is not in the format
// (the line and what was expected), kDataLoss when the token cannot unwrap it (another token
// key, altered bytes); token errors pass through (kUnavailable when the token is gone).
Result<Bytes> unwrapSecret(Pkcs11Token& token, const std::string& text);

}  // namespace cardline
