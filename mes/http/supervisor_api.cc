#include "mes/http/supervisor_api.h"

#include <algorithm>
#include <cstdlib>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "mes/base/date.h"
#include "mes/workflow/service_level.h"
#include "mes/security/access_policy.h"

namespace cardline {
namespace {

// The string fields of a JSON object body; kInvalidArgument if it is not one.
Result<std::map<std::string, std::string>> bodyStrings(const HttpRequest& request) {
  std::map<std::string, std::string> fields;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(request.body.empty() ? "{}" : request.body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
      return invalidArgument("the body is not a JSON object");
    }
    Poco::JSON::Object::Ptr object = parsed.extract<Poco::JSON::Object::Ptr>();
    if (object.isNull()) return invalidArgument("the body is not a JSON object");
    for (const auto& [key, value] : *object) {
      if (value.isString()) fields[key] = value.extract<std::string>();
    }
  } catch (const Poco::Exception& e) {
    return invalidArgument("the body is not JSON: " + e.displayText());
  }
  return fields;
}

std::string field(const std::map<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? "" : it->second;
}

// The text value of "key" in a flat JSON object text, or "" (event details the engine wrote).
std::string detailText(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  const std::size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  std::string out;
  for (std::size_t i = at + needle.size(); i < json.size(); ++i) {
    const char c = json[i];
    if (c == '\\' && i + 1 < json.size()) {
      out += json[++i];
      continue;
    }
    if (c == '"') break;
    out += c;
  }
  return out;
}

struct HoldInfo {
  std::string kind;
  std::string actor;
  std::string reason;
  Timestamp at;
};

}  // namespace

SubmittedSupervisorCommands::SubmittedSupervisorCommands(EngineCommandSubmitter submit)
    : submit_(std::move(submit)) {}

Status SubmittedSupervisorCommands::run(EngineCommand command) {
  if (!submit_) return failedPrecondition("no line controller to run supervisor actions");
  std::future<Status> done = submit_(std::move(command));
  return done.get();
}

Status SubmittedSupervisorCommands::hold(const SupervisorAction& action) {
  return run([action](StoreTransaction& tx, Engine& engine) { return engine.hold(tx, action); });
}

Status SubmittedSupervisorCommands::release(const SupervisorAction& action) {
  return run([action](StoreTransaction& tx, Engine& engine) { return engine.release(tx, action); });
}

Status SubmittedSupervisorCommands::cancel(const SupervisorAction& action) {
  return run([action](StoreTransaction& tx, Engine& engine) { return engine.cancel(tx, action); });
}

Status SubmittedSupervisorCommands::prioritise(const SupervisorAction& action, Priority priority) {
  return run([action, priority](StoreTransaction& tx, Engine& engine) {
    return engine.prioritise(tx, action, priority);
  });
}

Result<ResultEffect> SubmittedSupervisorCommands::rejectCard(const CardRejection& rejection) {
  ResultEffect effect;
  Status done = run([rejection, &effect](StoreTransaction& tx, Engine& engine) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(effect, engine.rejectCard(tx, rejection));
    return Status::ok();
  });
  if (!done.isOk()) return done;
  return effect;
}

SupervisorApi::SupervisorApi(Store& store, AuditTrail& audit, SupervisorCommands& commands,
                             FaultClearer clear_fault, SupervisorApiOptions options)
    : store_(store),
      audit_(audit),
      commands_(commands),
      clear_fault_(std::move(clear_fault)),
      options_(options) {}

Status SupervisorApi::registerRoutes(Router& router) { return registerWith(router, nullptr); }

Status SupervisorApi::registerWith(Router& router, std::shared_ptr<const void> keep) {
  struct ActionRoute {
    const char* verb;
    Action action;
  };
  const ActionRoute actions[] = {{"hold", Action::kHoldApplication},
                                 {"release", Action::kHoldApplication},
                                 {"cancel", Action::kCancelApplication},
                                 {"prioritise", Action::kHoldApplication}};
  for (const ActionRoute& route : actions) {
    const std::string verb = route.verb;
    CARDLINE_RETURN_IF_ERROR(
        router.add({HttpMethod::kPost, "/api/v1/applications/{id}/" + verb, Effect::kChangesState,
                    Guard::kSession, route.action,
                    [this, keep, verb](const HttpRequest& request, const Caller& caller) {
                      return act(request, caller, verb);
                    }}));
  }
  CARDLINE_RETURN_IF_ERROR(router.add(
      {HttpMethod::kGet, "/api/v1/applications", Effect::kReadOnly, Guard::kSession,
       Action::kViewQueue, [this, keep](const HttpRequest& request, const Caller& caller) {
         return listApplications(request, caller);
       }}));
  CARDLINE_RETURN_IF_ERROR(router.add(
      {HttpMethod::kPost, "/api/v1/cards/{serial}/reject", Effect::kChangesState,
       Guard::kSession, Action::kConfirmStep,
       [this, keep](const HttpRequest& request, const Caller& caller) {
         return rejectCard(request, caller);
       }}));
  CARDLINE_RETURN_IF_ERROR(router.add(
      {HttpMethod::kGet, "/api/v1/breaches", Effect::kReadOnly, Guard::kSession,
       Action::kViewQueue, [this, keep](const HttpRequest& request, const Caller& caller) {
         return listBreaches(request, caller);
       }}));
  return router.add({HttpMethod::kPost, "/api/v1/devices/{id}/clear-fault", Effect::kChangesState,
                     Guard::kSession, Action::kClearFault,
                     [this, keep](const HttpRequest& request, const Caller& caller) {
                       return clearFault(request, caller);
                     }});
}

HttpResponse SupervisorApi::act(const HttpRequest& request, const Caller& caller,
                                const std::string& action) {
  Result<std::map<std::string, std::string>> body = bodyStrings(request);
  if (!body.isOk()) return HttpResponse::fromStatus(body.status());
  SupervisorAction command;
  command.application_id = request.path_params.at("id");
  command.actor = caller.user;
  command.reason = field(*body, "reason");
  if (command.reason.empty()) {
    return HttpResponse::error(400, "invalid_argument", "a reason is required");
  }
  std::string detail = "{\"reason\":" + jsonQuote(command.reason);
  Status done = Status::ok();
  if (action == "hold") {
    done = commands_.hold(command);
  } else if (action == "release") {
    done = commands_.release(command);
  } else if (action == "cancel") {
    done = commands_.cancel(command);
  } else {
    Result<Priority> priority = parsePriority(field(*body, "priority"));
    if (!priority.isOk()) return HttpResponse::fromStatus(priority.status());
    detail += ",\"priority\":" + jsonQuote(name(*priority));
    done = commands_.prioritise(command, *priority);
  }
  detail += "}";
  if (!done.isOk()) {
    if (done.code() == ErrorCode::kFailedPrecondition) {
      return HttpResponse::error(409, "failed_precondition", done.message());
    }
    return HttpResponse::fromStatus(done);
  }
  auto audited =
      audit_.append(caller.user, "application." + action, command.application_id, detail);
  if (!audited.isOk()) return HttpResponse::fromStatus(audited.status());

  std::string state;
  Status read = store_.transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(Application application,
                              tx.applications().find(command.application_id));
    state = name(application.state);
    return Status::ok();
  });
  if (!read.isOk()) return HttpResponse::fromStatus(read);
  return HttpResponse::json(200, "{\"id\":" + jsonQuote(command.application_id) + ",\"action\":" +
                                     jsonQuote(action) + ",\"state\":" + jsonQuote(state) + "}");
}

HttpResponse SupervisorApi::listApplications(const HttpRequest& request, const Caller& caller) {
  auto state_it = request.query.find("state");
  if (state_it == request.query.end() || state_it->second != "held") {
    return HttpResponse::error(400, "invalid_argument",
                               "state=held is required (the only listing supported)");
  }
  // Newest event per application that puts it on hold or takes it off, in seq order (other
  // events, say a device's superseded result after a supervisor's hold, say nothing of who
  // held it).
  std::map<std::string, HoldInfo> newest;
  bool truncated = false;
  std::int64_t cursor = 0;
  std::int64_t scanned = 0;
  constexpr int kPage = 1000;
  while (true) {
    std::vector<Event> page;
    Status read = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(page, tx.events().after(cursor, kPage));
      return Status::ok();
    });
    if (!read.isOk()) return HttpResponse::fromStatus(read);
    for (const Event& event : page) {
      cursor = event.seq;
      if (event.subject_type != "application") continue;
      static const char* const kHoldKinds[] = {"held", "no_route", "blank_refused", "released",
                                                "cancelled", "started"};
      bool hold_kind = false;
      for (const char* kind : kHoldKinds) hold_kind = hold_kind || event.kind == kind;
      if (!hold_kind) continue;
      newest[event.subject_id] = {event.kind, event.actor, detailText(event.detail, "reason"),
                                  event.at};
    }
    scanned += static_cast<std::int64_t>(page.size());
    if (static_cast<int>(page.size()) < kPage) break;
    if (scanned >= options_.max_event_scan) {
      truncated = true;
      break;
    }
  }
  const bool full = piiViewFor(caller.roles) == PiiView::kFull;
  std::ostringstream out;
  out << "{\"applications\":[";
  int listed = 0;
  for (const auto& [id, info] : newest) {
    if (info.kind == "released" || info.kind == "cancelled" || info.kind == "started") continue;
    if (listed >= options_.max_listed) {
      truncated = true;
      break;
    }
    Application application;
    Status read = store_.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(application, tx.applications().find(id));
      return Status::ok();
    });
    if (read.code() == ErrorCode::kNotFound) continue;
    if (!read.isOk()) return HttpResponse::fromStatus(read);
    if (application.state != ApplicationState::kHeld) continue;
    const bool by_person = info.kind == "held";
    out << (listed ? "," : "") << "{\"id\":" << jsonQuote(application.id)
        << ",\"step\":" << jsonQuote(application.step)
        << ",\"state\":" << jsonQuote(name(application.state))
        << ",\"priority\":" << jsonQuote(name(application.priority))
        << ",\"card_model\":" << jsonQuote(name(application.card_model)) << ",\"full_name\":"
        << jsonQuote(full ? application.person.full_name : maskName(application.person.full_name))
        << ",\"personal_number\":"
        << jsonQuote(full ? application.personal_number
                          : maskPersonalNumber(application.personal_number))
        << ",\"held_by\":" << jsonQuote(info.actor)
        << ",\"held_at\":" << jsonQuote(formatIsoTimestamp(info.at))
        << ",\"reason\":" << jsonQuote(by_person ? info.reason : info.kind) << "}";
    ++listed;
  }
  out << "],\"personal_data\":" << (full ? "\"full\"" : "\"masked\"")
      << ",\"truncated\":" << (truncated ? "true" : "false") << "}";
  return HttpResponse::json(200, out.str());
}

HttpResponse SupervisorApi::rejectCard(const HttpRequest& request, const Caller& caller) {
  Result<std::map<std::string, std::string>> body = bodyStrings(request);
  if (!body.isOk()) return HttpResponse::fromStatus(body.status());
  CardRejection rejection;
  rejection.serial = request.path_params.at("serial");
  rejection.reason = field(*body, "reason");
  rejection.station = field(*body, "station");
  rejection.actor = caller.user;
  if (rejection.reason.empty() || rejection.station.empty()) {
    return HttpResponse::error(400, "invalid_argument",
                               "a reason and the station where the card was found are required");
  }
  Result<ResultEffect> done = commands_.rejectCard(rejection);
  if (!done.isOk()) {
    if (done.status().code() == ErrorCode::kFailedPrecondition) {
      return HttpResponse::error(409, "failed_precondition", done.status().message());
    }
    return HttpResponse::fromStatus(done.status());
  }
  auto audited = audit_.append(
      caller.user, "card.reject", rejection.serial,
      "{\"reason\":" + jsonQuote(rejection.reason) + ",\"station\":" +
          jsonQuote(rejection.station) + ",\"application\":" + jsonQuote(done->application_id) +
          "}");
  if (!audited.isOk()) return HttpResponse::fromStatus(audited.status());
  return HttpResponse::json(
      200, "{\"serial\":" + jsonQuote(rejection.serial) + ",\"application_id\":" +
               jsonQuote(done->application_id) + ",\"from_step\":" + jsonQuote(done->from_step) +
               ",\"to_step\":" + jsonQuote(done->to_step) + ",\"state\":" +
               jsonQuote(name(done->state)) + "}");
}

HttpResponse SupervisorApi::listBreaches(const HttpRequest& request, const Caller& caller) {
  int limit = options_.max_listed;
  if (auto it = request.query.find("limit"); it != request.query.end()) {
    char* end = nullptr;
    const long parsed = std::strtol(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || parsed < 1 || parsed > options_.max_listed) {
      return HttpResponse::error(400, "invalid_argument",
                                 "limit must be a whole number from 1 to " +
                                     std::to_string(options_.max_listed));
    }
    limit = static_cast<int>(parsed);
  }
  SystemClock system_clock;
  const Timestamp now = (options_.clock != nullptr ? *options_.clock : system_clock).now();
  struct Row {
    Application application;
    Breach breach;
  };
  std::vector<Row> rows;
  bool truncated = false;
  Status read = store_.transact([&](StoreTransaction& tx) -> Status {
    rows.clear();
    CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                              tx.applications().pastDue(now, limit + 1));
    truncated = static_cast<int>(ids.size()) > limit;
    if (truncated) ids.resize(static_cast<std::size_t>(limit));
    for (const std::string& id : ids) {
      CARDLINE_ASSIGN_OR_RETURN(Application application, tx.applications().find(id));
      CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards, tx.cards().forApplication(id));
      for (Breach& breach : openBreaches(application, cards, now)) {
        rows.push_back(Row{application, std::move(breach)});
      }
    }
    return Status::ok();
  });
  if (!read.isOk()) return HttpResponse::fromStatus(read);
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.breach.overdue_seconds > b.breach.overdue_seconds;
  });
  const bool full = piiViewFor(caller.roles) == PiiView::kFull;
  std::ostringstream out;
  out << "{\"now\":" << jsonQuote(formatIsoTimestamp(now)) << ",\"breaches\":[";
  bool first = true;
  for (const Row& row : rows) {
    const Application& a = row.application;
    out << (first ? "" : ",") << "{\"application_id\":" << jsonQuote(a.id)
        << ",\"level\":" << jsonQuote(name(row.breach.level))
        << ",\"due\":" << jsonQuote(formatIsoTimestamp(row.breach.due))
        << ",\"overdue_seconds\":" << row.breach.overdue_seconds
        << ",\"step\":" << jsonQuote(a.step) << ",\"state\":" << jsonQuote(name(a.state))
        << ",\"priority\":" << jsonQuote(name(a.priority))
        << ",\"receiving_unit\":" << jsonQuote(a.receiving_unit.code) << ",\"full_name\":"
        << jsonQuote(full ? a.person.full_name : maskName(a.person.full_name)) << "}";
    first = false;
  }
  out << "],\"personal_data\":" << (full ? "\"full\"" : "\"masked\"")
      << ",\"truncated\":" << (truncated ? "true" : "false") << "}";
  return HttpResponse::json(200, out.str());
}

HttpResponse SupervisorApi::clearFault(const HttpRequest& request, const Caller& caller) {
  Result<std::map<std::string, std::string>> body = bodyStrings(request);
  if (!body.isOk()) return HttpResponse::fromStatus(body.status());
  const std::string device_id = request.path_params.at("id");
  const std::string reason = field(*body, "reason");

  bool forwarded = false;
  bool link_knows = false;
  std::string link_message;
  if (clear_fault_) {
    Status told = clear_fault_(device_id, caller.user, reason);
    forwarded = told.isOk();
    link_knows = told.code() != ErrorCode::kNotFound;
    if (!told.isOk()) link_message = told.message();
  } else {
    link_message = "the device link cannot clear faults";
  }

  std::string before;
  std::string after;
  Status stored = store_.transact([&](StoreTransaction& tx) {
    Result<Device> device = tx.devices().find(device_id);
    if (device.status().code() == ErrorCode::kNotFound) return Status::ok();
    CARDLINE_RETURN_IF_ERROR(device.status());
    before = name(device->state);
    if (device->state == DeviceState::kFault) {
      device->state = DeviceState::kIdle;
      CARDLINE_RETURN_IF_ERROR(tx.devices().upsert(*device));
    }
    after = name(device->state);
    return Status::ok();
  });
  if (!stored.isOk()) return HttpResponse::fromStatus(stored);
  if (before.empty() && !link_knows) {
    return HttpResponse::error(404, "not_found", "no device " + device_id);
  }
  auto audited =
      audit_.append(caller.user, "device.clear_fault", device_id,
                    "{\"reason\":" + jsonQuote(reason) + ",\"state_before\":" + jsonQuote(before) +
                        ",\"forwarded\":" + (forwarded ? "true" : "false") + "}");
  if (!audited.isOk()) return HttpResponse::fromStatus(audited.status());
  return HttpResponse::json(200, "{\"id\":" + jsonQuote(device_id) + ",\"state_before\":" +
                                     jsonQuote(before) + ",\"state\":" + jsonQuote(after) +
                                     ",\"forwarded\":" + (forwarded ? "true" : "false") +
                                     ",\"link_message\":" + jsonQuote(link_message) + "}");
}

Status registerSupervisorRoutes(Router& router, Store& store, AuditTrail& audit,
                                std::shared_ptr<SupervisorCommands> commands,
                                FaultClearer clear_fault) {
  if (!commands) return invalidArgument("registerSupervisorRoutes needs commands");
  auto api = std::make_shared<SupervisorApi>(store, audit, *commands, std::move(clear_fault));
  SupervisorApi* raw = api.get();
  auto keep = std::make_shared<
      std::pair<std::shared_ptr<SupervisorCommands>, std::shared_ptr<SupervisorApi>>>(
      std::move(commands), std::move(api));
  return raw->registerWith(router, std::move(keep));
}

}  // namespace cardline
