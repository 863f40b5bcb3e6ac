#include "mes/security/access_policy.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace cardline {
namespace {

struct ActionRule {
  Action action;
  const char* name;
  std::initializer_list<Role> roles;
};

// The one table: action, its name, the roles that may perform it. Least privilege: admin
// manages accounts, not production; auditors read and verify the trail, nothing else.
const ActionRule kRules[] = {
    {Action::kViewOwnAccount, "account.view",
     {Role::kOperator, Role::kSupervisor, Role::kLogistics, Role::kManager, Role::kAuditor,
      Role::kAdmin}},
    {Action::kViewQueue, "queue.view",
     {Role::kOperator, Role::kSupervisor, Role::kLogistics, Role::kManager}},
    {Action::kConfirmStep, "station.confirm", {Role::kOperator, Role::kSupervisor}},
    {Action::kClearFault, "device.clear_fault", {Role::kOperator, Role::kSupervisor}},
    {Action::kHoldApplication, "application.hold", {Role::kSupervisor}},
    {Action::kCancelApplication, "application.cancel", {Role::kSupervisor}},
    {Action::kApproveDestruction, "card.destroy", {Role::kSupervisor}},
    {Action::kCloseShift, "shift.close", {Role::kSupervisor}},
    {Action::kManageBlanks, "blanks.manage", {Role::kSupervisor}},
    {Action::kManageShipments, "shipment.manage", {Role::kLogistics}},
    {Action::kTraceCard, "card.trace", {Role::kSupervisor, Role::kLogistics}},
    {Action::kViewReports, "report.view", {Role::kSupervisor, Role::kManager, Role::kAuditor}},
    {Action::kViewPersonalData, "pii.view", {Role::kSupervisor, Role::kLogistics}},
    {Action::kReadAudit, "audit.read", {Role::kAuditor, Role::kAdmin}},
    {Action::kVerifyAudit, "audit.verify", {Role::kAuditor, Role::kAdmin}},
    {Action::kManageUsers, "user.manage", {Role::kAdmin}},
    {Action::kImportApplications, "application.import", {Role::kSupervisor, Role::kAdmin}},
};

const ActionRule* ruleFor(Action action) {
  for (const auto& rule : kRules) {
    if (rule.action == action) return &rule;
  }
  return nullptr;
}

// Splits UTF-8 text into code points (as byte strings). Invalid bytes count as one each.
std::vector<std::string> codePoints(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0) {
      length = 2;
    }
    length = std::min(length, text.size() - i);
    out.emplace_back(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace

const char* name(Action action) {
  const ActionRule* rule = ruleFor(action);
  return rule == nullptr ? "?" : rule->name;
}

Result<Action> parseAction(std::string_view s) {
  std::string accepted;
  for (const auto& rule : kRules) {
    if (s == rule.name) return rule.action;
    if (!accepted.empty()) accepted += ", ";
    accepted += rule.name;
  }
  return invalidArgument("unknown action \"" + std::string(s) + "\" (expected one of: " +
                         accepted + ")");
}

const std::vector<Action>& allActions() {
  static const std::vector<Action> actions = [] {
    std::vector<Action> all;
    for (const auto& rule : kRules) all.push_back(rule.action);
    return all;
  }();
  return actions;
}

std::vector<Role> rolesPermitted(Action action) {
  const ActionRule* rule = ruleFor(action);
  if (rule == nullptr) return {};
  std::vector<Role> roles(rule->roles.begin(), rule->roles.end());
  std::sort(roles.begin(), roles.end());
  return roles;
}

bool permits(const std::vector<Role>& roles, Action action) {
  const ActionRule* rule = ruleFor(action);
  if (rule == nullptr) return false;
  for (Role held : roles) {
    for (Role allowed : rule->roles) {
      if (held == allowed) return true;
    }
  }
  return false;
}

Status checkPermission(const std::vector<Role>& roles, Action action) {
  if (permits(roles, action)) return Status::ok();
  return permissionDenied(std::string("your role does not permit ") + name(action));
}

Status checkPasswordChange(const std::string& actor, const std::vector<Role>& actor_roles,
                           const std::string& target) {
  if (permits(actor_roles, Action::kManageUsers)) return Status::ok();
  if (!actor.empty() && actor == target) return Status::ok();
  return permissionDenied("you may change only your own password");
}

PiiView piiViewFor(const std::vector<Role>& roles) {
  return permits(roles, Action::kViewPersonalData) ? PiiView::kFull : PiiView::kMasked;
}

std::string maskPersonalNumber(std::string_view number) {
  const bool twelve_digits =
      number.size() == 12 &&
      std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (twelve_digits) {
    return std::string(number.substr(0, 3)) + std::string(7, '*') + std::string(number.substr(10));
  }
  const auto points = codePoints(number);
  if (points.size() <= 2) return std::string(points.size(), '*');
  return points.front() + std::string(points.size() - 2, '*') + points.back();
}

std::string maskName(std::string_view full_name) {
  std::string out;
  bool at_word_start = true;
  for (const std::string& point : codePoints(full_name)) {
    const bool space = point == " " || point == "\t";
    if (space) {
      at_word_start = true;
      continue;
    }
    if (at_word_start) {
      if (!out.empty()) out += ' ';
      out += point + ".";
      at_word_start = false;
    }
  }
  return out;
}

std::string maskFreeText(std::string_view text) { return text.empty() ? "" : "***"; }

}  // namespace cardline
