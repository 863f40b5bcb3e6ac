#pragma once
// The HTTP router: exact routes (literal segments and whole-segment {parameters}) to handlers,
// with the checks every call gets before its handler runs:
//   - unknown path: JSON 404 (or the GET fallback, for static files); known path, other
//     method: JSON 405 with an Allow header;
//   - session routes: a live session (401 otherwise), the route's Action permitted to the
//     caller's roles (403), and on every method but GET the X-CSRF-Token header equal to the
//     session's token (403);
//   - handlers run inside a catch-all that still answers (JSON 500), and every call is counted
//     in the metrics registry (requests by route and status, latency histogram).
// A route that changes state cannot be registered on GET (add() refuses it).
//
// No POCO types: HttpServer adapts POCO requests to HttpRequest, so the router and the handlers
// are tested in-process. Routes are added before the server starts; handle() is thread-safe
// after that.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/http/metrics.h"
#include "mes/security/access_policy.h"

namespace cardline {

enum class HttpMethod { kGet, kPost, kPut, kPatch, kDelete };  // "GET", "POST", ...
const char* name(HttpMethod method);
Result<HttpMethod> parseHttpMethod(std::string_view s);

// The session cookie's name.
inline constexpr char kSessionCookie[] = "cardline_session";
// The header that must carry the session's CSRF token on state changes.
inline constexpr char kCsrfHeader[] = "x-csrf-token";

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string path;                           // decoded, without the query
  std::map<std::string, std::string> query;   // decoded query parameters (last one wins)
  std::map<std::string, std::string> headers; // names in lower case
  std::string body;
  std::string client_address;
  std::map<std::string, std::string> path_params;  // filled by the router from {name} segments

  // The value of a header (name in any case), or "".
  std::string header(const std::string& name) const;
  // The value of a cookie from the Cookie header, or "".
  std::string cookie(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ...)
  // A streaming body (server-sent events): when set, the server sends the status and headers
  // without a Content-Length, ignores `body`, and calls `stream` on the handler thread with a
  // writer that sends one chunk at once and returns false once the client has gone away; the
  // response ends when `stream` returns. Unset for ordinary responses.
  std::function<void(const std::function<bool(const std::string& chunk)>& write)> stream;

  static HttpResponse json(int status, std::string body);
  // {"error":{"code":"...","message":"..."}}
  static HttpResponse error(int status, const std::string& code, const std::string& message);
  // The HTTP status for a Status's code, with its message as the JSON error.
  static HttpResponse fromStatus(const Status& status);
};

// Who is calling, as established from the session cookie.
struct Caller {
  std::string user;
  std::vector<Role> roles;
  std::string session_id;
  std::string csrf_token;
};

// Narrow interface: turns a request into its Caller. kPermissionDenied/kNotFound when there is
// no live session (the router answers 401); other failures answer as fromStatus().
class CallerAuthenticator {
 public:
  virtual ~CallerAuthenticator() = default;
  virtual Result<Caller> authenticate(const HttpRequest& request) = 0;
};

// A handler gets the request and the caller (empty Caller on public routes). It may throw;
// the router answers 500 then.
using HttpHandler = std::function<HttpResponse(const HttpRequest&, const Caller&)>;

enum class Effect { kReadOnly, kChangesState };
enum class Guard { kPublic, kSession };

struct RouteSpec {
  HttpMethod method = HttpMethod::kGet;
  std::string pattern;  // "/api/v1/users/{name}/disable"
  Effect effect = Effect::kReadOnly;
  Guard guard = Guard::kSession;
  std::optional<Action> action;  // required permission on session routes (none: any session)
  HttpHandler handler;
};

struct RouteInfo {
  HttpMethod method;
  std::string pattern;
  Guard guard;
};

class Router {
 public:
  // `clock` (latency) and `metrics` must outlive the router. `authenticator` may be null only
  // if no session route is added.
  Router(const Clock& clock, MetricsRegistry& metrics, CallerAuthenticator* authenticator);

  // Registers a route. kInvalidArgument for a malformed pattern (must start with '/', no empty
  // segments, parameters as whole "{name}" segments), a GET route with Effect::kChangesState,
  // a session route without an authenticator, or a missing handler; kAlreadyExists for the
  // same method and pattern twice.
  Status add(RouteSpec spec);
  // Answers GET requests whose path matches no route (static files). Optional.
  void setGetFallback(std::function<HttpResponse(const HttpRequest&)> fallback);

  // Routes the request through the checks above and returns the response. Never throws.
  HttpResponse handle(HttpRequest request) const;

  // Every registered route, in registration order.
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    RouteSpec spec;
    std::vector<std::string> segments;
  };
  HttpResponse dispatch(HttpRequest& request, std::string& route_label) const;

  const Clock& clock_;
  MetricsRegistry& metrics_;
  CallerAuthenticator* authenticator_;
  std::vector<Route> routes_;
  std::function<HttpResponse(const HttpRequest&)> fallback_;
};

}  // namespace cardline
