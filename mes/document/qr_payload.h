#pragma once
// The text carried by the card's QR code: a versioned template per card model. A template is
// data (an id, a version and a text with {placeholders}), so a new layout is a new template
// entry, not new code. Pure functions; thread-safe.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

struct QrTemplate {
  std::string id;        // "cccd-2021", "can-cuoc-2024"
  int version = 1;       // bumped whenever the layout changes
  std::string text;      // "{number}|{old_id}|..."; placeholders are [a-z_]+ in braces
  std::string status;    // "confirmed" or "unconfirmed" (layout not verified on real cards)
};

// The values placeholders may name. Keys of QrValues, one list used for validation and docs.
//   number, old_id, full_name, dob (ddmmyyyy), sex ("Nam"/"Nữ"), residence, issue_date
//   (ddmmyyyy), expiry_date (ddmmyyyy or empty for no expiry), father_name, mother_name,
//   birth_registration, origin.
const std::vector<std::string>& qrPlaceholderNames();

using QrValues = std::map<std::string, std::string>;

// The built-in templates, one per card model (2021: the layout of DOMAIN.md, confirmed;
// 2024: a documented extension, unconfirmed). See docs/document.md.
const QrTemplate& defaultQrTemplate(CardModel model);

// Checks a template: balanced braces, every placeholder known (qrPlaceholderNames), no two
// placeholders without a literal between them (the payload could not be split back), at least
// one placeholder. Fails with kInvalidArgument naming the offending position.
Status validateQrTemplate(const QrTemplate& tmpl);

// The placeholder values for an application; `expiry` is the computed expiry (empty: none).
QrValues qrValuesFor(const Application& application, const std::optional<Date>& expiry);

// Fills the template. Fails with kInvalidArgument when the template is invalid, a placeholder
// has no value, or a value contains one of the template's literal separators (the payload could
// not be split back; e.g. '|' inside an address).
Result<std::string> renderQrPayload(const QrTemplate& tmpl, const QrValues& values);

// Splits a payload back into the template's fields (QA compares field by field). Fails with
// kInvalidArgument when the template is invalid or the payload does not match its literals
// (wrong number of fields); the message names the first field that could not be matched.
Result<QrValues> parseQrPayload(const QrTemplate& tmpl, std::string_view payload);

}  // namespace cardline
