#pragma once
// The REST endpoints of accounts, sessions and the audit trail, and the session authenticator
// the router uses for every session route.
//
//   POST   /api/v1/session                 log in {name, password} -> cookie + csrf_token
//   DELETE /api/v1/session                 log out
//   GET    /api/v1/me                      the caller, roles, permitted actions, csrf_token
//   GET    /api/v1/users                   list accounts                     (user.manage)
//   POST   /api/v1/users                   add {name, display_name, roles, password}
//   POST   /api/v1/users/{name}/password   {password, current_password}: self or user.manage
//   POST   /api/v1/users/{name}/disable    disable and end its sessions      (user.manage)
//   POST   /api/v1/users/{name}/enable                                       (user.manage)
//   GET    /api/v1/audit?after=&limit=     audit entries                     (audit.read)
//   POST   /api/v1/audit/verify            verify the chain                  (audit.verify)
//
// Handlers depend only on AccountService, SessionTable and AuditTrail. Thread-safe.

#include <string>

#include "mes/base/status.h"
#include "mes/http/router.h"
#include "mes/security/accounts.h"
#include "mes/security/audit_chain.h"
#include "mes/security/sessions.h"

namespace cardline {

// Finds the session named by the cookie, then re-reads the account from the store on every
// call, so a disabled account (also by `cardline user disable` in another process) loses its
// sessions at once and role changes apply at once. kPermissionDenied without a live session.
class SessionAuthenticator final : public CallerAuthenticator {
 public:
  SessionAuthenticator(SessionTable& sessions, AccountService& accounts);
  Result<Caller> authenticate(const HttpRequest& request) override;

 private:
  SessionTable& sessions_;
  AccountService& accounts_;
};

enum class CookieSecurity { kSecure, kPlainHttp };  // whether Set-Cookie carries "Secure"

struct AccessApiOptions {
  // kSecure when the server is reached over HTTPS (a TLS proxy in front). The development
  // default is plain HTTP on the loopback interface.
  CookieSecurity cookie_security = CookieSecurity::kPlainHttp;
};

class AccessApi {
 public:
  // All references must outlive the API object and the router it registers with.
  AccessApi(AccountService& accounts, SessionTable& sessions, AuditTrail& audit,
            AccessApiOptions options = {});

  // Registers the routes listed above. Fails like Router::add.
  Status registerRoutes(Router& router);

 private:
  HttpResponse login(const HttpRequest& request);
  HttpResponse logout(const HttpRequest& request, const Caller& caller);
  HttpResponse me(const Caller& caller);
  HttpResponse listUsers();
  HttpResponse addUser(const HttpRequest& request, const Caller& caller);
  HttpResponse changePassword(const HttpRequest& request, const Caller& caller);
  HttpResponse disable(const HttpRequest& request, const Caller& caller);
  HttpResponse enable(const HttpRequest& request, const Caller& caller);
  HttpResponse listAudit(const HttpRequest& request);
  HttpResponse verifyAudit(const Caller& caller);
  std::string sessionCookie(const std::string& value, long max_age_seconds) const;

  AccountService& accounts_;
  SessionTable& sessions_;
  AuditTrail& audit_;
  AccessApiOptions options_;
};

}  // namespace cardline
