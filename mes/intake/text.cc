#include "mes/intake/text.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace cardline {

namespace {

// Decodes one code point of valid UTF-8 starting at text[i]; advances i.
char32_t decodeAt(std::string_view text, std::size_t& i) {
  auto b = static_cast<unsigned char>(text[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
  char32_t cp = b & (0x3F >> extra);
  for (int k = 1; k <= extra && i + static_cast<std::size_t>(k) < text.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]) & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

std::string encodeUtf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// The Vietnamese letters, built once by composing each base vowel with each tone mark.
const std::vector<char32_t>& vietnameseLetters() {
  static const std::vector<char32_t> kLetters = [] {
    const char32_t bases[] = {U'a', U'ă', U'â', U'e', U'ê', U'i', U'o', U'ô',
                              U'ơ', U'u', U'ư', U'y', U'A', U'Ă', U'Â', U'E',
                              U'Ê', U'I', U'O', U'Ô', U'Ơ', U'U', U'Ư', U'Y'};
    const char32_t marks[] = {0x0300, 0x0301, 0x0303, 0x0309, 0x0323};
    std::vector<char32_t> letters = {U'đ', U'Đ'};
    for (char32_t base : bases) {
      letters.push_back(base);
      for (char32_t mark : marks) {
        auto composed = toNfc(encodeUtf8(base) + encodeUtf8(mark));
        if (!composed.isOk()) continue;
        const std::string& s = composed.value();
        std::size_t i = 0;
        char32_t cp = decodeAt(s, i);
        if (i == s.size()) letters.push_back(cp);
      }
    }
    std::sort(letters.begin(), letters.end());
    return letters;
  }();
  return kLetters;
}

}  // namespace

std::optional<std::size_t> findInvalidUtf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    int extra;
    char32_t cp;
    if (b >= 0xC2 && b <= 0xDF) {
      extra = 1;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      extra = 2;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      extra = 3;
      cp = b & 0x07;
    } else {
      return i;
    }
    if (i + static_cast<std::size_t>(extra) >= n) return i;
    for (int k = 1; k <= extra; ++k) {
      auto c = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((c & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += static_cast<std::size_t>(extra) + 1;
  }
  return std::nullopt;
}

Result<std::string> toNfc(std::string_view text) {
  if (auto bad = findInvalidUtf8(text)) {
    return invalidArgument("not valid UTF-8 at byte " + std::to_string(*bad));
  }
  bool ascii = std::all_of(text.begin(), text.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(text);
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(ec);
  if (U_FAILURE(ec)) return internalError(std::string("ICU NFC: ") + u_errorName(ec));
  icu::StringPiece piece(text.data(), static_cast<int32_t>(text.size()));
  if (nfc->isNormalizedUTF8(piece, ec) && U_SUCCESS(ec)) return std::string(text);
  ec = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out);
  nfc->normalizeUTF8(0, piece, sink, nullptr, ec);
  if (U_FAILURE(ec)) return internalError(std::string("ICU NFC: ") + u_errorName(ec));
  return out;
}

std::string collapseSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

bool isPrintableOnCard(char32_t cp) {
  if ((cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z') || (cp >= U'0' && cp <= U'9')) {
    return true;
  }
  switch (cp) {
    case U' ':
    case U'.':
    case U',':
    case U'-':
    case U'\'':
    case U'/':
    case U'(':
    case U')':
    case U':':
    case U';':
      return true;
    default:
      break;
  }
  const auto& letters = vietnameseLetters();
  return std::binary_search(letters.begin(), letters.end(), cp);
}

std::optional<std::string> findUnprintable(std::string_view text) {
  std::size_t i = 0;
  std::size_t index = 0;
  while (i < text.size()) {
    std::size_t start = i;
    char32_t cp = decodeAt(text, i);
    ++index;
    if (!isPrintableOnCard(cp)) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
      std::string shown;
      if (cp >= 0x20 && cp != 0x7F) shown = " '" + std::string(text.substr(start, i - start)) + "'";
      return std::string(code) + shown + " at character " + std::to_string(index);
    }
  }
  return std::nullopt;
}

std::size_t countCodePoints(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace cardline
