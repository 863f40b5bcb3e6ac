#pragma once
// Data preparation for the print station: an Application and its card template become the print
// job (card.pdf) and the values printed on it (MRZ, QR payload, expiry). The MRZ, the QR payload
// and symbol and the expiry come from mes/document; the chip files (EF.COM, DG1, DG2, DG13,
// EF.SOD, signer.pem) are written by the document component's API, not here. Proof PNGs are in
// mes/prep/proof_renderer.h (a separate target). Stateless functions, thread-safe.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/date.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/document/mrz.h"
#include "mes/prep/card_template.h"
#include "mes/document/lds.h"
#include "mes/prep/pdf_card_renderer.h"

namespace cardline {

// How values are printed (docs/prep.md): dates as dd/mm/yyyy; sex "Nam" / "Nữ"; nationality
// "Việt Nam" for VNM (other codes as given); a card without expiry shows kNoExpiryText
// ("Không thời hạn", mes/document/lds.h — the same text the chip's DG13 carries).
std::string formatCardDate(const Date& date);

// The values on the card, computed once.
struct CardValues {
  std::optional<Date> expiry;  // empty: no expiry
  MrzText mrz;
  std::string qr_payload;
  CardFaceData face;
};

// Computes expiry (computeExpiryDate), MRZ (composeVietnameseMrz), QR payload (the card model's
// default QR template) and symbol, and the text/image bindings. Fails with kInvalidArgument when
// any of those fails (the message says which), or when the template is for another card model.
Result<CardValues> cardValuesFor(const Application& application, const CardTemplate& tmpl);

// For intake and `prepare`: the fit rule applied to the application's values in the template.
// Returns one FitError per value that does not fit; fails as cardValuesFor and checkFaceFit do.
Result<std::vector<FitError>> checkFit(const Application& application, const CardTemplate& tmpl);

// The fit rule for many applications (intake): one PdfTextMeasurer per card template, so the
// fonts are loaded once, not per record. Thread-safe (one lock around libharu).
class FitChecker {
 public:
  explicit FitChecker(std::map<CardModel, CardTemplate> templates);
  // checkFit(application, the template of its card model). kNotFound when no template serves
  // the card model; otherwise fails as checkFit does.
  Result<std::vector<FitError>> check(const Application& application);

 private:
  std::mutex mu_;
  std::map<CardModel, CardTemplate> templates_;
  std::map<CardModel, std::unique_ptr<PdfTextMeasurer>> measurers_;  // created on first use
};

// What the print station receives and what `prepare --out DIR` writes.
struct PreparedCard {
  Bytes pdf;  // two pages: front, back
  CardValues values;
};

// cardValuesFor + renderCardPdf. Fails as they do; a value that does not fit is kInvalidArgument
// naming the binding and how much is over.
Result<PreparedCard> prepareCard(const Application& application, const CardTemplate& tmpl);

// Writes card.pdf, mrz.txt (three lines, each ending in '\n'), qr.txt (the exact payload, no
// newline added) and expiry.txt (YYYY-MM-DD or "none", ending in '\n') into `out_dir`, creating
// it if needed. Fails with kUnavailable when a file cannot be written.
Status writePreparedCard(const PreparedCard& card, const std::string& out_dir);

}  // namespace cardline
