#include "mes/http/access_api.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "mes/base/date.h"

namespace cardline {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string text(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(value, out);
  return out.str();
}

// Parses the request body as a JSON object; throws Poco exceptions on bad JSON (the handler
// wrappers turn them into 400).
Object::Ptr bodyObject(const HttpRequest& request) {
  Poco::JSON::Parser parser;
  Poco::Dynamic::Var parsed = parser.parse(request.body.empty() ? "{}" : request.body);
  Object::Ptr object = parsed.extract<Object::Ptr>();
  if (object.isNull()) throw Poco::InvalidArgumentException("the body is not a JSON object");
  return object;
}

std::string stringField(const Object::Ptr& object, const std::string& key) {
  if (!object->has(key)) return "";
  Poco::Dynamic::Var v = object->get(key);
  return v.isString() ? v.extract<std::string>() : "";
}

Array::Ptr rolesArray(const std::vector<Role>& roles) {
  Array::Ptr array = new Array;
  for (Role role : roles) array->add(std::string(name(role)));
  return array;
}

Object::Ptr userObject(const UserSummary& user) {
  Object::Ptr o = new Object;
  o->set("name", user.name);
  o->set("display_name", user.display_name);
  o->set("roles", rolesArray(user.roles));
  o->set("disabled", user.disabled);
  o->set("locked", user.locked);
  o->set("created_at", formatIsoTimestamp(user.created_at));
  return o;
}

HttpResponse badRequest(const std::string& message) {
  return HttpResponse::error(400, "invalid_argument", message);
}

// Runs a handler body, turning JSON and library exceptions into a JSON 400.
template <typename F>
HttpResponse guarded(F&& body) {
  try {
    return body();
  } catch (const Poco::Exception& e) {
    return badRequest("malformed request: " + e.displayText());
  }
}

}  // namespace

SessionAuthenticator::SessionAuthenticator(SessionTable& sessions, AccountService& accounts)
    : sessions_(sessions), accounts_(accounts) {}

Result<Caller> SessionAuthenticator::authenticate(const HttpRequest& request) {
  const std::string id = request.cookie(kSessionCookie);
  if (id.empty()) return permissionDenied("no session");
  // The live event stream is not a person's activity: it does not keep the session alive, so
  // a session whose only traffic is the stream idles out (and the stream's next reconnect,
  // within EventsApiOptions::max_connection, is refused).
  Result<Session> session = request.path == "/api/v1/events/stream" ? sessions_.peek(id)
                                                                      : sessions_.touch(id);
  if (!session.isOk()) return permissionDenied("session expired or unknown");
  Result<UserSummary> user = accounts_.find(session->user);
  if (!user.isOk()) {
    if (user.status().code() != ErrorCode::kNotFound) return user.status();
    sessions_.end(id);
    return permissionDenied("the account no longer exists");
  }
  if (user->disabled) {
    sessions_.endAllFor(user->name);
    return permissionDenied("the account is disabled");
  }
  Caller caller;
  caller.user = user->name;
  caller.roles = user->roles;
  caller.session_id = id;
  caller.csrf_token = session->csrf_token;
  return caller;
}

AccessApi::AccessApi(AccountService& accounts, SessionTable& sessions, AuditTrail& audit,
                     AccessApiOptions options)
    : accounts_(accounts), sessions_(sessions), audit_(audit), options_(options) {}

Status AccessApi::registerRoutes(Router& router) {
  using H = HttpHandler;
  const H login = [this](const HttpRequest& r, const Caller&) { return this->login(r); };
  const H logout = [this](const HttpRequest& r, const Caller& c) { return this->logout(r, c); };
  const H me = [this](const HttpRequest&, const Caller& c) { return this->me(c); };
  const H users = [this](const HttpRequest&, const Caller&) { return listUsers(); };
  const H add = [this](const HttpRequest& r, const Caller& c) { return addUser(r, c); };
  const H passwd = [this](const HttpRequest& r, const Caller& c) { return changePassword(r, c); };
  const H disable = [this](const HttpRequest& r, const Caller& c) { return this->disable(r, c); };
  const H enable = [this](const HttpRequest& r, const Caller& c) { return this->enable(r, c); };
  const H audit = [this](const HttpRequest& r, const Caller&) { return listAudit(r); };
  const H verify = [this](const HttpRequest&, const Caller& c) { return verifyAudit(c); };
  const RouteSpec specs[] = {
      {HttpMethod::kPost, "/api/v1/session", Effect::kChangesState, Guard::kPublic, {}, login},
      {HttpMethod::kDelete, "/api/v1/session", Effect::kChangesState, Guard::kSession, {},
       logout},
      {HttpMethod::kGet, "/api/v1/me", Effect::kReadOnly, Guard::kSession,
       Action::kViewOwnAccount, me},
      {HttpMethod::kGet, "/api/v1/users", Effect::kReadOnly, Guard::kSession,
       Action::kManageUsers, users},
      {HttpMethod::kPost, "/api/v1/users", Effect::kChangesState, Guard::kSession,
       Action::kManageUsers, add},
      {HttpMethod::kPost, "/api/v1/users/{name}/password", Effect::kChangesState,
       Guard::kSession, Action::kViewOwnAccount, passwd},
      {HttpMethod::kPost, "/api/v1/users/{name}/disable", Effect::kChangesState, Guard::kSession,
       Action::kManageUsers, disable},
      {HttpMethod::kPost, "/api/v1/users/{name}/enable", Effect::kChangesState, Guard::kSession,
       Action::kManageUsers, enable},
      {HttpMethod::kGet, "/api/v1/audit", Effect::kReadOnly, Guard::kSession,
       Action::kReadAudit, audit},
      {HttpMethod::kPost, "/api/v1/audit/verify", Effect::kChangesState, Guard::kSession,
       Action::kVerifyAudit, verify},
  };
  for (const RouteSpec& spec : specs) CARDLINE_RETURN_IF_ERROR(router.add(spec));
  return Status::ok();
}

std::string AccessApi::sessionCookie(const std::string& value, long max_age_seconds) const {
  std::string cookie = std::string(kSessionCookie) + "=" + value +
                       "; HttpOnly; SameSite=Strict; Path=/";
  if (max_age_seconds >= 0) cookie += "; Max-Age=" + std::to_string(max_age_seconds);
  if (options_.cookie_security == CookieSecurity::kSecure) cookie += "; Secure";
  return cookie;
}

HttpResponse AccessApi::login(const HttpRequest& request) {
  return guarded([&] {
    Object::Ptr body = bodyObject(request);
    const std::string user_name = stringField(body, "name");
    const std::string password = stringField(body, "password");
    if (user_name.empty() || password.empty()) return badRequest("name and password are required");
    Result<UserSummary> user = accounts_.login(user_name, password, request.client_address);
    if (!user.isOk()) {
      if (user.status().code() == ErrorCode::kPermissionDenied) {
        // One of two fixed texts (accounts.h): the generic one, or "locked" for the owner.
        const bool locked = user.status().message() == kAccountLockedMessage;
        return HttpResponse::error(401, "unauthenticated",
                                   locked ? kAccountLockedMessage : kLoginFailedMessage);
      }
      return HttpResponse::fromStatus(user.status());
    }
    const std::string previous = request.cookie(kSessionCookie);
    if (!previous.empty()) sessions_.end(previous);  // never reuse a session id across logins
    Result<Session> session = sessions_.create(user->name, user->roles);
    if (!session.isOk()) return HttpResponse::fromStatus(session.status());
    Object::Ptr out = userObject(*user);
    out->set("csrf_token", session->csrf_token);
    out->set("expires_at", formatIsoTimestamp(session->expires_at));
    HttpResponse response = HttpResponse::json(200, text(out));
    response.headers.emplace_back("Set-Cookie", sessionCookie(session->id, -1));
    return response;
  });
}

HttpResponse AccessApi::logout(const HttpRequest&, const Caller& caller) {
  sessions_.end(caller.session_id);
  Result<std::int64_t> audited = audit_.append(caller.user, "user.logout", "user:" + caller.user,
                                               "{}");
  HttpResponse response = audited.isOk() ? HttpResponse::json(200, "{\"logged_out\":true}")
                                         : HttpResponse::fromStatus(audited.status());
  response.headers.emplace_back("Set-Cookie", sessionCookie("", 0));
  return response;
}

HttpResponse AccessApi::me(const Caller& caller) {
  Result<UserSummary> user = accounts_.find(caller.user);
  if (!user.isOk()) return HttpResponse::fromStatus(user.status());
  Object::Ptr out = userObject(*user);
  out->set("csrf_token", caller.csrf_token);
  Array::Ptr permitted = new Array;
  for (Action action : allActions()) {
    if (permits(caller.roles, action)) permitted->add(std::string(name(action)));
  }
  out->set("permissions", permitted);
  out->set("personal_data", piiViewFor(caller.roles) == PiiView::kFull ? "full" : "masked");
  return HttpResponse::json(200, text(out));
}

HttpResponse AccessApi::listUsers() {
  Result<std::vector<UserSummary>> users = accounts_.list();
  if (!users.isOk()) return HttpResponse::fromStatus(users.status());
  Array::Ptr array = new Array;
  for (const UserSummary& user : *users) array->add(userObject(user));
  Object::Ptr out = new Object;
  out->set("users", array);
  return HttpResponse::json(200, text(out));
}

HttpResponse AccessApi::addUser(const HttpRequest& request, const Caller& caller) {
  return guarded([&] {
    Object::Ptr body = bodyObject(request);
    std::vector<Role> roles;
    Array::Ptr role_names = body->getArray("roles");
    if (role_names.isNull()) return badRequest("roles must be an array of role names");
    for (std::size_t i = 0; i < role_names->size(); ++i) {
      Result<Role> role = parseRole(role_names->getElement<std::string>(static_cast<unsigned>(i)));
      if (!role.isOk()) return HttpResponse::fromStatus(role.status());
      roles.push_back(*role);
    }
    const std::string user_name = stringField(body, "name");
    Status added = accounts_.addUser(user_name, stringField(body, "display_name"), roles,
                                     stringField(body, "password"), caller.user);
    if (!added.isOk()) return HttpResponse::fromStatus(added);
    Result<UserSummary> user = accounts_.find(user_name);
    if (!user.isOk()) return HttpResponse::fromStatus(user.status());
    return HttpResponse::json(201, text(userObject(*user)));
  });
}

HttpResponse AccessApi::changePassword(const HttpRequest& request, const Caller& caller) {
  return guarded([&] {
    const std::string target = request.path_params.at("name");
    Status allowed = checkPasswordChange(caller.user, caller.roles, target);
    if (!allowed.isOk()) return HttpResponse::error(403, "forbidden", allowed.message());
    Object::Ptr body = bodyObject(request);
    if (!permits(caller.roles, Action::kManageUsers)) {
      // Changing one's own password: prove the current one (a stolen session is not enough).
      Status current = accounts_.checkCurrentPassword(target, stringField(body, "current_password"));
      if (!current.isOk()) return HttpResponse::error(403, "forbidden", current.message());
    }
    Status changed = accounts_.changePassword(target, stringField(body, "password"), caller.user);
    if (!changed.isOk()) return HttpResponse::fromStatus(changed);
    return HttpResponse::json(200, "{\"changed\":true}");
  });
}

HttpResponse AccessApi::disable(const HttpRequest& request, const Caller& caller) {
  const std::string target = request.path_params.at("name");
  if (target == caller.user) {
    return HttpResponse::error(409, "failed_precondition", "you cannot disable your own account");
  }
  Status disabled = accounts_.disable(target, caller.user);
  if (!disabled.isOk()) return HttpResponse::fromStatus(disabled);
  const int ended = sessions_.endAllFor(target);
  return HttpResponse::json(200, "{\"disabled\":true,\"sessions_ended\":" +
                                     std::to_string(ended) + "}");
}

HttpResponse AccessApi::enable(const HttpRequest& request, const Caller& caller) {
  Status enabled = accounts_.enable(request.path_params.at("name"), caller.user);
  if (!enabled.isOk()) return HttpResponse::fromStatus(enabled);
  return HttpResponse::json(200, "{\"enabled\":true}");
}

HttpResponse AccessApi::listAudit(const HttpRequest& request) {
  auto param = [&](const char* key) {
    auto found = request.query.find(key);
    return found == request.query.end() ? std::string() : found->second;
  };
  std::int64_t after = 0;
  std::int64_t before = 0;
  int limit = 100;
  try {
    if (!param("after").empty()) after = std::stoll(param("after"));
    if (!param("before").empty()) before = std::stoll(param("before"));
    if (!param("limit").empty()) limit = std::stoi(param("limit"));
  } catch (const std::exception&) {
    return badRequest("after, before and limit are integers");
  }
  std::vector<AuditEntry> listed;
  Object::Ptr out = new Object;
  if (request.query.count("after") > 0) {  // oldest first, unfiltered (the original listing)
    Result<std::vector<AuditEntry>> entries = audit_.list(after, limit);
    if (!entries.isOk()) return HttpResponse::fromStatus(entries.status());
    listed = std::move(*entries);
  } else {
    AuditQuery query;
    query.before_seq = before;
    query.actor = param("actor");
    query.action = param("action");
    query.subject = param("subject");
    query.limit = limit;
    for (const char* key : {"from", "to"}) {
      if (param(key).empty()) continue;
      Result<Timestamp> at = parseIsoTimestamp(param(key));
      if (!at.isOk()) {
        return badRequest(std::string("query parameter '") + key + "': " + at.status().message());
      }
      (std::string(key) == "from" ? query.from : query.to) = *at;
    }
    Result<AuditPage> page = audit_.search(query);
    if (!page.isOk()) return HttpResponse::fromStatus(page.status());
    listed = std::move(page->entries);
    out->set("next_before", page->next_before_seq);
    out->set("scanned", page->scanned);
  }
  Array::Ptr array = new Array;
  for (const AuditEntry& e : listed) {
    Object::Ptr o = new Object;
    o->set("seq", e.seq);
    o->set("at", formatIsoTimestamp(e.at));
    o->set("actor", e.actor);
    o->set("action", e.action);
    o->set("subject", e.subject);
    o->set("detail", e.detail);
    o->set("prev_hash", e.prev_hash);
    o->set("hash", e.hash);
    array->add(o);
  }
  out->set("entries", array);
  return HttpResponse::json(200, text(out));
}

HttpResponse AccessApi::verifyAudit(const Caller& caller) {
  Result<AuditVerification> report = audit_.verify();
  if (!report.isOk()) return HttpResponse::fromStatus(report.status());
  Object::Ptr out = new Object;
  out->set("intact", report->intact());
  out->set("entries_checked", report->entries_checked);
  out->set("problem", std::string(name(report->problem)));
  out->set("first_bad_seq", report->first_bad_seq);
  out->set("message", report->message);
  out->set("head_hash", report->head_hash);
  Result<std::int64_t> audited =
      audit_.append(caller.user, "audit.verify", "audit",
                    std::string("{\"intact\":") + (report->intact() ? "true" : "false") +
                        ",\"first_bad_seq\":" + std::to_string(report->first_bad_seq) + "}");
  if (!audited.isOk() && report->intact()) return HttpResponse::fromStatus(audited.status());
  return HttpResponse::json(200, text(out));
}

}  // namespace cardline
