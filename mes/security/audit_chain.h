#pragma once
// The keyed, hash-chained audit trail over the Store's AuditLog.
//
// Each entry's hash is the lower-case hex HMAC-SHA-256, under the audit key (audit_key.h), of
// its canonical text, which includes the previous entry's hash (64 zeros before the first
// entry). The key is not in the database, so someone who can write to the database can alter,
// remove, reorder or rebuild entries but cannot make the chain whole again: verify() walks the
// whole log and names the first bad entry.
//
// Trails written before the key (plain SHA-256 of auditCanonicalText, "cardline-audit-1") are
// accepted only as a prefix sealed by a keyed checkpoint entry (action "audit.sealed",
// sealUnkeyed()); a plain entry after a keyed one, or a trail without any keyed entry, fails
// verification as "unsealed". Removing the newest entries leaves a shorter valid chain: the next append
// notices that the store's sequence counter ran past the last stored entry (kDataLoss), and
// operators can compare verify()'s head hash with one recorded earlier.
//
// Thread-safe: appends within one process are serialised; appends from other processes or
// nodes that race with this one make append() retry (see append()).

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/json_text.h"  // jsonQuote, for building audit details
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"
#include "mes/security/audit_key.h"

namespace cardline {

// The previous hash of the first entry.
extern const char kAuditGenesisHash[];

// The action of the checkpoint that seals an unkeyed trail's head.
extern const char kAuditSealAction[];

// The canonical text of a keyed entry: "cardline-audit-2" then the fields below.
std::string auditKeyedText(const AuditEntry& entry);
// The keyed hash of an entry: key.mac(auditKeyedText(entry)). Fails like AuditKey::mac.
Result<std::string> auditEntryMac(const AuditEntry& entry, const AuditKey& key);

// Entries written before the audit key existed. The canonical text: "cardline-audit-1" then seq, at (ISO 8601 UTC,
// microseconds), actor, action, subject, detail and prev_hash, each preceded by '|'. Inside
// fields, '\' is written "\\" and '|' is written "\|", so no field can imitate a separator.
std::string auditCanonicalText(const AuditEntry& entry);
// Lower-case hex SHA-256 of auditCanonicalText(entry) (the unkeyed hash of those entries).
std::string auditEntryHash(const AuditEntry& entry);

enum class AuditProblem {
  kNone,
  kAltered,    // "altered": the entry's content no longer matches its hash
  kRemoved,    // "removed": a seq is missing, or the chain skips an entry
  kReordered,  // "reordered": the entry links to an entry stored after it
  kUnsealed,   // "unsealed": a plain SHA-256 entry where the key's seal is due (after a keyed
               // entry), or a trail in which no entry is keyed (rebuilt without the key, or
               // written before the key and never sealed)
};
const char* name(AuditProblem problem);

struct AuditVerification {
  std::int64_t entries_checked = 0;
  AuditProblem problem = AuditProblem::kNone;
  std::int64_t first_bad_seq = 0;  // 0 when problem == kNone
  std::string message;             // one line for people: what is wrong where, or a summary
  std::string head_hash;           // hash of the last good entry (kAuditGenesisHash if none)
  std::int64_t unkeyed_prefix = 0; // plain SHA-256 entries before the first keyed one
  std::string key_id;              // AuditKey::id() of the key verified with
  bool intact() const { return problem == AuditProblem::kNone; }
};

// A search of the trail, newest entry first (AuditTrail::search). Empty fields match anything.
struct AuditQuery {
  std::int64_t before_seq = 0;  // only entries with seq < before_seq; 0 = from the newest
  std::string actor;            // equal to the entry's actor
  std::string action;           // equal to the entry's action, or its prefix when it ends in '.'
  std::string subject;          // contained in the entry's subject
  Timestamp from;               // at >= from (micros == 0: no bound)
  Timestamp to;                 // at < to (micros == 0: no bound)
  int limit = 100;              // entries returned, 1..1000
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // newest first
  // Where to go on (before_seq of the next call): the smallest seq read; 0 when the search
  // reached the oldest entry (or the `from` bound), so there is nothing older to match.
  std::int64_t next_before_seq = 0;
  std::int64_t scanned = 0;  // entries read for this page
};

struct AuditTrailOptions {
  int page_size = 1000;    // entries read per query by verify() and search()
  int search_budget = 20000;  // entries search() reads at most per call
  int append_attempts = 3; // tries of append() when another writer took the seq first
};

class AuditTrail {
 public:
  // `store`, `clock` and `key` must outlive the trail.
  AuditTrail(Store& store, const Clock& clock, const AuditKey& key, AuditTrailOptions options = {});

  // Appends one entry in its own transaction; returns its seq. `detail` should be a JSON
  // object text ("{}" if empty is fine). Retries when another writer appended between reading
  // the head and appending (kConflict from appendIn); fails like appendIn otherwise.
  Result<std::int64_t> append(const std::string& actor, const std::string& action,
                              const std::string& subject, const std::string& detail);

  // Appends inside the caller's transaction, so the entry commits with the change it records.
  // kInvalidArgument if actor or action is empty. kConflict if the store assigned a seq other
  // than last + 1 because another writer got there first (retry the transaction). kDataLoss if
  // the store's seq ran ahead of the stored entries for any other reason (entries at the end of
  // the log were removed). kFailedPrecondition if the newest entry is an unkeyed one (a trail
  // from before the key that was never sealed, or one rebuilt without the key: see
  // sealUnkeyed()). Store and key errors pass through.
  Result<std::int64_t> appendIn(StoreTransaction& tx, const std::string& actor,
                                const std::string& action, const std::string& subject,
                                const std::string& detail);

  // Entries with seq > after_seq in order, at most limit (1..1000). Store errors pass through.
  Result<std::vector<AuditEntry>> list(std::int64_t after_seq, int limit);

  // Entries matching `query`, newest first. Reads the log backwards in pages of
  // options.page_size and stops after `limit` matches, at the oldest entry, at an entry older
  // than query.from (seq order is time order: entries are appended with the clock's time), or
  // after options.search_budget entries were read — then next_before_seq says where to go on
  // (a page may hold fewer than `limit` entries without being the last). kInvalidArgument for a
  // limit outside 1..1000. Store errors pass through.
  Result<AuditPage> search(const AuditQuery& query);

  // Walks the whole log in seq order and reports the first bad entry: a missing seq (removed),
  // a hash that does not match the content (altered), or a prev_hash that names an entry
  // stored later (reordered). Returns a report; fails only when the store fails.
  Result<AuditVerification> verify();

  // The one-time upgrade step for a trail written before the audit key: if every stored entry
  // is a plain SHA-256 entry and their chain is whole, appends the keyed checkpoint (actor
  // `actor`, action kAuditSealAction, subject "audit", detail {"sealed_seq", "sealed_head",
  // "key_id"}) that seals the old head, and returns it. kFailedPrecondition if the trail is
  // empty or already holds keyed entries (nothing to seal); kDataLoss, naming the entry, if
  // the old chain is broken. A trail rebuilt without the key looks like an old one: run this
  // only when upgrading, after comparing the head it reports with one recorded before.
  Result<AuditEntry> sealUnkeyed(const std::string& actor);

 private:
  Store& store_;
  const Clock& clock_;
  const AuditKey& key_;
  AuditTrailOptions options_;
  std::mutex append_mu_;
};

}  // namespace cardline
