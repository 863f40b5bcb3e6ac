#include "devices/sim/sim_stations.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

#include "devices/sim/iso7816_chip.h"
#include "devices/sim/job_parts.h"
#include "mes/document/bac.h"
#include "mes/document/lds.h"
#include "mes/document/mrz.h"
#include "mes/document/qr_payload.h"
#include "mes/document/sod.h"

namespace cardline::sim {
namespace {

// A pixel counts as changed when it differs from the reference by more than this (camera noise
// is at most kCameraNoise).
constexpr int kInkThreshold = 64;
constexpr int kCameraNoise = 6;
// A box is damaged when more than this fraction of its pixels changed (and at least kMinPixels).
constexpr double kDamageFraction = 0.01;
constexpr int kMinPixels = 30;

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The JOB header's application id, or meta.txt's when the header has none.
std::string applicationOf(const protocol::Job& job, const JobParts& parts) {
  return job.application.empty() ? parts.metaValue("application") : job.application;
}

// Dark pixels (ink) inside a box.
int inkPixels(const GreyImage& image, const PixelBox& box) {
  int n = 0;
  for (int y = box.y0; y < box.y1; ++y) {
    for (int x = box.x0; x < box.x1; ++x) n += image.at(x, y) < 128 ? 1 : 0;
  }
  return n;
}

// The field boxes of the front face that carry ink in the clean print.
std::vector<LayoutBox> inkedFields(const std::vector<LayoutBox>& layout, const GreyImage& front) {
  std::vector<LayoutBox> out;
  for (const LayoutBox& box : layout) {
    if (box.face != 0 || box.kind != "field") continue;
    const PixelBox p = toPixels(box, front);
    if (p.area() > 0 && inkPixels(front, p) > std::max(kMinPixels * 4, p.area() / 50)) {
      out.push_back(box);
    }
  }
  return out;
}

void smudge(GreyImage& image, const PixelBox& p) {
  const double cx = (p.x0 + p.x1) / 2.0, cy = (p.y0 + p.y1) / 2.0;
  const double rx = (p.x1 - p.x0) * 0.3, ry = (p.y1 - p.y0) * 0.45;
  for (int y = p.y0; y < p.y1; ++y) {
    for (int x = p.x0; x < p.x1; ++x) {
      const double dx = (x - cx) / rx, dy = (y - cy) / ry;
      if (dx * dx + dy * dy <= 1) image.at(x, y) = 25;
    }
  }
}

void eraseInk(GreyImage& image, const PixelBox& p) {
  std::vector<std::uint8_t> values;
  for (int y = p.y0; y < p.y1; ++y) {
    for (int x = p.x0; x < p.x1; ++x) values.push_back(image.at(x, y));
  }
  std::nth_element(values.begin(),
                   values.begin() + static_cast<std::ptrdiff_t>(values.size() * 9 / 10),
                   values.end());
  const std::uint8_t background = values[values.size() * 9 / 10];
  for (int y = p.y0; y < p.y1; ++y) {
    for (int x = p.x0; x < p.x1; ++x) {
      if (image.at(x, y) + 40 < background) image.at(x, y) = background;
    }
  }
}

void fill(GreyImage& image, int x0, int y0, int x1, int y1, std::uint8_t value) {
  for (int y = std::max(0, y0); y < std::min(image.height, y1); ++y) {
    for (int x = std::max(0, x0); x < std::min(image.width, x1); ++x) image.at(x, y) = value;
  }
}

// Scratches out the QR: one finder pattern and the middle of the symbol.
void damageQr(GreyImage& image, const PixelBox& p) {
  const int w = p.x1 - p.x0, h = p.y1 - p.y0;
  fill(image, p.x0, p.y0, p.x0 + w * 4 / 10, p.y0 + h * 4 / 10, 255);
  fill(image, p.x0 + w / 4, p.y0 + h / 4, p.x0 + w * 3 / 4, p.y0 + h * 3 / 4, 255);
}

// What the camera sees: the printed face plus a little deterministic sensor noise.
void addCameraNoise(GreyImage& image, std::uint64_t seed) {
  std::uint64_t state = seed | 1;
  std::uint8_t* px = image.pixels.data();
  std::uint8_t* const end = px + image.pixels.size();
  for (; px != end; ++px) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const int v = *px + static_cast<int>(state % (2 * kCameraNoise + 1)) - kCameraNoise;
    *px = static_cast<std::uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
  }
}

std::uint64_t seedOf(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

struct Inspection {
  std::set<QaDefect> defects;
  std::vector<std::string> notes;
  std::vector<std::pair<std::string, double>> measurements;
  void add(QaDefect defect, const std::string& note) {
    defects.insert(defect);
    notes.push_back(std::string(name(defect)) + ": " + note);
  }
  void measure(const std::string& key, double value) { measurements.emplace_back(key, value); }
};

protocol::JobResult resultOf(Inspection& in, double qa_ms) {
  protocol::JobResult r;
  in.measure("qa_ms", qa_ms);
  in.measure("defects", static_cast<double>(in.defects.size()));
  r.measurements = in.measurements;
  if (in.defects.empty()) {
    r.outcome = protocol::Outcome::kOk;
    r.detail = "qa: all checks passed";
    return r;
  }
  r.outcome = protocol::Outcome::kDefect;
  r.defect = name(*in.defects.begin());  // std::set orders by the enum: precedence order
  std::string codes;
  for (QaDefect d : in.defects) codes += std::string(codes.empty() ? "" : ",") + name(d);
  r.detail = "defects=" + codes;
  for (const std::string& note : in.notes) r.detail += "; " + note;
  if (r.detail.size() > 1500) r.detail.resize(1500);
  return r;
}

Result<CardModel> modelOf(const JobParts& parts) {
  return parseCardModel(parts.metaValue("card_model"));
}

// Splits "a\nb\nc\n" into lines without empty ones.
std::vector<std::string> linesOf(const Bytes& text) {
  std::vector<std::string> out;
  std::istringstream in(std::string(text.begin(), text.end()));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The MRZ of the next card in the batch: the document number's last character moved by one
// (what a mix-up at the encoder would load instead of this card's).
MrzText neighbourMrz(MrzText mrz) {
  if (mrz.line1.size() >= 14) {
    char& c = mrz.line1[13];
    c = (c >= '0' && c <= '8') ? static_cast<char>(c + 1) : '0';
  }
  return mrz;
}

}  // namespace

std::string sha256Hex(const Bytes& data) { return hexEncode(sha256(data)); }

Result<PdfReading> RenderCache::get(const Bytes& pdf, const std::string& sha) {
  for (const auto& [key, reading] : entries_) {
    if (key == sha) return reading;
  }
  CARDLINE_ASSIGN_OR_RETURN(PdfReading reading, renderPdf(pdf, kSimDpi));
  if (entries_.size() >= kEntries) entries_.erase(entries_.begin());
  entries_.emplace_back(sha, reading);
  return reading;
}

Result<std::vector<std::string>> RenderCache::textLines(const Bytes& pdf, const std::string& sha,
                                                        int page, const LayoutBox& box) {
  std::ostringstream key;
  key << sha << ' ' << page << ' ' << box.x << ' ' << box.y << ' ' << box.w << ' ' << box.h;
  for (const auto& [k, lines] : texts_) {
    if (k == key.str()) return lines;
  }
  CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> lines, pdfTextLines(pdf, page, box));
  if (texts_.size() >= kEntries) texts_.erase(texts_.begin());
  texts_.emplace_back(key.str(), lines);
  return lines;
}

FaultDraw::FaultDraw(FaultRates rates, FaultStation station)
    : rates_(std::move(rates)), station_(station), random_(rates_.seed) {}

std::optional<SimFault> FaultDraw::draw() {
  std::optional<SimFault> hit;
  for (SimFault f : allSimFaults()) {
    if (faultStation(f) != station_) continue;
    auto it = rates_.rates.find(f);
    const double rate = it == rates_.rates.end() ? 0.0 : it->second;
    // Always draw, so one class's rate does not shift the others' sequence.
    const bool drawn = std::uniform_real_distribution<double>(0, 1)(random_) < rate;
    if (drawn && !hit) hit = f;
  }
  return hit;
}

std::size_t FaultDraw::pick(std::size_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
}

// ---------------------------------------------------------------------------------------------
// Print

PrintSimulator::PrintSimulator(CardCarrier carrier, Hopper hopper, FaultRates faults)
    : carrier_(std::move(carrier)),
      hopper_(std::move(hopper)),
      faults_(std::move(faults), FaultStation::kPrint) {}

Result<protocol::JobResult> PrintSimulator::perform(const protocol::Job& job) {
  const auto start = std::chrono::steady_clock::now();
  CARDLINE_ASSIGN_OR_RETURN(JobParts parts, readJobParts(job));
  const std::string application = applicationOf(job, parts);
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<SimFault> fault = faults_.draw();
  CARDLINE_ASSIGN_OR_RETURN(std::string serial, hopper_.next(carrier_));
  CardRecord record;
  record.serial = serial;
  record.application = application;
  record.reported_as = serial;
  if (fault == SimFault::kWrongCard) {
    // The feeder pulled two blanks: the printer reports the first and prints on the second.
    auto second = hopper_.next(carrier_);
    if (second.isOk()) {
      CardRecord misfed;
      misfed.serial = serial;
      misfed.faults = {"misfed"};
      CARDLINE_RETURN_IF_ERROR(carrier_.createCard(misfed));
      record.serial = second.value();
    } else {
      fault.reset();  // nothing to mix up with: print normally
    }
  }
  if (fault) record.faults.push_back(name(*fault));
  CARDLINE_RETURN_IF_ERROR(carrier_.createCard(record));
  if (!parts.headersOnly()) {
    CARDLINE_ASSIGN_OR_RETURN(Bytes pdf, parts.file("card.pdf"));
    CARDLINE_ASSIGN_OR_RETURN(PdfReading reading, renders_.get(pdf, sha256Hex(pdf)));
    if (reading.pages.size() != 2) return invalidArgument("card.pdf must have two pages");
    GreyImage& front = reading.pages[0];
    if (fault == SimFault::kSmudge || fault == SimFault::kMissingField) {
      std::vector<LayoutBox> fields = inkedFields(parts.layout, front);
      if (!fields.empty()) {
        const PixelBox p = toPixels(fields[faults_.pick(fields.size())], front);
        if (fault == SimFault::kSmudge) {
          smudge(front, p);
        } else {
          eraseInk(front, p);
        }
      }
    } else if (fault == SimFault::kQrDamage) {
      for (const LayoutBox& box : parts.layout) {
        if (box.kind == "qr")
          damageQr(reading.pages[static_cast<std::size_t>(box.face)],
                   toPixels(box, reading.pages[static_cast<std::size_t>(box.face)]));
      }
    }
    CARDLINE_RETURN_IF_ERROR(carrier_.putFile(record.serial, "card.pdf", pdf));
    CARDLINE_ASSIGN_OR_RETURN(Bytes front_png, encodeGreyPng(reading.pages[0]));
    CARDLINE_ASSIGN_OR_RETURN(Bytes back_png, encodeGreyPng(reading.pages[1]));
    CARDLINE_RETURN_IF_ERROR(carrier_.putFile(record.serial, "front.png", front_png));
    CARDLINE_RETURN_IF_ERROR(carrier_.putFile(record.serial, "back.png", back_png));
  }
  CARDLINE_RETURN_IF_ERROR(carrier_.placeInTray(application, record.serial));
  protocol::JobResult r;
  r.outcome = protocol::Outcome::kOk;
  r.blank = record.reported_as;
  r.detail = "printed " + application + " on " + record.serial;
  r.measurements = {{"print_ms", msSince(start)}};
  return r;
}

// ---------------------------------------------------------------------------------------------
// Encode

EncodeSimulator::EncodeSimulator(CardCarrier carrier, FaultRates faults)
    : carrier_(std::move(carrier)), faults_(std::move(faults), FaultStation::kEncode) {}

Result<protocol::JobResult> EncodeSimulator::perform(const protocol::Job& job) {
  const auto start = std::chrono::steady_clock::now();
  CARDLINE_ASSIGN_OR_RETURN(JobParts parts, readJobParts(job));
  const std::string application = applicationOf(job, parts);
  std::lock_guard<std::mutex> lock(mu_);
  protocol::JobResult r;
  auto serial = carrier_.cardInTray(application);
  if (!serial.isOk()) {
    r.outcome = protocol::Outcome::kAborted;
    r.detail = "no card travels with " + application;
    return r;
  }
  CARDLINE_ASSIGN_OR_RETURN(CardRecord record, carrier_.readRecord(serial.value()));
  const std::optional<SimFault> fault = faults_.draw();
  int apdus = 0;
  if (!parts.headersOnly()) {
    SimChip chip;
    auto stored = carrier_.getFile(record.serial, "chip.bin");
    if (stored.isOk()) {
      CARDLINE_ASSIGN_OR_RETURN(chip, SimChip::deserialize(stored.value()));
    }
    ChipTerminal terminal(chip);
    CARDLINE_RETURN_IF_ERROR(terminal.selectApplication());
    CARDLINE_ASSIGN_OR_RETURN(Bytes dg1, parts.file("dg1.bin"));
    CARDLINE_ASSIGN_OR_RETURN(Bytes dg13, parts.file("dg13.bin"));
    // The BAC keys come from the card's own MRZ, as DG1 holds it.
    auto own_mrz = parseDg1(dg1);
    if (!own_mrz.isOk()) return invalidArgument("dg1.bin: " + own_mrz.status().message());
    CARDLINE_ASSIGN_OR_RETURN(BacKeys keys, bacKeysFromMrz(fault == SimFault::kWrongAccessKeys
                                                               ? neighbourMrz(own_mrz.value())
                                                               : own_mrz.value()));
    if (fault == SimFault::kWrongDataGroup) std::swap(dg1, dg13);
    CARDLINE_ASSIGN_OR_RETURN(Bytes com, parts.file("ef_com.bin"));
    CARDLINE_ASSIGN_OR_RETURN(Bytes dg2, parts.file("dg2.bin"));
    CARDLINE_ASSIGN_OR_RETURN(Bytes sod, parts.file("ef_sod.bin"));
    CARDLINE_RETURN_IF_ERROR(terminal.writeFile(kFidEfCom, com));
    CARDLINE_RETURN_IF_ERROR(terminal.writeFile(kFidDg1, dg1));
    if (!dg2.empty()) {  // no photo (a young child): the chip has no DG2
      CARDLINE_RETURN_IF_ERROR(terminal.writeFile(kFidDg2, dg2));
    }
    CARDLINE_RETURN_IF_ERROR(terminal.writeFile(kFidDg13, dg13));
    CARDLINE_RETURN_IF_ERROR(terminal.writeFile(kFidEfSod, sod));
    CARDLINE_RETURN_IF_ERROR(terminal.storeAccessKeys(keys));
    CARDLINE_RETURN_IF_ERROR(terminal.activate());
    apdus = terminal.apdus();
    if (fault == SimFault::kChipCorrupt && dg13.size() > 4) {
      CARDLINE_RETURN_IF_ERROR(chip.flipByte(kFidDg13, dg13.size() - 2));
    }
    if (fault == SimFault::kChipDead) chip.setHealth(ChipHealth::kMute);
    CARDLINE_RETURN_IF_ERROR(carrier_.putFile(record.serial, "chip.bin", chip.serialize()));
  }
  if (fault) {
    record.faults.push_back(name(*fault));
    CARDLINE_RETURN_IF_ERROR(carrier_.writeRecord(record));
  }
  r.outcome = protocol::Outcome::kOk;
  r.detail = "encoded " + record.serial;
  r.measurements = {{"encode_ms", msSince(start)}, {"apdus", static_cast<double>(apdus)}};
  return r;
}

// ---------------------------------------------------------------------------------------------
// QA

QaInspector::QaInspector(CardCarrier carrier, const Clock& clock)
    : carrier_(std::move(carrier)), clock_(clock) {}

Result<protocol::JobResult> QaInspector::perform(const protocol::Job& job) {
  const auto start = std::chrono::steady_clock::now();
  CARDLINE_ASSIGN_OR_RETURN(JobParts parts, readJobParts(job));
  const std::string application = applicationOf(job, parts);
  std::lock_guard<std::mutex> lock(mu_);
  Inspection in;

  // The card in front of the camera and its engraved serial.
  auto serial = carrier_.cardInTray(application);
  if (!serial.isOk()) {
    in.add(QaDefect::kWrongCard, "no card travels with " + application);
    return resultOf(in, msSince(start));
  }
  const std::string expected_blank = parts.metaValue("blank");
  in.measure("serial_match", serial.value() == expected_blank ? 1 : 0);
  if (serial.value() != expected_blank) {
    in.add(QaDefect::kWrongCard, "card serial " + serial.value() + ", print reported " +
                                     (expected_blank.empty() ? "nothing" : expected_blank));
  }
  CARDLINE_ASSIGN_OR_RETURN(CardRecord record, carrier_.readRecord(serial.value()));

  if (parts.headersOnly()) {
    // No artefacts to look at: the physical faults recorded on the card stand for what the
    // camera and the reader would find.
    for (const std::string& f : record.faults) {
      auto fault = parseSimFault(f);
      if (fault.isOk()) in.add(expectedQaDefect(fault.value()), "recorded fault " + f);
    }
    return resultOf(in, msSince(start));
  }

  CARDLINE_ASSIGN_OR_RETURN(CardModel model, modelOf(parts));
  CARDLINE_ASSIGN_OR_RETURN(Bytes expected_mrz_text, parts.file("mrz.txt"));
  CARDLINE_ASSIGN_OR_RETURN(Bytes expected_qr, parts.file("qr.txt"));
  CARDLINE_ASSIGN_OR_RETURN(Bytes csca, parts.file("csca.pem"));
  CARDLINE_ASSIGN_OR_RETURN(Bytes face, parts.file("face.jpg"));
  const std::vector<std::string> expected_mrz = linesOf(expected_mrz_text);

  // 1. The print: the job the printer laid down must be the prepared one.
  std::vector<std::string> printed_mrz;
  auto pdf = carrier_.getFile(record.serial, "card.pdf");
  auto front_png = carrier_.getFile(record.serial, "front.png");
  auto back_png = carrier_.getFile(record.serial, "back.png");
  const bool printed = pdf.isOk() && front_png.isOk() && back_png.isOk();
  const std::string pdf_sha = pdf.isOk() ? sha256Hex(pdf.value()) : std::string();
  if (!printed) {
    in.add(QaDefect::kWrongCard, "the card carries no print");
  } else if (pdf_sha != parts.metaValue("print_sha256")) {
    in.add(QaDefect::kWrongCard, "the card carries another print job");
  } else {
    // 2. The camera: each face against the expected rendering, box by box.
    CARDLINE_ASSIGN_OR_RETURN(PdfReading reference, renders_.get(pdf.value(), pdf_sha));
    std::vector<GreyImage> faces;
    for (const Bytes* png : {&front_png.value(), &back_png.value()}) {
      auto image = decodeGreyPng(*png);
      if (!image.isOk()) break;
      addCameraNoise(image.value(), seedOf(record.serial) + faces.size());
      faces.push_back(std::move(image.value()));
    }
    if (faces.size() != 2 || reference.pages.size() != 2 ||
        faces[0].width != reference.pages[0].width ||
        faces[0].height != reference.pages[0].height ||
        faces[1].width != reference.pages[1].width ||
        faces[1].height != reference.pages[1].height) {
      in.add(QaDefect::kWrongCard, "the faces do not match the print job's pages");
    } else {
      double worst_extra = 0, worst_missing = 0;
      for (const LayoutBox& box : parts.layout) {
        if (box.kind == "qr") continue;  // the decoder judges the QR
        const GreyImage& ref = reference.pages[static_cast<std::size_t>(box.face)];
        const GreyImage& seen = faces[static_cast<std::size_t>(box.face)];
        const PixelBox p = toPixels(box, ref);
        if (p.area() <= 0) continue;
        int extra = 0, missing = 0;
        for (int y = p.y0; y < p.y1; ++y) {
          for (int x = p.x0; x < p.x1; ++x) {
            const int d = seen.at(x, y) - ref.at(x, y);
            extra += d < -kInkThreshold ? 1 : 0;
            missing += d > kInkThreshold ? 1 : 0;
          }
        }
        const double fe = static_cast<double>(extra) / p.area();
        const double fm = static_cast<double>(missing) / p.area();
        worst_extra = std::max(worst_extra, fe);
        worst_missing = std::max(worst_missing, fm);
        const std::string where = box.kind + (box.binding.empty() ? "" : " " + box.binding) +
                                  (box.face == 0 ? " (front)" : " (back)");
        const bool damaged_extra = fe > kDamageFraction && extra >= kMinPixels;
        const bool damaged_missing = fm > kDamageFraction && missing >= kMinPixels;
        if (box.kind == "mrz" && (damaged_extra || damaged_missing)) {
          in.add(QaDefect::kMrzUnreadable, where + " damaged");
        } else if (damaged_missing) {
          in.add(QaDefect::kPrintMissingField,
                 where + ": " + std::to_string(missing) + " px of ink missing");
        } else if (damaged_extra) {
          in.add(QaDefect::kPrintSmudge, where + ": " + std::to_string(extra) + " px of extra ink");
        }
      }
      in.measure("smudge_fraction", worst_extra);
      in.measure("missing_fraction", worst_missing);

      // 3. The QR, decoded from the camera image and compared field by field.
      for (const LayoutBox& box : parts.layout) {
        if (box.kind != "qr") continue;
        const GreyImage& seen = faces[static_cast<std::size_t>(box.face)];
        CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> symbols,
                                  decodeQr(seen, toPixels(box, seen)));
        in.measure("qr_symbols", static_cast<double>(symbols.size()));
        const std::string want(expected_qr.begin(), expected_qr.end());
        if (symbols.empty()) {
          in.add(QaDefect::kQrUnreadable, "no QR symbol decoded");
        } else if (symbols.front() != want) {
          const QrTemplate& tmpl = defaultQrTemplate(model);
          auto got_fields = parseQrPayload(tmpl, symbols.front());
          auto want_fields = parseQrPayload(tmpl, want);
          int differing = 0;
          std::string names;
          if (got_fields.isOk() && want_fields.isOk()) {
            for (const auto& [key, value] : want_fields.value()) {
              auto it = got_fields->find(key);
              if (it == got_fields->end() || it->second != value) {
                ++differing;
                names += (names.empty() ? "" : ",") + key;
              }
            }
          } else {
            differing = -1;
            names = "payload does not split into the template's fields";
          }
          in.measure("qr_fields_mismatched", differing);
          in.add(QaDefect::kQrMismatch, names);
        } else {
          in.measure("qr_fields_mismatched", 0);
        }
      }

      // 4. The MRZ: the text layer at the MRZ box (no OCR engine; the raster check above
      // covers the glyphs), its check digits, and the expected lines.
      for (const LayoutBox& box : parts.layout) {
        if (box.kind != "mrz") continue;
        CARDLINE_ASSIGN_OR_RETURN(printed_mrz,
                                  renders_.textLines(pdf.value(), pdf_sha, box.face, box));
        std::string joined;
        for (const std::string& line : printed_mrz) joined += line + "\n";
        auto parsed = parseTd1(joined);
        in.measure("mrz_check_digits_ok", parsed.isOk() ? 1 : 0);
        if (printed_mrz.empty()) {
          in.add(QaDefect::kMrzUnreadable, "no MRZ text on the card");
        } else if (!parsed.isOk()) {
          in.add(QaDefect::kMrzMismatch, parsed.status().message());
        } else if (printed_mrz != expected_mrz) {
          in.add(QaDefect::kMrzMismatch, "MRZ lines differ from the record");
        }
      }
    }
  }

  // 5. The chip, read back through APDUs, and Passive Authentication.
  auto image = carrier_.getFile(record.serial, "chip.bin");
  std::optional<SimChip> chip;
  if (image.isOk()) {
    auto loaded = SimChip::deserialize(image.value());
    if (loaded.isOk()) chip = std::move(loaded.value());
  }
  if (!chip) {
    in.add(QaDefect::kChipDead, "no chip image");
  } else {
    // As a phone reads it: the MRZ on the card (its text layer; the record's lines when the
    // print is missing or unreadable) gives the BAC keys, then everything in secure messaging.
    const std::vector<std::string>& mrz_lines =
        printed_mrz.size() == 3 ? printed_mrz : expected_mrz;
    const MrzText card_mrz{mrz_lines.size() > 0 ? mrz_lines[0] : "",
                           mrz_lines.size() > 1 ? mrz_lines[1] : "",
                           mrz_lines.size() > 2 ? mrz_lines[2] : ""};
    ChipTerminal terminal(*chip);
    Status selected = terminal.selectApplication();
    auto keys = bacKeysFromMrz(card_mrz);
    Status authenticated =
        !selected.isOk() ? selected
                         : (keys.isOk() ? terminal.authenticate(keys.value()) : keys.status());
    if (!selected.isOk() ||
        (!authenticated.isOk() && authenticated.code() == ErrorCode::kUnavailable)) {
      in.add(QaDefect::kChipDead, authenticated.message());
    } else if (!authenticated.isOk()) {
      in.add(QaDefect::kChipAccessDenied, "BAC: " + authenticated.message());
      in.measure("bac_ok", 0);
    } else {
      in.measure("bac_ok", 1);
      const std::pair<std::uint16_t, std::uint8_t> kFiles[] = {{kFidEfCom, kTagEfCom},
                                                               {kFidDg1, kTagDg1},
                                                               {kFidDg2, kTagDg2},
                                                               {kFidDg13, kTagDg13},
                                                               {kFidEfSod, kTagEfSod}};
      std::map<std::uint16_t, Bytes> files;
      bool dead = false;
      for (const auto& [fid, tag] : kFiles) {
        if (fid == kFidDg2 && face.empty()) continue;  // no photo: the chip has no DG2
        auto file = terminal.readFile(fid);
        if (!file.isOk()) {
          if (file.status().code() == ErrorCode::kUnavailable) dead = true;
          in.add(dead ? QaDefect::kChipDead : QaDefect::kChipDataMismatch, file.status().message());
          if (dead) break;
          continue;
        }
        if (file->empty() || file->front() != tag) {
          in.add(QaDefect::kChipWrongFile,
                 "EF " + swText(fid) + " holds tag " +
                     (file->empty() ? "none" : hexEncode({file->front()})));
        }
        files[fid] = std::move(file.value());
      }
      in.measure("apdus", terminal.apdus());
      if (!dead && files.count(kFidEfSod) != 0) {
        DataGroups groups;
        if (files.count(kFidDg1)) groups[1] = files[kFidDg1];
        if (files.count(kFidDg2)) groups[2] = files[kFidDg2];
        if (files.count(kFidDg13)) groups[13] = files[kFidDg13];
        const std::string csca_pem(csca.begin(), csca.end());
        CARDLINE_ASSIGN_OR_RETURN(
            PassiveAuthReport pa,
            verifyPassiveAuthentication(files[kFidEfSod], groups, csca_pem, clock_.now()));
        in.measure("pa_ok", pa.ok() ? 1 : 0);
        in.measure("dg_hash_mismatches", static_cast<double>(pa.mismatched.size()));
        if (!pa.structure_ok) in.add(QaDefect::kChipDataMismatch, "EF.SOD malformed");
        if (pa.structure_ok && (!pa.signature_ok || !pa.chain_ok)) {
          std::string why;
          for (const std::string& p : pa.problems) why += (why.empty() ? "" : "; ") + p;
          in.add(QaDefect::kSignatureInvalid, why);
        }
        if (!pa.mismatched.empty() || !pa.missing.empty()) {
          std::string groups_text;
          for (int n : pa.mismatched) groups_text += " DG" + std::to_string(n);
          for (int n : pa.missing) groups_text += " DG" + std::to_string(n) + "(missing)";
          in.add(QaDefect::kChipDataMismatch, "hash differs:" + groups_text);
        }
        const std::string want_sod = parts.metaValue("sod_sha256");
        if (!want_sod.empty() && sha256Hex(files[kFidEfSod]) != want_sod) {
          in.add(QaDefect::kChipDataMismatch, "EF.SOD is not the prepared one");
        }
        // DG1 equals the printed MRZ; DG2's face equals the prepared face.
        auto dg1 = parseDg1(files[kFidDg1]);
        if (dg1.isOk()) {
          const std::vector<std::string> chip_mrz = {dg1->line1, dg1->line2, dg1->line3};
          const std::vector<std::string>& against =
              printed_mrz.empty() ? expected_mrz : printed_mrz;
          if (chip_mrz != against) in.add(QaDefect::kChipDataMismatch, "DG1 differs from the MRZ");
        } else if (files[kFidDg1].empty() || files[kFidDg1].front() == kTagDg1) {
          in.add(QaDefect::kChipDataMismatch, "DG1: " + dg1.status().message());
        }
        if (!face.empty()) {
          auto dg2 = parseDg2(files[kFidDg2]);
          if (!dg2.isOk() || dg2.value() != face) {
            in.add(QaDefect::kChipDataMismatch, "DG2 face differs from the prepared one");
          }
        }
      }
    }
  }
  return resultOf(in, msSince(start));
}

// ---------------------------------------------------------------------------------------------
// Dispatch

DispatchSimulator::DispatchSimulator(CardCarrier carrier) : carrier_(std::move(carrier)) {}

Result<protocol::JobResult> DispatchSimulator::perform(const protocol::Job& job) {
  CARDLINE_ASSIGN_OR_RETURN(JobParts parts, readJobParts(job));
  const std::string application = applicationOf(job, parts);
  std::lock_guard<std::mutex> lock(mu_);
  protocol::JobResult r;
  auto serial = carrier_.cardInTray(application);
  if (!serial.isOk()) {
    r.outcome = protocol::Outcome::kAborted;
    r.detail = "no card travels with " + application;
    return r;
  }
  CARDLINE_ASSIGN_OR_RETURN(CardRecord record, carrier_.readRecord(serial.value()));
  const std::string expected = parts.metaValue("blank");
  if (!expected.empty() && expected != record.serial) {
    r.outcome = protocol::Outcome::kDefect;
    r.defect = name(QaDefect::kWrongCard);
    r.detail = "card " + record.serial + " is not " + expected;
    return r;
  }
  record.dispatched_to = parts.metaValue("receiving_unit");
  if (record.dispatched_to.empty()) record.dispatched_to = "unassigned";
  CARDLINE_RETURN_IF_ERROR(carrier_.writeRecord(record));
  r.outcome = protocol::Outcome::kOk;
  r.detail = "packed " + record.serial + " for " + record.dispatched_to;
  return r;
}

}  // namespace cardline::sim
