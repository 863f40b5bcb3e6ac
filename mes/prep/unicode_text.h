#pragma once
// Unicode text rules for the card face (ICU behind plain std::string). Intake already stores NFC;
// preparation normalises again so that a record from any other source renders and measures the
// same. Stateless functions, thread-safe.

#include <string>
#include <string_view>

#include "mes/base/status.h"

namespace cardline {

// NFC form of UTF-8 text. Fails with kInvalidArgument when `utf8` is not valid UTF-8.
Result<std::string> nfcText(std::string_view utf8);

// Upper case with Vietnamese rules ("Nguyễn Thị" -> "NGUYỄN THỊ"), result in NFC. Fails with
// kInvalidArgument when `utf8` is not valid UTF-8.
Result<std::string> upperText(std::string_view utf8);

}  // namespace cardline
