#pragma once
// JSON string literals for hand-built JSON text (event and audit details, reports, the bench's
// JSON): one escaping rule for the whole code base.

#include <string>

namespace cardline {

// A JSON string literal for `text` (quotes included), escaping as RFC 8259 requires: quote and
// backslash with a backslash, the other control characters below U+0020 as \u00XX (lower-case
// hex); every other byte as it is (the text is expected to be UTF-8). The audit chain hashes
// text built with it, so its output must never change.
std::string jsonQuote(const std::string& text);

}  // namespace cardline
