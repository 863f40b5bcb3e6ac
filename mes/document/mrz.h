#pragma once
// Machine readable zone, ICAO 9303 TD1 (3 lines x 30 characters), with the Vietnamese line 1
// used on both national card models. Rules and choices are written down in docs/document.md.
// Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "mes/base/date.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

// The three lines of a TD1 MRZ, 30 characters each, no line breaks inside.
struct MrzText {
  std::string line1;
  std::string line2;
  std::string line3;

  // "line1\nline2\nline3" (no trailing newline).
  std::string joined() const;
};

// ICAO 9303 check digit over MRZ characters: weights 7, 3, 1 repeating; '0'-'9' count as
// themselves, 'A'-'Z' as 10-35, '<' as 0; the sum modulo 10 as a character '0'-'9'. Fails
// with kInvalidArgument naming the first character outside that alphabet.
Result<char> mrzCheckDigit(std::string_view field);

// Transliterates UTF-8 text to MRZ characters: Latin letters lose their diacritics (Vietnamese
// letters in precomposed NFC form and decomposed NFD form alike; Đ/đ becomes D), letters become
// upper case, combining marks are dropped, and every other character (space, hyphen, digit
// inside a name, apostrophe, any other script) becomes '<'. Invalid UTF-8 bytes become '<'.
// Never fails. "Nguyễn Văn A" -> "NGUYEN<VAN<A".
std::string transliterateToMrz(std::string_view utf8);

// The TD1 name field (line 3): PRIMARY<<SECONDARY, each identifier transliterated, the words of
// the secondary identifier joined by '<', padded with '<' to 30 characters. Names too long are
// truncated as documented in docs/document.md (secondary identifier cut at the end, at least its
// first character kept; the primary identifier cut to 27 characters only when it alone is too
// long). An empty secondary identifier gives PRIMARY<<<... . Fails with kInvalidArgument when
// the primary identifier transliterates to nothing.
Result<std::string> mrzNameField(std::string_view primary_utf8, std::string_view secondary_utf8);

// Sex as the MRZ writes it; kUnspecified is '<'.
enum class MrzSex { kMale, kFemale, kUnspecified };  // 'M', 'F', '<'

// The fields of a generic TD1 document, as input to composeTd1().
struct Td1Fields {
  std::string document_code;    // 1-2 characters, e.g. "I", "ID"
  std::string issuing_state;    // 3 characters, e.g. "UTO", "VNM"
  std::string document_number;  // 1-9 MRZ characters (the ICAO long-number rule is not used)
  std::string optional_data1;   // 0-15 MRZ characters, line 1 positions 16-30
  Date birth_date;
  MrzSex sex = MrzSex::kUnspecified;
  std::optional<Date> expiry_date;  // empty: no expiry, written as 7 fillers (see docs)
  std::string nationality;          // 3 characters
  std::string optional_data2;       // 0-11 MRZ characters, line 2 positions 19-29
  std::string primary_identifier;   // UTF-8, transliterated by composeTd1
  std::string secondary_identifier; // UTF-8, words separated by spaces
};

// Composes the three lines with every check digit. Fails with kInvalidArgument when a field is
// too long, contains characters outside the MRZ alphabet (optional data and the codes are not
// transliterated), or the name field fails (see mrzNameField).
Result<MrzText> composeTd1(const Td1Fields& fields);

// Input for the Vietnamese national card MRZ (both card models).
struct VietnameseMrzInput {
  std::string personal_number;  // 12 digits
  std::string full_name;        // UTF-8 as on the card; first word = surname
  Date birth_date;
  Sex sex = Sex::kMale;
  std::optional<Date> expiry_date;  // empty: no expiry (card issued at 58 or later)
  std::string nationality = "VNM";
};

// The Vietnamese TD1 MRZ: line 1 is "IDVNM" + last 9 digits of the personal number + their
// check digit + the full 12-digit number + "<<" + the check digit of the 12-digit number; lines 2
// and 3 follow the generic TD1 rules, the name split as surname (first word) and given names
// (the rest). Fails with kInvalidArgument when the personal number is not 12 digits, the name is
// empty, or composeTd1 fails.
Result<MrzText> composeVietnameseMrz(const VietnameseMrzInput& input);

// The fields read back from a TD1 MRZ, as text (dates stay YYMMDD: the century is not in the
// MRZ). Fillers are stripped from the ends of every field.
struct ParsedTd1 {
  std::string document_code;
  std::string issuing_state;
  std::string document_number;
  std::string optional_data1;
  std::string birth_date;   // YYMMDD
  char sex = '<';           // 'M', 'F' or '<'
  std::string expiry_date;  // YYMMDD, or empty for the no-expiry filler
  std::string nationality;
  std::string optional_data2;
  std::string primary_identifier;    // "NGUYEN"
  std::string secondary_identifier;  // "VAN<A" (words joined by '<')
  // Set when line 1 has the Vietnamese layout (state VNM, optional data = 12 digits "<<" check).
  std::string personal_number;
};

// Parses and validates a TD1 MRZ: three lines of 30 characters separated by '\n' (a trailing
// newline and '\r' are tolerated) or 90 characters without separators. Verifies every check
// digit (document number, birth date, expiry unless it is the no-expiry filler, composite, and
// on Vietnamese line 1 the check digit of the 12-digit number), the character set, the sex
// character and the dates' shape. Fails with kInvalidArgument listing every problem found, each
// with its line and position ("line 2 pos 7: birth date check digit is 3, expected 9").
Result<ParsedTd1> parseTd1(std::string_view text);

}  // namespace cardline
