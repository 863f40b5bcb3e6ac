#pragma once
// Role-based access: which role may perform which action, object-level rules, and how personal
// data is masked for roles that do not need it. One table (access_policy.cc) is the source of
// truth; docs/security.md prints it. Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

// Everything a user can ask the system to do. Names ("queue.view", ...) are stable: they
// appear in audit entries, the OpenAPI document and docs/security.md.
enum class Action {
  kViewOwnAccount,       // "account.view": who am I, my roles
  kViewQueue,            // "queue.view": queues, current jobs, devices
  kConfirmStep,          // "station.confirm": manual steps at a station (scan a serial)
  kClearFault,           // "device.clear_fault"
  kHoldApplication,      // "application.hold" / release
  kCancelApplication,    // "application.cancel"
  kApproveDestruction,   // "card.destroy": approve or witness destruction of spoiled cards
  kCloseShift,           // "shift.close"
  kManageBlanks,         // "blanks.manage": receive, issue, return, sample, spoil blank stock
  kManageShipments,      // "shipment.manage": boxes, manifests, hand-over, delivery
  kTraceCard,            // "card.trace": where is the card of citizen N
  kViewReports,          // "report.view"
  kViewPersonalData,     // "pii.view": see unmasked names and personal numbers
  kReadAudit,            // "audit.read"
  kVerifyAudit,          // "audit.verify"
  kManageUsers,          // "user.manage": add, change password, disable, list
  kImportApplications,   // "application.import": submit approved applications over the API
};

const char* name(Action action);
// Parses the names above; kInvalidArgument listing the accepted names.
Result<Action> parseAction(std::string_view s);
// Every action, in declaration order.
const std::vector<Action>& allActions();
// The roles that may perform `action`, in Role declaration order.
std::vector<Role> rolesPermitted(Action action);

// True when any of `roles` permits `action`.
bool permits(const std::vector<Role>& roles, Action action);
// OK when permits(roles, action); otherwise kPermissionDenied naming the action.
Status checkPermission(const std::vector<Role>& roles, Action action);

// Object-level rule for password changes: an account may change its own password (the caller
// must then prove the current one); kManageUsers may set anyone's. kPermissionDenied otherwise.
Status checkPasswordChange(const std::string& actor, const std::vector<Role>& actor_roles,
                           const std::string& target);

// How personal data is shown to a caller.
enum class PiiView { kFull, kMasked };
PiiView piiViewFor(const std::vector<Role>& roles);

// Masking rules (UTF-8 aware). A 12-digit personal number keeps its province code and the last
// two digits: "001099012345" -> "001*******45"; other strings keep at most their first and last
// character. A name keeps the first letter of each word: "Nguyễn Văn An" -> "N. V. A.".
// Free text (addresses, marks) becomes "***".
std::string maskPersonalNumber(std::string_view number);
std::string maskName(std::string_view full_name);
std::string maskFreeText(std::string_view text);

}  // namespace cardline
