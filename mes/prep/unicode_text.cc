#include "mes/prep/unicode_text.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace cardline {

namespace {

Status checkUtf8(std::string_view utf8) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto length = static_cast<std::int32_t>(utf8.size());
  std::int32_t offset = 0;
  while (offset < length) {
    const std::int32_t start = offset;
    UChar32 c = 0;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) {
      return invalidArgument("text is not valid UTF-8 (byte offset " + std::to_string(start) + ")");
    }
  }
  return Status::ok();
}

Result<std::string> normalise(const icu::UnicodeString& text) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) return internalError(std::string("ICU NFC: ") + u_errorName(error));
  icu::UnicodeString normalised = nfc->normalize(text, error);
  if (U_FAILURE(error)) return internalError(std::string("ICU NFC: ") + u_errorName(error));
  std::string out;
  normalised.toUTF8String(out);
  return out;
}

}  // namespace

Result<std::string> nfcText(std::string_view utf8) {
  CARDLINE_RETURN_IF_ERROR(checkUtf8(utf8));
  return normalise(icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size()))));
}

Result<std::string> upperText(std::string_view utf8) {
  CARDLINE_RETURN_IF_ERROR(checkUtf8(utf8));
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
  text.toUpper(icu::Locale("vi"));
  return normalise(text);
}

}  // namespace cardline
