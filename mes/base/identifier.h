#pragma once
// The one rule for identifiers that people type and devices send: device ids, lot ids,
// receiving-unit codes, box ids, seal and tracking numbers, card serials. Used by the command
// line and the HTTP API alike, so an id that one accepts the other accepts too, and no id can
// carry markup, paths or separators into pages, files or logs.

#include <string>
#include <string_view>

#include "mes/base/status.h"

namespace cardline {

// Longest identifier accepted.
inline constexpr std::size_t kMaxIdentifierLength = 64;

// OK when `value` has 1..64 characters from A-Z, a-z, 0-9, '.', '_' and '-', starts with a
// letter or a digit and contains no "..". Otherwise kInvalidArgument naming `what` (e.g.
// "device id") and saying which rule the value breaks (the value is quoted only when it
// contains no character outside the rule's set, so an error never echoes markup).
Status validateIdentifier(std::string_view what, std::string_view value);

}  // namespace cardline
