#include "mes/prep/prepare.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "mes/document/expiry.h"
#include "mes/document/qr_code.h"
#include "mes/document/qr_payload.h"

namespace cardline {

namespace {

std::string nationalityText(const std::string& code) {
  if (code == "VNM" || code.empty()) return "Việt Nam";
  return code;
}

Status writeFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return unavailable("cannot write '" + path.string() + "'");
  return Status::ok();
}

}  // namespace

std::string formatCardDate(const Date& date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d/%02d/%04d", date.day, date.month, date.year);
  return buffer;
}

Result<CardValues> cardValuesFor(const Application& application, const CardTemplate& tmpl) {
  if (application.card_model != tmpl.card_model) {
    return invalidArgument(std::string("application ") + application.id + " is a " +
                           name(application.card_model) + " card but template '" + tmpl.name +
                           "' is for " + name(tmpl.card_model));
  }
  const Person& person = application.person;
  CardValues values;
  Result<std::optional<Date>> expiry =
      computeExpiryDate(person.date_of_birth, application.issue_date, application.card_model);
  if (!expiry.isOk()) return expiry.status().withContext("expiry");
  values.expiry = *expiry;

  VietnameseMrzInput mrz_input;
  mrz_input.personal_number = application.personal_number;
  mrz_input.full_name = person.full_name;
  mrz_input.birth_date = person.date_of_birth;
  mrz_input.sex = person.sex;
  mrz_input.expiry_date = values.expiry;
  if (!person.nationality.empty()) mrz_input.nationality = person.nationality;
  Result<MrzText> mrz = composeVietnameseMrz(mrz_input);
  if (!mrz.isOk()) return mrz.status().withContext("MRZ");
  values.mrz = *mrz;

  Result<std::string> payload = renderQrPayload(defaultQrTemplate(application.card_model),
                                                qrValuesFor(application, values.expiry));
  if (!payload.isOk()) return payload.status().withContext("QR payload");
  values.qr_payload = *payload;
  Result<QrMatrix> matrix = encodeQr(values.qr_payload);
  if (!matrix.isOk()) return matrix.status().withContext("QR symbol");

  CardFaceData& face = values.face;
  face.qr = std::move(matrix).value();
  face.mrz_lines = {values.mrz.line1, values.mrz.line2, values.mrz.line3};
  face.texts = {
      {"personal_number", application.personal_number},
      {"full_name", person.full_name},
      {"date_of_birth", formatCardDate(person.date_of_birth)},
      {"sex", person.sex == Sex::kMale ? "Nam" : "Nữ"},
      {"nationality", nationalityText(person.nationality)},
      {"ethnicity", person.ethnicity},
      {"religion", person.religion},
      {"place_of_origin", person.place_of_origin},
      {"place_of_residence", person.place_of_residence},
      {"place_of_birth_registration", person.place_of_birth_registration},
      {"identifying_marks", person.identifying_marks},
      {"father_name", person.father_name},
      {"mother_name", person.mother_name},
      {"old_id_number", person.old_id_number},
      {"issue_date", formatCardDate(application.issue_date)},
      {"expiry", values.expiry ? formatCardDate(*values.expiry) : kNoExpiryText},
  };
  face.images["photo"] = person.photo;
  if (person.fingerprint_left_index)
    face.images["fingerprint_left"] = *person.fingerprint_left_index;
  if (person.fingerprint_right_index) {
    face.images["fingerprint_right"] = *person.fingerprint_right_index;
  }
  return values;
}

Result<std::vector<FitError>> checkFit(const Application& application, const CardTemplate& tmpl) {
  CARDLINE_ASSIGN_OR_RETURN(CardValues values, cardValuesFor(application, tmpl));
  return checkFaceFit(tmpl, values.face);
}

FitChecker::FitChecker(std::map<CardModel, CardTemplate> templates)
    : templates_(std::move(templates)) {}

Result<std::vector<FitError>> FitChecker::check(const Application& application) {
  std::lock_guard<std::mutex> lock(mu_);
  auto tmpl = templates_.find(application.card_model);
  if (tmpl == templates_.end()) {
    return notFound(std::string("no card template for card model ") +
                    name(application.card_model));
  }
  CARDLINE_ASSIGN_OR_RETURN(CardValues values, cardValuesFor(application, tmpl->second));
  std::unique_ptr<PdfTextMeasurer>& measurer = measurers_[application.card_model];
  if (measurer == nullptr) {
    CARDLINE_ASSIGN_OR_RETURN(measurer, PdfTextMeasurer::create(tmpl->second));
  }
  return checkFaceFit(tmpl->second, values.face, *measurer);
}

Result<PreparedCard> prepareCard(const Application& application, const CardTemplate& tmpl) {
  PreparedCard card;
  CARDLINE_ASSIGN_OR_RETURN(card.values, cardValuesFor(application, tmpl));
  Result<Bytes> pdf = renderCardPdf(tmpl, card.values.face);
  if (!pdf.isOk()) return pdf.status().withContext("application " + application.id);
  card.pdf = std::move(pdf).value();
  return card;
}

Status writePreparedCard(const PreparedCard& card, const std::string& out_dir) {
  const std::filesystem::path dir(out_dir);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return unavailable("cannot create '" + out_dir + "': " + error.message());
  CARDLINE_RETURN_IF_ERROR(writeFile(dir / "card.pdf", toString(card.pdf)));
  const MrzText& mrz = card.values.mrz;
  CARDLINE_RETURN_IF_ERROR(
      writeFile(dir / "mrz.txt", mrz.line1 + "\n" + mrz.line2 + "\n" + mrz.line3 + "\n"));
  CARDLINE_RETURN_IF_ERROR(writeFile(dir / "qr.txt", card.values.qr_payload));
  const std::string expiry = card.values.expiry ? card.values.expiry->toString() : "none";
  return writeFile(dir / "expiry.txt", expiry + "\n");
}

}  // namespace cardline
