#include <utility>

#include "mes/core/domain.h"

namespace cardline {
namespace {

// One table per enum, used both ways.
template <typename E, std::size_t N>
const char* lookupName(const std::pair<E, const char*> (&table)[N], E v) {
  for (const auto& entry : table) {
    if (entry.first == v) return entry.second;
  }
  return "?";
}

template <typename E, std::size_t N>
Result<E> lookupValue(const std::pair<E, const char*> (&table)[N], std::string_view s,
                      const char* what) {
  std::string accepted;
  for (const auto& entry : table) {
    if (s == entry.second) return entry.first;
    if (!accepted.empty()) accepted += ", ";
    accepted += entry.second;
  }
  return invalidArgument("unknown " + std::string(what) + " \"" + std::string(s) +
                         "\" (expected one of: " + accepted + ")");
}

const std::pair<CardModel, const char*> kCardModels[] = {
    {CardModel::kCccd2021, "cccd-2021"}, {CardModel::kCanCuoc2024, "can-cuoc-2024"}};
const std::pair<RequestType, const char*> kRequestTypes[] = {
    {RequestType::kNew, "new"},
    {RequestType::kRenewal, "renewal"},
    {RequestType::kReplacement, "replacement"}};
const std::pair<Priority, const char*> kPriorities[] = {{Priority::kNormal, "normal"},
                                                        {Priority::kUrgent, "urgent"}};
const std::pair<Sex, const char*> kSexes[] = {{Sex::kMale, "M"}, {Sex::kFemale, "F"}};
const std::pair<StationType, const char*> kStationTypes[] = {{StationType::kPrint, "print"},
                                                             {StationType::kEncode, "encode"},
                                                             {StationType::kQa, "qa"},
                                                             {StationType::kDispatch, "dispatch"}};
const std::pair<ApplicationState, const char*> kApplicationStates[] = {
    {ApplicationState::kQueued, "queued"},
    {ApplicationState::kHeld, "held"},
    {ApplicationState::kCancelled, "cancelled"},
    {ApplicationState::kCompleted, "completed"}};
const std::pair<CardState, const char*> kCardStates[] = {
    {CardState::kPersonalised, "personalised"}, {CardState::kGood, "good"},
    {CardState::kSpoiled, "spoiled"},           {CardState::kDispatched, "dispatched"},
    {CardState::kDelivered, "delivered"}};
const std::pair<JobState, const char*> kJobStates[] = {
    {JobState::kReady, "ready"}, {JobState::kLeased, "leased"}, {JobState::kDone, "done"}};
const std::pair<DeviceState, const char*> kDeviceStates[] = {{DeviceState::kIdle, "idle"},
                                                             {DeviceState::kBusy, "busy"},
                                                             {DeviceState::kFault, "fault"},
                                                             {DeviceState::kOffline, "offline"}};

const std::pair<Role, const char*> kRoles[] = {
    {Role::kOperator, "operator"}, {Role::kSupervisor, "supervisor"}, {Role::kLogistics, "logistics"},
    {Role::kManager, "manager"},   {Role::kAuditor, "auditor"},       {Role::kAdmin, "admin"}};

}  // namespace

const char* name(Role v) { return lookupName(kRoles, v); }
Result<Role> parseRole(std::string_view s) { return lookupValue(kRoles, s, "role"); }
const char* name(CardModel v) { return lookupName(kCardModels, v); }
const char* name(RequestType v) { return lookupName(kRequestTypes, v); }
const char* name(Priority v) { return lookupName(kPriorities, v); }
const char* name(Sex v) { return lookupName(kSexes, v); }
const char* name(StationType v) { return lookupName(kStationTypes, v); }
const char* name(ApplicationState v) { return lookupName(kApplicationStates, v); }
const char* name(CardState v) { return lookupName(kCardStates, v); }
const char* name(JobState v) { return lookupName(kJobStates, v); }
const char* name(DeviceState v) { return lookupName(kDeviceStates, v); }

Result<CardModel> parseCardModel(std::string_view s) {
  return lookupValue(kCardModels, s, "card model");
}
Result<RequestType> parseRequestType(std::string_view s) {
  return lookupValue(kRequestTypes, s, "request type");
}
Result<Priority> parsePriority(std::string_view s) { return lookupValue(kPriorities, s, "priority"); }
Result<Sex> parseSex(std::string_view s) { return lookupValue(kSexes, s, "sex"); }
Result<StationType> parseStationType(std::string_view s) {
  return lookupValue(kStationTypes, s, "station type");
}
Result<ApplicationState> parseApplicationState(std::string_view s) {
  return lookupValue(kApplicationStates, s, "application state");
}
Result<CardState> parseCardState(std::string_view s) {
  return lookupValue(kCardStates, s, "card state");
}
Result<JobState> parseJobState(std::string_view s) { return lookupValue(kJobStates, s, "job state"); }
Result<DeviceState> parseDeviceState(std::string_view s) {
  return lookupValue(kDeviceStates, s, "device state");
}

}  // namespace cardline
