#include "mes/intake/import_report.h"

#include <cstdio>

#include "mes/intake/text.h"

namespace cardline {

std::string jsonQuoteValidUtf8(std::string_view text) {
  std::string out = "\"";
  while (!text.empty()) {
    auto bad = findInvalidUtf8(text);
    std::size_t good = bad ? *bad : text.size();
    for (std::size_t i = 0; i < good; ++i) {
      char c = text[i];
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
            out += escaped;
          } else {
            out += c;
          }
      }
    }
    if (!bad) break;
    out += "\\ufffd";
    text.remove_prefix(*bad + 1);
  }
  out += '"';
  return out;
}

std::string problemsToJson(const std::vector<Problem>& problems) {
  std::string out = "[";
  for (std::size_t i = 0; i < problems.size(); ++i) {
    if (i) out += ',';
    out += "{\"field\":" + jsonQuoteValidUtf8(problems[i].field) +
           ",\"message\":" + jsonQuoteValidUtf8(problems[i].message) + "}";
  }
  out += ']';
  return out;
}

void printImportSummary(const ImportSummary& summary, std::ostream& out) {
  out << "records " << summary.records << ": accepted " << summary.accepted << ", rejected "
      << summary.rejected << ", duplicates " << summary.duplicates << "\n";
  for (const auto& rejection : summary.rejections) {
    for (const auto& problem : rejection.problems) {
      out << rejection.file << ":" << rejection.line << " "
          << (rejection.application_id.empty() ? "(no application_id)" : rejection.application_id)
          << ": " << (problem.field.empty() ? "(record)" : problem.field) << ": " << problem.message
          << "\n";
    }
  }
  if (!summary.status.isOk()) {
    out << "import stopped early: " << summary.status.toString() << "\n";
  }
}

Status writeImportReport(const ImportSummary& summary, std::ostream& out) {
  out << "{\"files\":[";
  for (std::size_t i = 0; i < summary.files.size(); ++i) {
    out << (i ? "," : "") << jsonQuoteValidUtf8(summary.files[i]);
  }
  out << "],\"records\":" << summary.records << ",\"accepted\":" << summary.accepted
      << ",\"rejected\":" << summary.rejected << ",\"duplicates\":" << summary.duplicates
      << ",\"status\":"
      << jsonQuoteValidUtf8(summary.status.isOk() ? std::string("ok") : summary.status.toString())
      << ",\"rejections\":[";
  for (std::size_t i = 0; i < summary.rejections.size(); ++i) {
    const auto& r = summary.rejections[i];
    out << (i ? "," : "") << "{\"file\":" << jsonQuoteValidUtf8(r.file) << ",\"line\":" << r.line
        << ",\"application_id\":" << jsonQuoteValidUtf8(r.application_id)
        << ",\"problems\":" << problemsToJson(r.problems) << "}";
  }
  out << "]}\n";
  out.flush();
  if (!out) return unavailable("writing the import report failed");
  return Status::ok();
}

}  // namespace cardline
