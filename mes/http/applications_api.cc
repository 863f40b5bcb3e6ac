#include "mes/http/applications_api.h"

#include <sstream>

#include "mes/intake/import_report.h"
#include "mes/intake/importer.h"
#include "mes/intake/record_reader.h"
#include "mes/intake/validation.h"
#include "mes/security/audit_chain.h"

namespace cardline {

Status registerApplicationsRoutes(Router& router, const ReferenceData& reference,
                                  const Clock& clock, ImportSubmitter submit,
                                  ApplicationsApiOptions options) {
  return router.add(
      {HttpMethod::kPost, "/api/v1/applications", Effect::kChangesState, Guard::kSession,
       Action::kImportApplications,
       [&reference, &clock, submit, options](const HttpRequest& request, const Caller& caller) {
         if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
           return HttpResponse::error(400, "invalid_argument",
                                      "the body must be a JSON object or an array of them");
         }
         std::vector<RawRecord> records = parseJsonBody(request.body);
         ValidationOptions validation;  // no image_directory: images must be inline
         validation.now = clock.now();
         validation.fit_check = options.fit_check;
         ImportOptions import_options;
         import_options.print_due_seconds = options.print_due_seconds;
         import_options.actor = caller.user;

         struct Entry {
           std::string application_id;
           std::string result = "rejected";
           std::vector<Problem> problems;
         };
         std::vector<Entry> entries(records.size());
         std::vector<std::pair<std::size_t, Application>> valid;
         std::vector<std::optional<ReceivingUnit>> routed_from(records.size());
         for (std::size_t i = 0; i < records.size(); ++i) {
           ValidatedRecord v = validateRecord(records[i], reference, validation);
           entries[i].application_id = v.application_id;
           entries[i].problems = v.problems;
           routed_from[i] = v.routed_from;
           if (v.application) valid.emplace_back(i, std::move(*v.application));
         }
         // Each valid record in its own command, so a record the store refuses (a duplicate
         // personal number, say) never takes the others down.
         for (auto& [index, application] : valid) {
           Entry& entry = entries[index];
           ImportOutcome outcome;
           const RecordSource source{"", static_cast<std::int64_t>(index) + 1,
                                     routed_from[index],
                                     reference.administrativeUnits().version};
           Status s = submit([&](StoreTransaction& tx, Engine& engine) -> Status {
                        CARDLINE_ASSIGN_OR_RETURN(
                            outcome, importApplication(tx, application, source, import_options,
                                                       clock,
                                                       [&](StoreTransaction& t,
                                                           const Application& a) -> Status {
                                                         CARDLINE_RETURN_IF_ERROR(
                                                             engine.start(t, a));
                                                         if (!options.audit) return Status::ok();
                                                         return options.audit(
                                                             t, caller.user,
                                                             "application.import", a.id,
                                                             "{\"via\":\"http\"}");
                                                       }));
                        // A rejection must not leave half a record behind.
                        return outcome.disposition == ImportDisposition::kRejected
                                   ? conflict("rejected")
                                   : Status::ok();
                      }).get();
           if (s.isOk()) {
             entry.result = outcome.disposition == ImportDisposition::kImported
                                ? "imported"
                                : "already_imported";
           } else if (outcome.disposition == ImportDisposition::kRejected &&
                      !outcome.problems.empty()) {
             entry.problems = outcome.problems;
           } else {
             return HttpResponse::fromStatus(s);
           }
         }
         int accepted = 0, rejected = 0, duplicates = 0;
         std::ostringstream body;
         body << "{\"records\":[";
         for (std::size_t i = 0; i < entries.size(); ++i) {
           const Entry& e = entries[i];
           if (e.result == "imported") ++accepted;
           if (e.result == "already_imported") ++duplicates;
           if (e.result == "rejected") ++rejected;
           body << (i ? "," : "") << "{\"index\":" << i
                << ",\"application_id\":" << jsonQuote(e.application_id)
                << ",\"result\":" << jsonQuote(e.result)
                << ",\"problems\":" << problemsToJson(e.problems) << "}";
         }
         body << "],\"accepted\":" << accepted << ",\"rejected\":" << rejected
              << ",\"duplicates\":" << duplicates << "}";
         if (options.audit) {
           const std::string detail = "{\"via\":\"http\",\"records\":" +
                                      std::to_string(entries.size()) + ",\"accepted\":" +
                                      std::to_string(accepted) + ",\"rejected\":" +
                                      std::to_string(rejected) + ",\"duplicates\":" +
                                      std::to_string(duplicates) + "}";
           Status audited = submit([&](StoreTransaction& tx, Engine&) -> Status {
                              return options.audit(tx, caller.user, "import.batch", "import",
                                                   detail);
                            }).get();
           if (!audited.isOk()) return HttpResponse::fromStatus(audited);
         }
         const bool all_rejected = rejected == static_cast<int>(entries.size());
         return HttpResponse::json(all_rejected ? 422 : 200, body.str());
       }});
}

}  // namespace cardline
