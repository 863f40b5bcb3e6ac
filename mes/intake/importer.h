#pragma once
// The import pipeline: read intake files record by record, validate, de-duplicate against the
// store and insert accepted applications — each together with its "imported" event and the
// AcceptHook's writes in the same transaction, so a crash leaves every record either fully
// imported or absent and a re-run completes the file (re-importing is idempotent by
// application_id and content_hash).
//
// Uses only the Store port (mes/core/store.h). Not thread-safe per call; separate calls may
// run concurrently on a thread-safe Store.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"
#include "mes/intake/problem.h"
#include "mes/intake/record_reader.h"
#include "mes/intake/reference_data.h"
#include "mes/intake/validation.h"

namespace cardline {

// Called inside the transaction that inserts an accepted application (the workflow engine
// enqueues the first job here). A non-OK status rolls the record back: the record is rejected
// with that message, or, for kUnavailable, the import stops.
using AcceptHook = std::function<Status(StoreTransaction&, const Application&)>;

struct ImportOptions {
  ReaderOptions reader;
  // nullopt: the format follows each file's extension (formatForPath).
  std::optional<InputFormat> format;
  // Rules and limits; `now` and `image_directory` are filled in per record and per file.
  ValidationOptions validation;
  // Service level receipt → print: print_due = received_at + this. Default 2 days.
  std::int64_t print_due_seconds = 2 * 24 * 3600;
  // Records per transaction. A batch in which a record fails to store is redone one record per
  // transaction, so a rejected record never rolls back the others. Default 200.
  int batch_size = 200;
  // The step an imported application starts at (the hook may move it).
  std::string initial_step = "received";
  // Actor of the "imported" events.
  std::string actor = "system";
};

// Where a record came from, for events and reports.
struct RecordSource {
  std::string file;  // as given on the command line; empty for HTTP
  std::int64_t line = 0;
  // The receiving unit the record named when intake routed it to that unit's successor
  // (ValidatedRecord::routed_from), and the version of the administrative units that did it.
  std::optional<ReceivingUnit> routed_from;
  int reference_version = 0;
};

enum class ImportDisposition {
  kImported,         // inserted now
  kAlreadyImported,  // the same application_id with the same content exists: harmless
  kRejected,         // see problems
};

struct ImportOutcome {
  ImportDisposition disposition = ImportDisposition::kRejected;
  std::vector<Problem> problems;
};

// Imports one validated application inside `tx`: de-duplication (same id: compare content
// hashes; same personal number: reject while another application for it is neither cancelled
// nor completed, naming it), then insert with state queued, step options.initial_step,
// received_at = clock.now(), print_due; an "imported" event; a "receiving_unit_routed" event
// when source.routed_from is set ({"from", "from_name", "to", "to_name", "reference_version"});
// and the hook. Rejections are
// outcomes, not errors. Returns the store's or the hook's error status when something failed
// after writes may have started — the caller must then roll the transaction back.
Result<ImportOutcome> importApplication(StoreTransaction& tx, const Application& application,
                                        const RecordSource& source, const ImportOptions& options,
                                        const Clock& clock, const AcceptHook& hook);

struct RejectedRecord {
  std::string file;
  std::int64_t line = 0;
  std::string application_id;
  std::vector<Problem> problems;
};

struct ImportSummary {
  std::vector<std::string> files;
  std::int64_t records = 0;   // records read (rejected ones included)
  std::int64_t accepted = 0;  // newly imported
  std::int64_t rejected = 0;
  std::int64_t duplicates = 0;  // already imported with the same content
  // Every rejected record with all its problems. Memory grows with the number of rejected
  // records only (no images are kept).
  std::vector<RejectedRecord> rejections;
  // Not OK when the import stopped early: a file could not be opened or read, or the store
  // was unavailable. Everything committed before stays; a re-run completes the rest.
  Status status;

  // True when the import ran to the end and nothing was rejected (exit status 0).
  bool clean() const { return status.isOk() && rejected == 0; }
};

// Imports every file in order, streaming. Photo paths are relative to each file's folder.
// Never throws; see ImportSummary::status for early stops.
ImportSummary importFiles(const std::vector<std::string>& paths, const ImportOptions& options,
                          Store& store, const ReferenceData& reference, const Clock& clock,
                          const AcceptHook& hook);

}  // namespace cardline
