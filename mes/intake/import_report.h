#pragma once
// Human and machine renderings of an ImportSummary (cardline import, --report FILE).

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"
#include "mes/intake/importer.h"

namespace cardline {

// Prints the counts, then one line per problem of each rejected record:
//   "FILE:LINE APPLICATION_ID: FIELD: MESSAGE" (FIELD "(record)" for whole-record problems),
// then the early-stop error, if any.
void printImportSummary(const ImportSummary& summary, std::ostream& out);

// Writes the same as one JSON object:
//   {"files":[...],"records":N,"accepted":N,"rejected":N,"duplicates":N,
//    "status":"ok"|"<code>: <message>",
//    "rejections":[{"file":..,"line":N,"application_id":..,
//                   "problems":[{"field":..,"message":..}]}]}
// Fails with kUnavailable when the stream fails.
Status writeImportReport(const ImportSummary& summary, std::ostream& out);

// The problems of one record as a JSON array [{"field":..,"message":..}] (for the HTTP API).
std::string problemsToJson(const std::vector<Problem>& problems);

}  // namespace cardline

namespace cardline {

// `text` as a JSON string literal with quotes; ill-formed UTF-8 bytes become U+FFFD.
std::string jsonQuoteValidUtf8(std::string_view text);

}  // namespace cardline
