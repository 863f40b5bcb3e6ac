#pragma once
// The factory's nouns as plain value types: applications, persons, cards, station jobs,
// events, devices. No behaviour beyond naming; rules live in workflow/, intake/, document/.
// Every enum has one name table (names.cc) used both to parse and to print.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/clock.h"
#include "mes/base/date.h"
#include "mes/base/status.h"

namespace cardline {

enum class CardModel { kCccd2021, kCanCuoc2024 };          // "cccd-2021", "can-cuoc-2024"
enum class RequestType { kNew, kRenewal, kReplacement };    // "new", "renewal", "replacement"
enum class Priority { kNormal, kUrgent };                   // "normal", "urgent"
enum class Sex { kMale, kFemale };                          // "M", "F"
enum class StationType { kPrint, kEncode, kQa, kDispatch }; // "print", "encode", "qa", "dispatch"

// Where an application is in production. The fine-grained position is the workflow step.
enum class ApplicationState {
  kQueued,        // "queued": accepted, waiting for or moving through stations
  kHeld,          // "held": stopped for a supervisor
  kCancelled,     // "cancelled": terminal
  kCompleted,     // "completed": terminal (delivered, or the workflow's final step)
};

// A physical card = one blank serial, bound to an application at print ("late binding").
enum class CardState {
  kPersonalised,  // "personalised": printed (and possibly encoded), still in the line
  kGood,          // "good": passed QA
  kSpoiled,       // "spoiled": voided with a reason
  kDispatched,    // "dispatched": packed into a box
  kDelivered,     // "delivered"
};

enum class JobState { kReady, kLeased, kDone };  // "ready", "leased", "done"

const char* name(CardModel v);
const char* name(RequestType v);
const char* name(Priority v);
const char* name(Sex v);
const char* name(StationType v);
const char* name(ApplicationState v);
const char* name(CardState v);
const char* name(JobState v);

// Parse the names above; fail with kInvalidArgument listing the accepted names.
Result<CardModel> parseCardModel(std::string_view s);
Result<RequestType> parseRequestType(std::string_view s);
Result<Priority> parsePriority(std::string_view s);
Result<Sex> parseSex(std::string_view s);
Result<StationType> parseStationType(std::string_view s);
Result<ApplicationState> parseApplicationState(std::string_view s);
Result<CardState> parseCardState(std::string_view s);
Result<JobState> parseJobState(std::string_view s);

// An image as received: format ("jpeg", "png", "wsq"...) and the encoded bytes.
struct Image {
  std::string format;
  Bytes data;
};

// The police unit that will hand the card to the citizen.
struct ReceivingUnit {
  std::string code;
  std::string name;
};

// Everything that identifies a person. Stored encrypted at rest (see PiiProtector).
struct Person {
  std::string full_name;
  Date date_of_birth;
  Sex sex = Sex::kMale;
  std::string nationality;  // ISO 3166 alpha-3
  std::string ethnicity;
  std::string religion;
  std::string place_of_origin;              // 2021 model
  std::string place_of_birth_registration;  // 2024 model
  std::string place_of_residence;
  std::string identifying_marks;  // 2021 model
  std::string father_name;        // 2024 model, optional
  std::string mother_name;        // 2024 model, optional
  std::string old_id_number;      // 9 digits, optional
  Image photo;
  std::optional<Image> fingerprint_left_index;   // 2021 model
  std::optional<Image> fingerprint_right_index;  // 2021 model
};

// An approved application and its production position.
struct Application {
  // From intake.
  std::string id;            // application_id, unique
  std::string approval_ref;
  Timestamp approved_at;
  CardModel card_model = CardModel::kCccd2021;
  RequestType request_type = RequestType::kNew;
  Priority priority = Priority::kNormal;
  std::string personal_number;  // 12 digits
  Date issue_date;
  ReceivingUnit receiving_unit;
  Person person;
  std::string content_hash;  // hex SHA-256 of the canonical intake record (idempotent import)

  // Production position, owned by the workflow engine.
  std::string workflow;  // "name@version" fixed at start
  std::string step;      // current step name
  ApplicationState state = ApplicationState::kQueued;
  std::int64_t revision = 0;  // bumped by every change; conditional updates compare it
  Timestamp received_at;
  Timestamp print_due;     // service level: receipt → print
  Timestamp dispatch_due;  // service level: print → dispatch (set when printed)
};

struct Card {
  std::string serial;  // blank serial
  std::string application_id;
  CardState state = CardState::kPersonalised;
  std::string spoil_reason;  // defect code when spoiled
  std::string spoil_station;
  std::string signer_id;  // Document Signer that signed the chip
  Timestamp created_at;
  Timestamp updated_at;
};

// One unit of work for one station type. Results are idempotent by (id, attempt).
struct StationJob {
  std::int64_t id = 0;
  std::string application_id;
  StationType station = StationType::kPrint;
  std::string step;  // workflow step that created it
  int attempt = 1;
  JobState state = JobState::kReady;
  Priority priority = Priority::kNormal;
  Timestamp due;                   // service-level deadline used for ordering
  std::string receiving_unit;      // for grouping cards per box
  std::string province;            // for fairness across provinces
  std::string device_id;           // set while leased
  std::string node_id;             // the serve node holding the lease
  Timestamp lease_expires;         // valid while leased
  std::string outcome;             // "ok" or a defect code, once done
  Timestamp created_at;
};

// An entry of the append-only history. Appended in the same transaction as the change it
// records.
struct Event {
  std::int64_t seq = 0;  // assigned by the store, increasing
  Timestamp at;
  std::string subject_type;  // "application", "card", "job", "device", "box", "shipment", ...
  std::string subject_id;
  std::string kind;          // "imported", "printed", "spoiled", "held", ...
  std::string actor;         // user name, "device:ID" or "system"
  std::string detail;        // JSON object text
};

enum class DeviceState { kIdle, kBusy, kFault, kOffline };  // "idle","busy","fault","offline"
const char* name(DeviceState v);
Result<DeviceState> parseDeviceState(std::string_view s);

struct Device {
  std::string id;
  StationType station = StationType::kPrint;
  DeviceState state = DeviceState::kOffline;
  std::string public_key;  // Z85 CURVE public key on the allow-list; empty if not enrolled
  std::string node_id;
  std::string current_job;
  Timestamp last_heartbeat;
  std::int64_t jobs_done = 0;
  std::int64_t jobs_failed = 0;
};

}  // namespace cardline

namespace cardline {

enum class Role { kOperator, kSupervisor, kLogistics, kManager, kAuditor, kAdmin };
const char* name(Role v);  // "operator", "supervisor", "logistics", "manager", "auditor", "admin"
Result<Role> parseRole(std::string_view s);

struct User {
  std::string name;  // unique login name
  std::string display_name;
  std::vector<Role> roles;
  std::string password_hash;  // self-describing hash string (algorithm, parameters, salt, hash)
  bool disabled = false;
  int failed_logins = 0;
  Timestamp locked_until;  // zero when not locked
  Timestamp created_at;
};

// One entry of the hash-chained audit trail. hash = SHA-256 over prev_hash and the entry's
// canonical text (see mes/security); the store only keeps the order.
struct AuditEntry {
  std::int64_t seq = 0;  // assigned by the store: 1, 2, 3 ... without gaps
  Timestamp at;
  std::string actor;   // user name, "device:ID" or "system"
  std::string action;  // "user.add", "application.hold", ...
  std::string subject;
  std::string detail;  // JSON object text
  std::string prev_hash;
  std::string hash;
};

}  // namespace cardline
