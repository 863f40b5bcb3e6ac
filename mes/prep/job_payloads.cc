#include "mes/prep/job_payloads.h"

#include <cstdio>

#include "mes/document/sod.h"
#include "mes/prep/prepare.h"

namespace cardline {
namespace {

std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", v);
  return text;
}

void layoutFace(const CardFace& face, const char* face_name, std::string& out) {
  for (const CardElement& e : face.elements) {
    if (!isContentKind(e.kind)) continue;
    out += std::string(face_name) + " " + elementKindName(e.kind) + " " +
           (e.binding.empty() ? "-" : e.binding) + " " + number(e.box.x) + " " + number(e.box.y) +
           " " + number(e.box.w) + " " + number(e.box.h) + "\n";
  }
}

std::string metaText(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  for (const auto& [key, value] : entries) out += key + "=" + value + "\n";
  return out;
}

}  // namespace

std::string layoutText(const CardTemplate& tmpl) {
  std::string out;
  layoutFace(tmpl.front, "front", out);
  layoutFace(tmpl.back, "back", out);
  return out;
}

Result<std::vector<PayloadPart>> buildJobPayload(StationType station,
                                                 const JobPayloadInput& input) {
  if (input.application == nullptr) return invalidArgument("job payload: no application");
  const Application& app = *input.application;
  const bool full = input.artefacts == PayloadArtefacts::kFull;
  std::vector<std::pair<std::string, std::string>> meta = {{"artefacts", full ? "full" : "headers"},
                                                           {"station", name(station)},
                                                           {"application", app.id},
                                                           {"card_model", name(app.card_model)}};
  if ((station == StationType::kQa || station == StationType::kDispatch) && input.card == nullptr) {
    return invalidArgument(std::string("job payload: ") + name(station) + " needs the card");
  }
  if (input.card != nullptr) meta.emplace_back("blank", input.card->serial);
  if (station == StationType::kDispatch) meta.emplace_back("receiving_unit", input.receiving_unit);
  std::vector<PayloadPart> parts;
  if (!full || station == StationType::kDispatch) {
    parts.push_back({"meta.txt", metaText(meta)});
    return parts;
  }
  if (input.card_template == nullptr) {
    return invalidArgument(std::string("job payload: ") + name(station) + " needs the template");
  }
  const CardTemplate& tmpl = *input.card_template;
  PreparedCard own;
  if (input.prepared == nullptr) {
    CARDLINE_ASSIGN_OR_RETURN(own, prepareCard(app, tmpl));
  }
  const PreparedCard& prepared = input.prepared != nullptr ? *input.prepared : own;
  switch (station) {
    case StationType::kPrint:
      parts.push_back({"meta.txt", metaText(meta)});
      parts.push_back({"layout.txt", layoutText(tmpl)});
      parts.push_back({"card.pdf", str(prepared.pdf)});
      return parts;
    case StationType::kEncode: {
      if (input.signer == nullptr) return invalidArgument("job payload: encode needs a signer");
      CARDLINE_ASSIGN_OR_RETURN(
          ChipParts chip,
          chipPayloadParts(app, prepared.values.mrz, prepared.values.expiry, *input.signer));
      meta.emplace_back("signer_id", chip.signer_id);
      if (input.signed_by != nullptr) *input.signed_by = chip.signer_id;
      parts.push_back({"meta.txt", metaText(meta)});
      parts.insert(parts.end(), chip.parts.begin(), chip.parts.end());
      return parts;
    }
    case StationType::kQa: {
      if (input.csca_pem.empty()) return invalidArgument("job payload: qa needs the CSCA");
      meta.emplace_back("print_sha256", hexEncode(sha256(prepared.pdf)));
      parts.push_back({"meta.txt", metaText(meta)});
      parts.push_back({"layout.txt", layoutText(tmpl)});
      parts.push_back({"mrz.txt", prepared.values.mrz.joined() + "\n"});
      parts.push_back({"qr.txt", prepared.values.qr_payload});
      parts.push_back({"csca.pem", input.csca_pem});
      parts.push_back({"face.jpg", str(app.person.photo.data)});
      return parts;
    }
    case StationType::kDispatch:
      break;
  }
  parts.push_back({"meta.txt", metaText(meta)});
  return parts;
}

}  // namespace cardline
