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

// The value of the string member `key` of a flat JSON object text such as an event detail or
// device measurements ("" when the member is absent or not a string). White space around the
// colon is allowed; the escapes are decoded (\" \\ \/ \b \f \n \r \t and \uXXXX, written
// as UTF-8; a lone surrogate becomes U+FFFD). Not a JSON parser: a member of a nested object
// with the same name would be found too, so use it only on text of a known flat shape.
std::string jsonStringField(const std::string& json, const std::string& key);

}  // namespace cardline
