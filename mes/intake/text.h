#pragma once
// Text rules shared by intake: UTF-8 well-formedness, Unicode NFC normalisation (ICU), white
// space clean-up and the set of characters the card fonts can print.
//
// The printable set (documented in docs/intake.md): ASCII letters and digits, space, the
// punctuation . , - ' / ( ) : ; and every Vietnamese letter — the vowels a ă â e ê i o ô ơ u ư
// y with each of the five tone marks (grave, acute, tilde, hook above, dot below) and none,
// and đ/Đ, in both cases. Noto Sans and Noto Serif cover all of them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mes/base/status.h"

namespace cardline {

// Returns the byte offset of the first ill-formed UTF-8 sequence (overlong forms, surrogates
// and code points above U+10FFFF count as ill-formed), or nullopt when `text` is valid.
std::optional<std::size_t> findInvalidUtf8(std::string_view text);

// Normalises valid UTF-8 to NFC. Fails with kInvalidArgument when `text` is not valid UTF-8
// and kInternal when ICU fails.
Result<std::string> toNfc(std::string_view text);

// Trims leading and trailing white space (space, tab, CR, LF) and collapses every inner run of
// white space to one space.
std::string collapseSpaces(std::string_view text);

// True when code point `cp` is in the printable set described above.
bool isPrintableOnCard(char32_t cp);

// For valid NFC UTF-8: describes the first character outside the printable set as
// "U+0110 'Đ' at character 3" (1-based), or nullopt when every character is printable.
std::optional<std::string> findUnprintable(std::string_view text);

// Number of Unicode code points in valid UTF-8 text.
std::size_t countCodePoints(std::string_view text);

}  // namespace cardline
