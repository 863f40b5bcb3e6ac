#pragma once
// The paper that travels with a box: the label (destination, card count, seal, the box id as
// text and as a QR code) and the manifest (one line per card: serial, personal number masked,
// name), as PDF documents made with libharu and embedded Noto fonts (UTF-8, so Vietnamese
// names print as written). Thread-safe: every call builds its own document.

#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/logistics.h"
#include "mes/core/store.h"

namespace cardline {

// TrueType files (fonts-noto-core).
struct BoxDocumentFonts {
  std::string regular = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
  std::string bold = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf";
};

struct ManifestLine {
  std::string serial;
  std::string application_id;
  std::string personal_number_masked;  // "001*******45"
  std::string full_name;               // "" once purged
};

// The manifest lines of a box from the store, in packing order, with the personal number
// masked (province code and last two digits kept). kNotFound if the box is absent; store
// errors as returned.
Result<std::vector<ManifestLine>> manifestLines(StoreTransaction& tx, const std::string& box_id);

// "001099012345" -> "001*******45"; other strings keep only their first and last character.
std::string maskPersonalNumberForManifest(const std::string& number);

// One A6 page: the receiving unit (code and name), box id, number of cards, seal number and a
// QR code of the box id. kNotFound if a font file cannot be read; kInternal if libharu or the
// QR encoder fails.
Result<Bytes> renderBoxLabel(const Box& box, const BoxDocumentFonts& fonts);

// A4 pages listing every card of the box (numbered, 40 lines a page) under a header naming
// the box, the unit, the seal and when it was printed, with "page i of n". Fails like
// renderBoxLabel.
Result<Bytes> renderBoxManifest(const Box& box, const std::vector<ManifestLine>& lines,
                                Timestamp printed_at, const BoxDocumentFonts& fonts);

}  // namespace cardline
