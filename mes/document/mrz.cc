#include "mes/document/mrz.h"

#include <cstdint>
#include <cstdio>
#include <utility>
#include <vector>

namespace cardline {
namespace {

constexpr std::size_t kLineLength = 30;
constexpr std::size_t kNameLength = 30;
constexpr char kFiller = '<';

// Base letters of U+00C0..U+00DE (and, lower-cased, U+00E0..U+00FE); '<' where the character
// has no single base letter (Æ, ×, Þ).
constexpr char kLatin1Base[] = "AAAAAA<CEEEEIIIIDNOOOOO<OUUUUY<";
// Base letters of the Vietnamese block U+1EA0..U+1EF9 (Ạ ạ Ả ả ... Ỹ ỹ), in code point order.
constexpr char kVietnameseBase[] =
    "AAAAAAAAAAAAAAAAAAAAAAAA"  // U+1EA0..U+1EB7 Ạ..ặ
    "EEEEEEEEEEEEEEEE"          // U+1EB8..U+1EC7 Ẹ..ệ
    "IIII"                      // U+1EC8..U+1ECB Ỉ..ị
    "OOOOOOOOOOOOOOOOOOOOOOOO"  // U+1ECC..U+1EE3 Ọ..ợ
    "UUUUUUUUUUUUUU"            // U+1EE4..U+1EF1 Ụ..ự
    "YYYYYYYY";                 // U+1EF2..U+1EF9 Ỳ..ỹ
static_assert(sizeof(kVietnameseBase) - 1 == 0x1EF9 - 0x1EA0 + 1, "one letter per code point");
static_assert(sizeof(kLatin1Base) - 1 == 0xDE - 0xC0 + 1, "one letter per code point");

// Other Vietnamese letters outside the two blocks above.
const std::pair<char32_t, char> kOtherLetters[] = {
    {0x0102, 'A'}, {0x0103, 'A'}, {0x0110, 'D'}, {0x0111, 'D'}, {0x0128, 'I'}, {0x0129, 'I'},
    {0x0168, 'U'}, {0x0169, 'U'}, {0x01A0, 'O'}, {0x01A1, 'O'}, {0x01AF, 'U'}, {0x01B0, 'U'},
};

// Decodes UTF-8; each invalid byte becomes U+FFFD.
std::vector<char32_t> decodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      extra = 1;
      cp = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
      extra = 2;
      cp = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0) {
      extra = 3;
      cp = b0 & 0x07u;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (i + extra >= s.size()) {  // the sequence runs past the end
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    std::size_t j = 1;
    for (; j <= extra; ++j) {
      const auto b = static_cast<unsigned char>(s[i + j]);
      if ((b & 0xC0) != 0x80) break;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (j <= extra) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

bool isCombiningMark(char32_t cp) { return cp >= 0x0300 && cp <= 0x036F; }

// The MRZ character for one code point; 0 when it is to be dropped (combining marks).
char mrzCharFor(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return static_cast<char>(cp);
  if (cp >= 'a' && cp <= 'z') return static_cast<char>(cp - 'a' + 'A');
  if (isCombiningMark(cp)) return 0;
  if (cp >= 0xC0 && cp <= 0xDE) return kLatin1Base[cp - 0xC0];
  if (cp >= 0xE0 && cp <= 0xFE) return kLatin1Base[cp - 0xE0];
  if (cp == 0xFF) return 'Y';
  if (cp >= 0x1EA0 && cp <= 0x1EF9) return kVietnameseBase[cp - 0x1EA0];
  for (const auto& entry : kOtherLetters) {
    if (entry.first == cp) return entry.second;
  }
  return kFiller;
}

bool isMrzChar(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == kFiller; }

// Status for a field that must be MRZ characters of at most max_length.
Status checkField(const char* what, std::string_view value, std::size_t max_length,
                  std::size_t min_length) {
  if (value.size() > max_length || value.size() < min_length) {
    return invalidArgument(std::string(what) + " \"" + std::string(value) + "\" must have " +
                           std::to_string(min_length) + " to " + std::to_string(max_length) +
                           " characters");
  }
  for (char c : value) {
    if (!isMrzChar(c)) {
      return invalidArgument(std::string(what) + " \"" + std::string(value) +
                             "\" holds a character outside 0-9 A-Z <");
    }
  }
  return Status::ok();
}

std::string padded(std::string s, std::size_t length) {
  s.resize(length, kFiller);
  return s;
}

std::string yymmdd(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", d.year % 100, d.month, d.day);
  return buf;
}

// Collapses runs of '<' and strips them from both ends.
std::string tidyIdentifier(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == kFiller && (out.empty() || out.back() == kFiller)) continue;
    out += c;
  }
  while (!out.empty() && out.back() == kFiller) out.pop_back();
  return out;
}

std::string stripFillers(std::string_view s) {
  std::size_t end = s.size();
  while (end > 0 && s[end - 1] == kFiller) --end;
  return std::string(s.substr(0, end));
}

char digitOf(std::string_view field) {
  // Only called on MRZ-checked text, so the check digit exists.
  Result<char> d = mrzCheckDigit(field);
  return d.isOk() ? d.value() : '?';
}

bool allDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

}  // namespace

std::string MrzText::joined() const { return line1 + "\n" + line2 + "\n" + line3; }

Result<char> mrzCheckDigit(std::string_view field) {
  static const int kWeights[] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const char c = field[i];
    int value = 0;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      value = c - 'A' + 10;
    } else if (c != kFiller) {
      return invalidArgument("character '" + std::string(1, c) + "' at index " +
                             std::to_string(i) + " is not an MRZ character");
    }
    sum += value * kWeights[i % 3];
  }
  return static_cast<char>('0' + sum % 10);
}

std::string transliterateToMrz(std::string_view utf8) {
  std::string out;
  for (char32_t cp : decodeUtf8(utf8)) {
    const char c = mrzCharFor(cp);
    if (c != 0) out += c;
  }
  return out;
}

Result<std::string> mrzNameField(std::string_view primary_utf8, std::string_view secondary_utf8) {
  std::string primary = tidyIdentifier(transliterateToMrz(primary_utf8));
  std::string secondary = tidyIdentifier(transliterateToMrz(secondary_utf8));
  if (primary.empty()) {
    return invalidArgument("the primary identifier (surname) \"" + std::string(primary_utf8) +
                           "\" has no letters");
  }
  if (secondary.empty()) return padded(primary.substr(0, kNameLength), kNameLength);
  if (primary.size() + 2 + secondary.size() > kNameLength) {
    // Keep at least the first character of the secondary identifier.
    if (primary.size() > kNameLength - 3) primary.resize(kNameLength - 3);
    secondary.resize(kNameLength - 2 - primary.size());
    while (!secondary.empty() && secondary.back() == kFiller) secondary.pop_back();
  }
  return padded(primary + "<<" + secondary, kNameLength);
}

Result<MrzText> composeTd1(const Td1Fields& f) {
  CARDLINE_RETURN_IF_ERROR(checkField("document code", f.document_code, 2, 1));
  CARDLINE_RETURN_IF_ERROR(checkField("issuing state", f.issuing_state, 3, 3));
  CARDLINE_RETURN_IF_ERROR(checkField("document number", f.document_number, 9, 1));
  CARDLINE_RETURN_IF_ERROR(checkField("optional data (line 1)", f.optional_data1, 15, 0));
  CARDLINE_RETURN_IF_ERROR(checkField("nationality", f.nationality, 3, 3));
  CARDLINE_RETURN_IF_ERROR(checkField("optional data (line 2)", f.optional_data2, 11, 0));
  CARDLINE_ASSIGN_OR_RETURN(std::string name, mrzNameField(f.primary_identifier,
                                                           f.secondary_identifier));
  MrzText mrz;
  const std::string number = padded(f.document_number, 9);
  mrz.line1 = padded(f.document_code, 2) + f.issuing_state + number + digitOf(number) +
              padded(f.optional_data1, 15);

  const std::string birth = yymmdd(f.birth_date);
  const char sex = f.sex == MrzSex::kMale ? 'M' : f.sex == MrzSex::kFemale ? 'F' : kFiller;
  std::string expiry = "<<<<<<<";
  if (f.expiry_date) {
    expiry = yymmdd(*f.expiry_date);
    expiry += digitOf(expiry);
  }
  std::string line2 = birth + digitOf(birth) + sex + expiry + f.nationality +
                      padded(f.optional_data2, 11);
  const std::string composite =
      mrz.line1.substr(5, 25) + line2.substr(0, 7) + line2.substr(8, 7) + line2.substr(18, 11);
  mrz.line2 = line2 + digitOf(composite);
  mrz.line3 = name;
  return mrz;
}

Result<MrzText> composeVietnameseMrz(const VietnameseMrzInput& input) {
  if (input.personal_number.size() != 12 || !allDigits(input.personal_number)) {
    return invalidArgument("personal number \"" + input.personal_number +
                           "\" must be 12 digits");
  }
  // Vietnamese name order: the first word is the surname, the rest are given names.
  const std::string& name = input.full_name;
  const std::size_t begin = name.find_first_not_of(" \t");
  if (begin == std::string::npos) return invalidArgument("the full name is empty");
  const std::size_t end = name.find_first_of(" \t", begin);
  Td1Fields f;
  f.document_code = "ID";
  f.issuing_state = "VNM";
  f.document_number = input.personal_number.substr(3);
  f.optional_data1 = input.personal_number + "<<" + digitOf(input.personal_number);
  f.birth_date = input.birth_date;
  f.sex = input.sex == Sex::kMale ? MrzSex::kMale : MrzSex::kFemale;
  f.expiry_date = input.expiry_date;
  f.nationality = input.nationality;
  f.primary_identifier = name.substr(begin, end == std::string::npos ? end : end - begin);
  f.secondary_identifier = end == std::string::npos ? std::string() : name.substr(end);
  return composeTd1(f);
}

Result<ParsedTd1> parseTd1(std::string_view text) {
  std::string joined;
  for (char c : text) {
    if (c != '\n' && c != '\r') joined += c;
  }
  const bool three_lines = text.find('\n') != std::string_view::npos;
  if (joined.size() != 3 * kLineLength) {
    return invalidArgument("a TD1 MRZ has 3 lines of 30 characters; got " +
                           std::to_string(joined.size()) + " characters");
  }
  if (three_lines) {
    // Each line must be 30 characters long, not just the total.
    std::size_t line = 0, length = 0;
    for (char c : text) {
      if (c == '\r') continue;
      if (c == '\n') {
        if (length != 0 && length != kLineLength) {
          return invalidArgument("line " + std::to_string(line + 1) + " has " +
                                 std::to_string(length) + " characters, expected 30");
        }
        if (length != 0) ++line;
        length = 0;
        continue;
      }
      ++length;
    }
  }
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    if (!isMrzChar(joined[i])) {
      problems.push_back("line " + std::to_string(i / 30 + 1) + " pos " +
                         std::to_string(i % 30 + 1) + ": character '" +
                         std::string(1, joined[i]) + "' is not an MRZ character");
    }
  }
  if (!problems.empty()) {
    std::string message = "invalid MRZ: " + problems.front();
    for (std::size_t i = 1; i < problems.size(); ++i) message += "; " + problems[i];
    return invalidArgument(message);
  }
  const std::string l1 = joined.substr(0, 30), l2 = joined.substr(30, 30),
                    l3 = joined.substr(60, 30);
  auto expectDigit = [&problems](int line, int pos, const std::string& what,
                                 const std::string& field, char actual) {
    const char expected = digitOf(field);
    if (actual != expected) {
      problems.push_back("line " + std::to_string(line) + " pos " + std::to_string(pos) + ": " +
                         what + " check digit is " + std::string(1, actual) + ", expected " +
                         std::string(1, expected));
    }
  };
  auto checkDate = [&problems](int line, int pos, const std::string& what,
                               const std::string& field) {
    const bool shape = allDigits(field) && field.size() == 6;
    const int month = shape ? std::stoi(field.substr(2, 2)) : 0;
    const int day = shape ? std::stoi(field.substr(4, 2)) : 0;
    if (!shape || month < 1 || month > 12 || day < 1 || day > 31) {
      problems.push_back("line " + std::to_string(line) + " pos " + std::to_string(pos) + ": " +
                         what + " \"" + field + "\" is not a YYMMDD date");
    }
  };

  ParsedTd1 p;
  p.document_code = stripFillers(l1.substr(0, 2));
  p.issuing_state = stripFillers(l1.substr(2, 3));
  p.document_number = stripFillers(l1.substr(5, 9));
  expectDigit(1, 15, "document number", l1.substr(5, 9), l1[14]);
  p.optional_data1 = stripFillers(l1.substr(15, 15));

  p.birth_date = l2.substr(0, 6);
  checkDate(2, 1, "birth date", p.birth_date);
  expectDigit(2, 7, "birth date", p.birth_date, l2[6]);
  p.sex = l2[7];
  if (p.sex != 'M' && p.sex != 'F' && p.sex != kFiller) {
    problems.push_back("line 2 pos 8: sex '" + std::string(1, p.sex) + "' is not M, F or <");
  }
  if (l2.substr(8, 7) != "<<<<<<<") {
    p.expiry_date = l2.substr(8, 6);
    checkDate(2, 9, "expiry date", p.expiry_date);
    expectDigit(2, 15, "expiry date", p.expiry_date, l2[14]);
  }
  p.nationality = stripFillers(l2.substr(15, 3));
  p.optional_data2 = stripFillers(l2.substr(18, 11));
  expectDigit(2, 30, "composite",
              l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11), l2[29]);

  const std::string name = stripFillers(l3);
  const std::size_t split = name.find("<<");
  p.primary_identifier = name.substr(0, split);
  p.secondary_identifier = split == std::string::npos ? std::string() : name.substr(split + 2);
  if (p.primary_identifier.empty()) problems.push_back("line 3 pos 1: the name is empty");

  // Vietnamese line 1: optional data = 12-digit number, "<<", its check digit.
  const std::string opt = l1.substr(15, 15);
  if (p.issuing_state == "VNM" && allDigits(opt.substr(0, 12)) && opt.substr(12, 2) == "<<") {
    p.personal_number = opt.substr(0, 12);
    expectDigit(1, 30, "personal number", p.personal_number, opt[14]);
    if (l1.substr(5, 9) != p.personal_number.substr(3)) {
      problems.push_back("line 1 pos 6: document number " + l1.substr(5, 9) +
                         " is not the last 9 digits of " + p.personal_number);
    }
  }
  if (!problems.empty()) {
    std::string message = "invalid MRZ: " + problems.front();
    for (std::size_t i = 1; i < problems.size(); ++i) message += "; " + problems[i];
    return invalidArgument(message);
  }
  return p;
}

}  // namespace cardline
