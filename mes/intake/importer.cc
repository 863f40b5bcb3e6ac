#include "mes/intake/importer.h"

#include <algorithm>
#include <fstream>
#include <utility>

#include "mes/intake/import_report.h"

namespace cardline {

namespace {

bool isTerminal(ApplicationState state) {
  return state == ApplicationState::kCancelled || state == ApplicationState::kCompleted;
}

std::string directoryOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<ImportOutcome> importApplication(StoreTransaction& tx, const Application& application,
                                        const RecordSource& source, const ImportOptions& options,
                                        const Clock& clock, const AcceptHook& hook) {
  ImportOutcome outcome;
  auto reject = [&](const std::string& field, const std::string& message) {
    outcome.disposition = ImportDisposition::kRejected;
    outcome.problems.push_back({source.line, application.id, field, message});
    return outcome;
  };

  auto existing = tx.applications().find(application.id);
  if (existing.isOk()) {
    if (existing->content_hash == application.content_hash) {
      outcome.disposition = ImportDisposition::kAlreadyImported;
      return outcome;
    }
    return reject("application_id",
                  "was already imported with different content (content hash differs)");
  }
  if (existing.status().code() != ErrorCode::kNotFound) return existing.status();

  CARDLINE_ASSIGN_OR_RETURN(auto ids,
                            tx.applications().idsForPersonalNumber(application.personal_number));
  for (const auto& id : ids) {
    auto other = tx.applications().find(id);
    if (!other.isOk()) return other.status();
    if (!isTerminal(other->state)) {
      return reject("personal_number", "already has application " + id + " in production (state " +
                                           name(other->state) + ")");
    }
  }

  Application stored = application;
  stored.state = ApplicationState::kQueued;
  stored.step = options.initial_step;
  stored.received_at = clock.now();
  stored.print_due = stored.received_at.plusSeconds(options.print_due_seconds);
  Status inserted = tx.applications().insert(stored);
  if (!inserted.isOk()) return inserted;

  Event event;
  event.at = stored.received_at;
  event.subject_type = "application";
  event.subject_id = stored.id;
  event.kind = "imported";
  event.actor = options.actor;
  event.detail = "{\"file\":" + jsonQuoteValidUtf8(source.file) +
                 ",\"line\":" + std::to_string(source.line) + ",\"card_model\":\"" +
                 name(stored.card_model) + "\",\"priority\":\"" + name(stored.priority) + "\"}";
  CARDLINE_RETURN_IF_ERROR(tx.events().append(event));
  if (source.routed_from) {
    Event routed = event;
    routed.kind = "receiving_unit_routed";
    routed.detail = "{\"from\":" + jsonQuoteValidUtf8(source.routed_from->code) +
                    ",\"from_name\":" + jsonQuoteValidUtf8(source.routed_from->name) +
                    ",\"to\":" + jsonQuoteValidUtf8(stored.receiving_unit.code) +
                    ",\"to_name\":" + jsonQuoteValidUtf8(stored.receiving_unit.name) +
                    ",\"reference_version\":" + std::to_string(source.reference_version) + "}";
    CARDLINE_RETURN_IF_ERROR(tx.events().append(routed));
  }

  if (hook) CARDLINE_RETURN_IF_ERROR(hook(tx, stored));
  outcome.disposition = ImportDisposition::kImported;
  return outcome;
}

namespace {

// One validated application waiting for its transaction.
struct Pending {
  Application application;
  RecordSource source;
};

class ImportRun {
 public:
  ImportRun(const ImportOptions& options, Store& store, const ReferenceData& reference,
            const Clock& clock, const AcceptHook& hook)
      : options_(options), store_(store), reference_(reference), clock_(clock), hook_(hook) {}

  ImportSummary run(const std::vector<std::string>& paths) {
    summary_.files = paths;
    for (const auto& path : paths) {
      Status status = importFile(path);
      // Commit what was read even when the file broke off (a read error mid-file).
      Status flushed = flush();
      if (status.isOk()) status = flushed;
      if (!status.isOk()) {
        summary_.status = status;
        break;
      }
    }
    return std::move(summary_);
  }

 private:
  Status importFile(const std::string& path) {
    InputFormat format;
    if (options_.format) {
      format = *options_.format;
    } else {
      CARDLINE_ASSIGN_OR_RETURN(format, formatForPath(path));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return notFound("cannot open " + path);
    auto reader = makeRecordReader(format, in, options_.reader);
    ValidationOptions validation = options_.validation;
    validation.image_directory = directoryOf(path);
    while (auto record = reader->next()) {
      ++summary_.records;
      validation.now = clock_.now();
      ValidatedRecord checked = validateRecord(*record, reference_, validation);
      if (!checked.application) {
        addRejection(path, checked.line, checked.application_id, std::move(checked.problems));
        continue;
      }
      pending_.push_back(
          {std::move(*checked.application),
           {path, checked.line, checked.routed_from, reference_.administrativeUnits().version}});
      if (static_cast<int>(pending_.size()) >= std::max(1, options_.batch_size)) {
        CARDLINE_RETURN_IF_ERROR(flush());
      }
    }
    CARDLINE_RETURN_IF_ERROR(reader->status().withContext(path));
    return Status::ok();
  }

  void addRejection(const std::string& file, std::int64_t line, const std::string& id,
                    std::vector<Problem> problems) {
    ++summary_.rejected;
    summary_.rejections.push_back({file, line, id, std::move(problems)});
  }

  void count(const Pending& pending, ImportOutcome& outcome) {
    switch (outcome.disposition) {
      case ImportDisposition::kImported:
        ++summary_.accepted;
        break;
      case ImportDisposition::kAlreadyImported:
        ++summary_.duplicates;
        break;
      case ImportDisposition::kRejected:
        addRejection(pending.source.file, pending.source.line, pending.application.id,
                     std::move(outcome.problems));
        break;
    }
  }

  // Commits the pending records: one transaction for all, or, if that fails, one each.
  Status flush() {
    if (pending_.empty()) return Status::ok();
    std::vector<ImportOutcome> outcomes;
    Status batch = store_.transact([&](StoreTransaction& tx) {
      outcomes.clear();
      for (const auto& pending : pending_) {
        auto outcome =
            importApplication(tx, pending.application, pending.source, options_, clock_, hook_);
        if (!outcome.isOk()) return outcome.status();
        outcomes.push_back(std::move(outcome.value()));
      }
      return Status::ok();
    });
    if (batch.isOk()) {
      for (std::size_t i = 0; i < pending_.size(); ++i) count(pending_[i], outcomes[i]);
      pending_.clear();
      return Status::ok();
    }
    if (batch.code() == ErrorCode::kUnavailable) {
      pending_.clear();
      return batch.withContext("storing applications");
    }
    // Something in the batch failed: redo one record per transaction.
    for (const auto& pending : pending_) {
      ImportOutcome outcome;
      Status single = store_.transact([&](StoreTransaction& tx) {
        auto result =
            importApplication(tx, pending.application, pending.source, options_, clock_, hook_);
        if (!result.isOk()) return result.status();
        outcome = std::move(result.value());
        return Status::ok();
      });
      if (single.code() == ErrorCode::kUnavailable) {
        pending_.clear();
        return single.withContext("storing application " + pending.application.id);
      }
      if (!single.isOk()) {
        outcome.disposition = ImportDisposition::kRejected;
        outcome.problems = {{pending.source.line, pending.application.id, "",
                             "could not be stored: " + single.toString()}};
      }
      count(pending, outcome);
    }
    pending_.clear();
    return Status::ok();
  }

  const ImportOptions& options_;
  Store& store_;
  const ReferenceData& reference_;
  const Clock& clock_;
  const AcceptHook& hook_;
  ImportSummary summary_;
  std::vector<Pending> pending_;
};

}  // namespace

ImportSummary importFiles(const std::vector<std::string>& paths, const ImportOptions& options,
                          Store& store, const ReferenceData& reference, const Clock& clock,
                          const AcceptHook& hook) {
  return ImportRun(options, store, reference, clock, hook).run(paths);
}

}  // namespace cardline
