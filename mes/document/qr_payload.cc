#include "mes/document/qr_payload.h"

#include <algorithm>
#include <cstdio>

namespace cardline {
namespace {

struct Token {
  bool placeholder = false;
  std::string text;  // placeholder name or literal text
};

Result<std::vector<Token>> tokenize(const QrTemplate& tmpl) {
  std::vector<Token> tokens;
  const std::string& t = tmpl.text;
  const std::string where = "QR template " + tmpl.id + " v" + std::to_string(tmpl.version);
  std::size_t i = 0;
  while (i < t.size()) {
    if (t[i] == '{') {
      const std::size_t close = t.find('}', i);
      if (close == std::string::npos) {
        return invalidArgument(where + ": unclosed '{' at position " + std::to_string(i));
      }
      const std::string name = t.substr(i + 1, close - i - 1);
      const auto& known = qrPlaceholderNames();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        return invalidArgument(where + ": unknown placeholder {" + name + "} at position " +
                               std::to_string(i));
      }
      if (!tokens.empty() && tokens.back().placeholder) {
        return invalidArgument(where + ": placeholder {" + name + "} at position " +
                               std::to_string(i) + " follows another without a separator");
      }
      tokens.push_back({true, name});
      i = close + 1;
    } else if (t[i] == '}') {
      return invalidArgument(where + ": stray '}' at position " + std::to_string(i));
    } else {
      if (tokens.empty() || tokens.back().placeholder) tokens.push_back({false, ""});
      tokens.back().text += t[i];
      ++i;
    }
  }
  if (std::none_of(tokens.begin(), tokens.end(), [](const Token& k) { return k.placeholder; })) {
    return invalidArgument(where + ": no placeholder");
  }
  return tokens;
}

std::string ddmmyyyy(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02d%04d", d.day, d.month, d.year);
  return buf;
}

const QrTemplate kTemplate2021{"cccd-2021", 1,
                               "{number}|{old_id}|{full_name}|{dob}|{sex}|{residence}|"
                               "{issue_date}",
                               "confirmed"};
const QrTemplate kTemplate2024{"can-cuoc-2024", 1,
                               "{number}|{old_id}|{full_name}|{dob}|{sex}|{residence}|"
                               "{issue_date}|{expiry_date}|{father_name}|{mother_name}",
                               "unconfirmed"};

}  // namespace

const std::vector<std::string>& qrPlaceholderNames() {
  static const std::vector<std::string> kNames = {
      "number",      "old_id",      "full_name",   "dob",         "sex",
      "residence",   "issue_date",  "expiry_date", "father_name", "mother_name",
      "birth_registration", "origin"};
  return kNames;
}

const QrTemplate& defaultQrTemplate(CardModel model) {
  return model == CardModel::kCanCuoc2024 ? kTemplate2024 : kTemplate2021;
}

Status validateQrTemplate(const QrTemplate& tmpl) { return tokenize(tmpl).status(); }

QrValues qrValuesFor(const Application& application, const std::optional<Date>& expiry) {
  const Person& p = application.person;
  return QrValues{
      {"number", application.personal_number},
      {"old_id", p.old_id_number},
      {"full_name", p.full_name},
      {"dob", ddmmyyyy(p.date_of_birth)},
      {"sex", p.sex == Sex::kMale ? "Nam" : "N\xE1\xBB\xAF"},  // "Nữ"
      {"residence", p.place_of_residence},
      {"issue_date", ddmmyyyy(application.issue_date)},
      {"expiry_date", expiry ? ddmmyyyy(*expiry) : std::string()},
      {"father_name", p.father_name},
      {"mother_name", p.mother_name},
      {"birth_registration", p.place_of_birth_registration},
      {"origin", p.place_of_origin},
  };
}

Result<std::string> renderQrPayload(const QrTemplate& tmpl, const QrValues& values) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(tmpl));
  std::string out;
  for (const Token& token : tokens) {
    if (!token.placeholder) {
      out += token.text;
      continue;
    }
    const auto it = values.find(token.text);
    if (it == values.end()) {
      return invalidArgument("QR template " + tmpl.id + ": no value for {" + token.text + "}");
    }
    for (const Token& literal : tokens) {
      if (!literal.placeholder && it->second.find(literal.text) != std::string::npos) {
        return invalidArgument("QR field {" + token.text + "} value \"" + it->second +
                               "\" contains the separator \"" + literal.text + "\"");
      }
    }
    out += it->second;
  }
  // A value may end with the start of the literal after it ("{a}xy{b}" with a = "1x"): the
  // payload then splits in another place. Refuse what does not split back (found by fuzzing).
  Result<QrValues> back = parseQrPayload(tmpl, out);
  for (const Token& token : tokens) {
    if (token.placeholder && (!back.isOk() || back->at(token.text) != values.at(token.text))) {
      return invalidArgument("QR field {" + token.text + "} value \"" +
                             values.at(token.text) + "\" runs into the separator after it; " +
                             "the payload could not be split back");
    }
  }
  return out;
}

Result<QrValues> parseQrPayload(const QrTemplate& tmpl, std::string_view payload) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(tmpl));
  QrValues values;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (!token.placeholder) {
      if (payload.substr(pos, token.text.size()) != token.text) {
        return invalidArgument("QR payload does not match template " + tmpl.id + " v" +
                               std::to_string(tmpl.version) + ": expected \"" + token.text +
                               "\" at byte " + std::to_string(pos));
      }
      pos += token.text.size();
      continue;
    }
    std::size_t end = payload.size();
    if (i + 1 < tokens.size()) {
      end = payload.find(tokens[i + 1].text, pos);
      if (end == std::string_view::npos) {
        return invalidArgument("QR payload does not match template " + tmpl.id + " v" +
                               std::to_string(tmpl.version) + ": field {" + token.text +
                               "} is not followed by \"" + tokens[i + 1].text + "\"");
      }
    }
    std::string value(payload.substr(pos, end - pos));
    for (const Token& literal : tokens) {
      if (!literal.placeholder && value.find(literal.text) != std::string::npos) {
        return invalidArgument("QR payload does not match template " + tmpl.id + " v" +
                               std::to_string(tmpl.version) + ": field {" + token.text +
                               "} contains the separator \"" + literal.text +
                               "\" (too many fields)");
      }
    }
    values[token.text] = std::move(value);
    pos = end;
  }
  if (pos != payload.size()) {
    return invalidArgument("QR payload does not match template " + tmpl.id + " v" +
                           std::to_string(tmpl.version) + ": unexpected text after the last " +
                           "field at byte " + std::to_string(pos));
  }
  return values;
}

}  // namespace cardline
