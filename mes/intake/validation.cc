#include "mes/intake/validation.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "mes/base/bytes.h"
#include "mes/base/date.h"
#include "mes/intake/image_codec.h"
#include "mes/intake/text.h"

namespace cardline {

namespace {

const char* const kImageFields[] = {"photo", "fingerprints.left_index", "fingerprints.right_index"};

std::string sha256Hex(const std::uint8_t* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr);
  return hexEncode(Bytes(digest, digest + length));
}

bool allDigits(const std::string& s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Collects problems and normalised values for one record.
class RecordCheck {
 public:
  RecordCheck(const RawRecord& record, const ReferenceData& reference,
              const ValidationOptions& options)
      : record_(record), reference_(reference), options_(options) {
    result_.line = record.line;
    result_.application_id = collapseSpaces(record.get("application_id"));
  }

  void problem(const std::string& field, const std::string& message) {
    result_.problems.push_back({record_.line, result_.application_id, field, message});
  }

  // The value of a text field: UTF-8 checked, NFC, white space collapsed. Absent → "".
  // Reports invalid UTF-8 and returns "" then.
  std::string text(const std::string& field) {
    const std::string& raw = record_.get(field);
    if (raw.empty()) return "";
    auto nfc = toNfc(raw);
    if (!nfc.isOk()) {
      problem(field, "is " + nfc.status().message());
      return "";
    }
    return collapseSpaces(nfc.value());
  }

  std::string required(const std::string& field) {
    std::string value = text(field);
    if (value.empty() && !hasProblem(field)) problem(field, "is required");
    return value;
  }

  bool hasProblem(const std::string& field) const {
    return std::any_of(result_.problems.begin(), result_.problems.end(),
                       [&](const Problem& p) { return p.field == field; });
  }

  // Printable set and length for a text that the card prints.
  void printable(const std::string& field, const std::string& value, std::size_t max_chars) {
    if (value.empty()) return;
    if (auto bad = findUnprintable(value)) {
      problem(field, "contains a character the card fonts cannot print: " + *bad);
    }
    std::size_t n = countCodePoints(value);
    if (n > max_chars) {
      problem(field, "is " + std::to_string(n) + " characters long; at most " +
                         std::to_string(max_chars) + " fit on the card");
    }
  }

  std::optional<Date> date(const std::string& field, const std::string& value) {
    if (value.empty()) return std::nullopt;
    auto parsed = Date::parse(value);
    if (!parsed.isOk()) {
      problem(field, "must be a real date YYYY-MM-DD, got '" + value + "'");
      return std::nullopt;
    }
    return parsed.value();
  }

  // Reads the image at `prefix`; nullopt if absent or broken (problems reported).
  std::optional<Image> image(const std::string& prefix, bool is_required, int min_width,
                             int min_height) {
    std::string format = text(prefix + ".format");
    const std::string& data = record_.get(prefix + ".data");
    std::string path = text(prefix + ".path");
    if (format.empty() && data.empty() && path.empty()) {
      if (is_required && !hasProblem(prefix + ".format") && !hasProblem(prefix + ".path")) {
        problem(prefix, "is required");
      }
      return std::nullopt;
    }
    bool ok = true;
    if (format.empty()) {
      problem(prefix + ".format", "is required");
      ok = false;
    } else if (format != "jpeg" && format != "png") {
      problem(prefix + ".format", "must be jpeg or png, got '" + format + "'");
      ok = false;
    }
    Image image;
    image.format = format;
    if (!data.empty() && !path.empty()) {
      problem(prefix + ".path", "must not be given together with " + prefix + ".data");
      return std::nullopt;
    }
    if (data.empty() && path.empty()) {
      problem(prefix + ".data", "is required (or " + prefix + ".path)");
      return std::nullopt;
    }
    if (!data.empty()) {
      auto bytes = base64Decode(data);
      if (!bytes.isOk()) {
        problem(prefix + ".data", "is not valid base64");
        return std::nullopt;
      }
      image.data = std::move(bytes.value());
      if (image.data.size() > options_.max_image_bytes) {
        problem(prefix + ".data",
                "is larger than " + std::to_string(options_.max_image_bytes) + " bytes");
        return std::nullopt;
      }
    } else {
      if (!options_.image_directory) {
        problem(prefix + ".path", "is not accepted here; send the image as data");
        return std::nullopt;
      }
      bool escapes = path[0] == '/' || path == ".." || path.rfind("../", 0) == 0 ||
                     path.find("/../") != std::string::npos ||
                     (path.size() >= 3 && path.compare(path.size() - 3, 3, "/..") == 0);
      if (escapes) {
        problem(prefix + ".path", "must be a relative path inside the input file's folder");
        return std::nullopt;
      }
      std::string full =
          options_.image_directory->empty() ? path : *options_.image_directory + "/" + path;
      std::ifstream in(full, std::ios::binary);
      if (!in) {
        problem(prefix + ".path", "cannot read " + path);
        return std::nullopt;
      }
      in.seekg(0, std::ios::end);
      auto size = static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg()));
      if (size > options_.max_image_bytes) {
        problem(prefix + ".path",
                "is larger than " + std::to_string(options_.max_image_bytes) + " bytes");
        return std::nullopt;
      }
      in.seekg(0);
      image.data.resize(size);
      in.read(reinterpret_cast<char*>(image.data.data()), static_cast<std::streamsize>(size));
      if (!in) {
        problem(prefix + ".path", "cannot read " + path);
        return std::nullopt;
      }
    }
    if (!ok) return std::nullopt;
    auto size = decodeImage(format, image.data);
    if (!size.isOk()) {
      problem(prefix, size.status().message());
      return std::nullopt;
    }
    if (size->width < min_width || size->height < min_height) {
      problem(prefix, "is " + std::to_string(size->width) + "x" + std::to_string(size->height) +
                          " pixels, below the minimum " + std::to_string(min_width) + "x" +
                          std::to_string(min_height));
      return std::nullopt;
    }
    return image;
  }

  void notUsed(const std::string& field, CardModel model) {
    if (record_.has(field)) {
      problem(field, std::string("is not used by card model ") + name(model));
    }
  }

  void notUsedImage(const std::string& prefix, CardModel model) {
    for (const char* part : {".format", ".data", ".path"}) {
      if (record_.has(prefix + part)) {
        problem(prefix, std::string("is not used by card model ") + name(model));
        return;
      }
    }
  }

  ValidatedRecord run();

 private:
  const RawRecord& record_;
  const ReferenceData& reference_;
  const ValidationOptions& options_;
  ValidatedRecord result_;
};

ValidatedRecord RecordCheck::run() {
  for (const auto& p : record_.problems) {
    result_.problems.push_back({record_.line, result_.application_id, p.field, p.message});
  }
  if (record_.fields.empty() && !record_.problems.empty()) {
    return std::move(result_);  // unreadable (not JSON, too large...): nothing more to check
  }
  const auto& known = intakeFieldNames();
  for (const auto& [field, value] : record_.fields) {
    if (std::find(known.begin(), known.end(), field) == known.end()) {
      problem(field, "unknown field");
    }
  }

  Application app;
  // Identity of the application.
  app.id = required("application_id");
  if (!app.id.empty()) {
    bool good = app.id.size() <= 64 && std::all_of(app.id.begin(), app.id.end(), [](char c) {
                  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                });
    if (!good) problem("application_id", "must be 1 to 64 characters from A-Z a-z 0-9 . _ -");
  }
  app.approval_ref = required("approval_ref");
  printable("approval_ref", app.approval_ref, options_.limits.reference);

  std::string approved_at = required("approved_at");
  if (!approved_at.empty()) {
    auto ts = parseIsoTimestamp(approved_at);
    if (!ts.isOk()) {
      problem("approved_at",
              "must be an ISO 8601 timestamp with offset (2026-03-01T08:15:00+07:00), got '" +
                  approved_at + "'");
    } else if (ts.value() > options_.now.plusSeconds(options_.clock_skew_seconds)) {
      problem("approved_at", "must not be in the future");
    } else {
      app.approved_at = ts.value();
    }
  }

  std::optional<CardModel> model;
  std::string model_text = required("card_model");
  if (!model_text.empty()) {
    auto m = parseCardModel(model_text);
    if (m.isOk()) {
      model = m.value();
      app.card_model = m.value();
    } else {
      problem("card_model", "must be one of cccd-2021, can-cuoc-2024, got '" + model_text + "'");
    }
  }
  std::string request_type = required("request_type");
  if (!request_type.empty()) {
    auto r = parseRequestType(request_type);
    if (r.isOk()) {
      app.request_type = r.value();
    } else {
      problem("request_type",
              "must be one of new, renewal, replacement, got '" + request_type + "'");
    }
  }
  std::string priority = required("priority");
  if (!priority.empty()) {
    auto p = parsePriority(priority);
    if (p.isOk()) {
      app.priority = p.value();
    } else {
      problem("priority", "must be one of normal, urgent, got '" + priority + "'");
    }
  }

  // The person.
  Person& person = app.person;
  person.full_name = required("full_name");
  printable("full_name", person.full_name, options_.limits.name);

  std::optional<Date> dob = date("date_of_birth", required("date_of_birth"));
  Date today = utcDate(options_.now);
  if (dob && *dob > today) {
    problem("date_of_birth", "must not be in the future");
    dob.reset();
  } else if (dob && dob->year < 1900) {
    problem("date_of_birth", "must not be before 1900-01-01");
    dob.reset();
  }
  if (dob) person.date_of_birth = *dob;

  std::optional<Sex> sex;
  std::string sex_text = required("sex");
  if (!sex_text.empty()) {
    auto s = parseSex(sex_text);
    if (s.isOk()) {
      sex = s.value();
      person.sex = s.value();
    } else {
      problem("sex", "must be M or F, got '" + sex_text + "'");
    }
  }

  person.nationality = required("nationality");
  if (!person.nationality.empty()) {
    bool alpha3 = person.nationality.size() == 3 &&
                  std::all_of(person.nationality.begin(), person.nationality.end(),
                              [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!alpha3) {
      problem("nationality", "must be an ISO 3166 alpha-3 code of three capital letters (VNM)");
    }
  }
  person.ethnicity = required("ethnicity");
  printable("ethnicity", person.ethnicity, options_.limits.short_text);
  person.religion = required("religion");
  printable("religion", person.religion, options_.limits.short_text);
  person.place_of_residence = required("place_of_residence");
  printable("place_of_residence", person.place_of_residence, options_.limits.place);

  person.old_id_number = text("old_id_number");
  if (!person.old_id_number.empty() && !allDigits(person.old_id_number, 9)) {
    problem("old_id_number", "must be 9 digits");
  }

  // Personal identification number: PPP G YY NNNNNN.
  app.personal_number = required("personal_number");
  if (!app.personal_number.empty()) {
    const std::string& pn = app.personal_number;
    if (!allDigits(pn, 12)) {
      problem("personal_number", "must be 12 digits");
    } else {
      std::string province = pn.substr(0, 3);
      if (!reference_.province(province)) {
        problem("personal_number", "province code " + province + " is not a known province");
      }
      if (dob && sex) {
        int century_index = dob->year / 100 - 19;
        int expected_g = century_index * 2 + (*sex == Sex::kFemale ? 1 : 0);
        int g = pn[3] - '0';
        if (g != expected_g) {
          problem("personal_number", std::string("century/sex digit ") + pn[3] +
                                         " does not match sex " + name(*sex) + " and birth year " +
                                         std::to_string(dob->year) + " (expected " +
                                         std::to_string(expected_g) + ")");
        }
        int yy = (pn[4] - '0') * 10 + (pn[5] - '0');
        if (yy != dob->year % 100) {
          problem("personal_number", "year digits " + pn.substr(4, 2) +
                                         " do not match birth year " + std::to_string(dob->year));
        }
      }
    }
  }

  std::optional<Date> issue = date("issue_date", required("issue_date"));
  if (issue) app.issue_date = *issue;
  if (issue && dob && *issue < *dob) {
    problem("issue_date", "must not be before date_of_birth");
    issue.reset();
  }
  if (issue && model == CardModel::kCanCuoc2024 && *issue < Date{2024, 7, 1}) {
    problem("issue_date", "must be on or after 2024-07-01 for card model can-cuoc-2024");
  }
  int age_at_issue = -1;
  if (issue && dob) age_at_issue = yearsBetween(*dob, *issue);
  if (model == CardModel::kCccd2021 && age_at_issue >= 0 && age_at_issue < 14) {
    problem("date_of_birth", "holder is " + std::to_string(age_at_issue) +
                                 " on issue_date; card model cccd-2021 requires 14 or older");
  }

  // Fields per card model.
  if (model == CardModel::kCccd2021) {
    person.place_of_origin = required("place_of_origin");
    printable("place_of_origin", person.place_of_origin, options_.limits.place);
    person.identifying_marks = required("identifying_marks");
    printable("identifying_marks", person.identifying_marks, options_.limits.identifying_marks);
    notUsed("place_of_birth_registration", *model);
    notUsed("father_name", *model);
    notUsed("mother_name", *model);
  } else if (model == CardModel::kCanCuoc2024) {
    person.place_of_birth_registration = required("place_of_birth_registration");
    printable("place_of_birth_registration", person.place_of_birth_registration,
              options_.limits.place);
    person.father_name = text("father_name");
    printable("father_name", person.father_name, options_.limits.name);
    person.mother_name = text("mother_name");
    printable("mother_name", person.mother_name, options_.limits.name);
    notUsed("place_of_origin", *model);
    notUsed("identifying_marks", *model);
    notUsedImage("fingerprints.left_index", *model);
    notUsedImage("fingerprints.right_index", *model);
  }

  // Images. The 2024 card carries a photo only for holders aged 6 and over.
  bool photo_required =
      !(model == CardModel::kCanCuoc2024 && age_at_issue >= 0 && age_at_issue < 6);
  if (auto photo =
          image("photo", photo_required, options_.min_photo_width, options_.min_photo_height)) {
    person.photo = std::move(*photo);
  }
  if (model == CardModel::kCccd2021) {
    person.fingerprint_left_index =
        image("fingerprints.left_index", true, options_.min_fingerprint_width,
              options_.min_fingerprint_height);
    person.fingerprint_right_index =
        image("fingerprints.right_index", true, options_.min_fingerprint_width,
              options_.min_fingerprint_height);
  }

  // Receiving unit.
  app.receiving_unit.code = required("receiving_unit.code");
  app.receiving_unit.name = required("receiving_unit.name");
  if (!app.receiving_unit.code.empty()) {
    const ReceivingUnitInfo* unit = reference_.receivingUnit(app.receiving_unit.code);
    if (!unit) {
      problem("receiving_unit.code", "unknown receiving unit " + app.receiving_unit.code);
    } else if (!app.receiving_unit.name.empty() && app.receiving_unit.name != unit->name) {
      problem("receiving_unit.name", "does not match the reference name of unit " + unit->code +
                                         " ('" + unit->name + "')");
    } else if (const ReceivingUnitInfo* successor = reference_.successorOf(unit->code)) {
      // A unit from before 1 July 2025: the application goes to the unit that replaced it.
      result_.routed_from = app.receiving_unit;
      app.receiving_unit = ReceivingUnit{successor->code, successor->name};
    }
  }

  if (result_.problems.empty() && options_.fit_check) {
    for (const Problem& unfit : options_.fit_check(app)) problem(unfit.field, unfit.message);
  }
  if (result_.problems.empty()) {
    app.state = ApplicationState::kQueued;
    app.content_hash = intakeContentHash(app);
    result_.application = std::move(app);
  }
  return std::move(result_);
}

}  // namespace

ValidatedRecord validateRecord(const RawRecord& record, const ReferenceData& reference,
                               const ValidationOptions& options) {
  return RecordCheck(record, reference, options).run();
}

const std::vector<std::string>& intakeFieldNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names = {"application_id",
                                      "approval_ref",
                                      "approved_at",
                                      "card_model",
                                      "request_type",
                                      "priority",
                                      "personal_number",
                                      "old_id_number",
                                      "full_name",
                                      "date_of_birth",
                                      "sex",
                                      "nationality",
                                      "ethnicity",
                                      "religion",
                                      "place_of_origin",
                                      "place_of_birth_registration",
                                      "place_of_residence",
                                      "identifying_marks",
                                      "father_name",
                                      "mother_name",
                                      "issue_date"};
    for (const char* image : kImageFields) {
      for (const char* part : {".format", ".data", ".path"}) {
        names.push_back(std::string(image) + part);
      }
    }
    names.push_back("receiving_unit.code");
    names.push_back("receiving_unit.name");
    return names;
  }();
  return kNames;
}

std::string intakeContentHash(const Application& app) {
  const Person& p = app.person;
  auto imageText = [](const Image& image) {
    if (image.data.empty()) return std::string();
    return image.format + ":" + sha256Hex(image.data.data(), image.data.size());
  };
  std::ostringstream canonical;
  canonical << "cardline-intake-v1\n"
            << "application_id=" << app.id << "\n"
            << "approval_ref=" << app.approval_ref << "\n"
            << "approved_at=" << formatIsoTimestamp(app.approved_at) << "\n"
            << "card_model=" << name(app.card_model) << "\n"
            << "request_type=" << name(app.request_type) << "\n"
            << "priority=" << name(app.priority) << "\n"
            << "personal_number=" << app.personal_number << "\n"
            << "old_id_number=" << p.old_id_number << "\n"
            << "full_name=" << p.full_name << "\n"
            << "date_of_birth=" << p.date_of_birth.toString() << "\n"
            << "sex=" << name(p.sex) << "\n"
            << "nationality=" << p.nationality << "\n"
            << "ethnicity=" << p.ethnicity << "\n"
            << "religion=" << p.religion << "\n"
            << "place_of_origin=" << p.place_of_origin << "\n"
            << "place_of_birth_registration=" << p.place_of_birth_registration << "\n"
            << "place_of_residence=" << p.place_of_residence << "\n"
            << "identifying_marks=" << p.identifying_marks << "\n"
            << "father_name=" << p.father_name << "\n"
            << "mother_name=" << p.mother_name << "\n"
            << "issue_date=" << app.issue_date.toString() << "\n"
            << "photo=" << imageText(p.photo) << "\n"
            << "fingerprints.left_index="
            << (p.fingerprint_left_index ? imageText(*p.fingerprint_left_index) : "") << "\n"
            << "fingerprints.right_index="
            << (p.fingerprint_right_index ? imageText(*p.fingerprint_right_index) : "") << "\n"
            << "receiving_unit.code=" << app.receiving_unit.code << "\n"
            << "receiving_unit.name=" << app.receiving_unit.name << "\n";
  std::string text = canonical.str();
  return sha256Hex(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

}  // namespace cardline
