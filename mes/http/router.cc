#include "mes/http/router.h"

#include <cctype>
#include <chrono>
#include <exception>

#include "mes/security/audit_chain.h"
#include "mes/security/sessions.h"

namespace cardline {
namespace {

const std::pair<HttpMethod, const char*> kMethods[] = {{HttpMethod::kGet, "GET"},
                                                       {HttpMethod::kPost, "POST"},
                                                       {HttpMethod::kPut, "PUT"},
                                                       {HttpMethod::kPatch, "PATCH"},
                                                       {HttpMethod::kDelete, "DELETE"}};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Splits "/a/b" into {"a","b"}; "/" into {}. Empty segments (from "//" or a trailing "/") are
// kept as "" so they never match a literal or parameter.
std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> segments;
  if (path.empty() || path == "/") return segments;
  std::size_t start = path[0] == '/' ? 1 : 0;
  while (true) {
    const std::size_t end = path.find('/', start);
    segments.push_back(path.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return segments;
}

bool isParameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
             std::map<std::string, std::string>* params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (path[i].empty()) return false;
    if (isParameter(pattern[i])) {
      if (params != nullptr) (*params)[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

const char* name(HttpMethod method) {
  for (const auto& entry : kMethods) {
    if (entry.first == method) return entry.second;
  }
  return "?";
}

Result<HttpMethod> parseHttpMethod(std::string_view s) {
  for (const auto& entry : kMethods) {
    if (s == entry.second) return entry.first;
  }
  return invalidArgument("unsupported HTTP method " + std::string(s));
}

std::string HttpRequest::header(const std::string& header_name) const {
  auto found = headers.find(lower(header_name));
  return found == headers.end() ? std::string() : found->second;
}

std::string HttpRequest::cookie(const std::string& cookie_name) const {
  const std::string all = header("cookie");
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find(';', start);
    if (end == std::string::npos) end = all.size();
    std::string pair = all.substr(start, end - start);
    const std::size_t first = pair.find_first_not_of(' ');
    pair = first == std::string::npos ? "" : pair.substr(first);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == cookie_name) {
      std::string value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.pop_back();
      return value;
    }
    start = end + 1;
  }
  return "";
}

HttpResponse HttpResponse::json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::error(int status, const std::string& code, const std::string& message) {
  return json(status, "{\"error\":{\"code\":" + jsonQuote(code) + ",\"message\":" +
                          jsonQuote(message) + "}}");
}

HttpResponse HttpResponse::fromStatus(const Status& status) {
  int http = 500;
  switch (status.code()) {
    case ErrorCode::kOk:
      return json(200, "{}");
    case ErrorCode::kInvalidArgument:
      http = 400;
      break;
    case ErrorCode::kNotFound:
      http = 404;
      break;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
      http = 409;
      break;
    case ErrorCode::kPermissionDenied:
      http = 403;
      break;
    case ErrorCode::kUnavailable:
      http = 503;
      break;
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      http = 500;
      break;
  }
  return error(http, errorCodeName(status.code()), status.message());
}

Router::Router(const Clock& clock, MetricsRegistry& metrics, CallerAuthenticator* authenticator)
    : clock_(clock), metrics_(metrics), authenticator_(authenticator) {
  metrics_.describe("cardline_http_requests_total", MetricType::kCounter,
                    "HTTP requests answered, by method, route and status");
  metrics_.describe("cardline_http_request_duration_seconds", MetricType::kHistogram,
                    "Time to answer an HTTP request, by route");
}

Status Router::add(RouteSpec spec) {
  if (spec.pattern.empty() || spec.pattern[0] != '/') {
    return invalidArgument("route pattern \"" + spec.pattern + "\" must start with '/'");
  }
  if (!spec.handler) return invalidArgument("route " + spec.pattern + " has no handler");
  if (spec.method == HttpMethod::kGet && spec.effect == Effect::kChangesState) {
    return invalidArgument("route GET " + spec.pattern +
                           " changes state: GET must not change state; use POST, PUT, PATCH or "
                           "DELETE");
  }
  if (spec.guard == Guard::kSession && authenticator_ == nullptr) {
    return invalidArgument("route " + spec.pattern + " needs a session but there is no "
                           "authenticator");
  }
  Route route;
  route.segments = splitPath(spec.pattern);
  for (const std::string& segment : route.segments) {
    if (segment.empty()) return invalidArgument("route " + spec.pattern + " has an empty segment");
    const bool has_brace = segment.find_first_of("{}") != std::string::npos;
    if (has_brace && !isParameter(segment)) {
      return invalidArgument("route " + spec.pattern + ": parameters are whole {name} segments");
    }
  }
  for (const Route& existing : routes_) {
    if (existing.spec.method == spec.method && existing.spec.pattern == spec.pattern) {
      return alreadyExists(std::string("route ") + name(spec.method) + " " + spec.pattern +
                           " is already registered");
    }
  }
  route.spec = std::move(spec);
  routes_.push_back(std::move(route));
  return Status::ok();
}

void Router::setGetFallback(std::function<HttpResponse(const HttpRequest&)> fallback) {
  fallback_ = std::move(fallback);
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) {
    out.push_back({route.spec.method, route.spec.pattern, route.spec.guard});
  }
  return out;
}

HttpResponse Router::handle(HttpRequest request) const {
  const auto started = clock_.monotonic();
  std::string route_label = "unmatched";
  HttpResponse response;
  try {
    response = dispatch(request, route_label);
  } catch (const std::exception& e) {
    response = HttpResponse::error(500, "internal", std::string("unexpected error: ") + e.what());
  } catch (...) {
    response = HttpResponse::error(500, "internal", "unexpected error");
  }
  const double seconds =
      std::chrono::duration<double>(clock_.monotonic() - started).count();
  metrics_.increment("cardline_http_requests_total",
                     {{"method", name(request.method)},
                      {"route", route_label},
                      {"status", std::to_string(response.status)}});
  metrics_.observe("cardline_http_request_duration_seconds", {{"route", route_label}}, seconds);
  return response;
}

HttpResponse Router::dispatch(HttpRequest& request, std::string& route_label) const {
  const std::vector<std::string> path = splitPath(request.path);
  const Route* route = nullptr;
  std::string allowed;
  for (const Route& candidate : routes_) {
    if (!matches(candidate.segments, path, nullptr)) continue;
    if (candidate.spec.method == request.method) {
      route = &candidate;
      break;
    }
    if (!allowed.empty()) allowed += ", ";
    allowed += name(candidate.spec.method);
  }
  if (route == nullptr) {
    if (!allowed.empty()) {
      HttpResponse r = HttpResponse::error(405, "method_not_allowed",
                                           std::string(name(request.method)) + " is not allowed "
                                           "on " + request.path + " (allowed: " + allowed + ")");
      r.headers.emplace_back("Allow", allowed);
      return r;
    }
    if (request.method == HttpMethod::kGet && fallback_) {
      route_label = "static";
      return fallback_(request);
    }
    return HttpResponse::error(404, "not_found", "no such resource: " + request.path);
  }
  route_label = route->spec.pattern;
  request.path_params.clear();
  matches(route->segments, path, &request.path_params);

  Caller caller;
  if (route->spec.guard == Guard::kSession) {
    Result<Caller> authenticated = authenticator_->authenticate(request);
    if (!authenticated.isOk()) {
      const ErrorCode code = authenticated.status().code();
      if (code == ErrorCode::kPermissionDenied || code == ErrorCode::kNotFound) {
        return HttpResponse::error(401, "unauthenticated",
                                   "log in first (no session, or it expired)");
      }
      return HttpResponse::fromStatus(authenticated.status());
    }
    caller = std::move(authenticated).value();
    if (route->spec.action.has_value()) {
      Status permitted = checkPermission(caller.roles, *route->spec.action);
      if (!permitted.isOk()) return HttpResponse::error(403, "forbidden", permitted.message());
    }
    const std::string csrf = request.header(kCsrfHeader);
    if (request.method != HttpMethod::kGet &&
        (csrf.empty() || !constantTimeEquals(csrf, caller.csrf_token))) {
      return HttpResponse::error(403, "csrf", "missing or wrong X-CSRF-Token header");
    }
  }
  return route->spec.handler(request, caller);
}

}  // namespace cardline
