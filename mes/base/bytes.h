#pragma once
// Byte strings and the encodings the system needs everywhere (hex, base64).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"

namespace cardline {

using Bytes = std::vector<std::uint8_t>;

Bytes toBytes(std::string_view s);
std::string toString(const Bytes& b);
// Lower-case hex.
std::string hexEncode(const Bytes& b);
Result<Bytes> hexDecode(std::string_view hex);
// Standard base64 (RFC 4648) with padding.
std::string base64Encode(const Bytes& b);
// Accepts padded or unpadded standard base64; ignores ASCII white space.
Result<Bytes> base64Decode(std::string_view text);

}  // namespace cardline
