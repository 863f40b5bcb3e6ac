// cardline user add|passwd|disable|enable|list and cardline audit verify.
#include <fstream>
#include <iostream>
#include <sstream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/base/clock.h"
#include "mes/security/accounts.h"
#include "mes/security/audit_chain.h"

namespace cardline::app {
namespace {

// The password from --password-file FILE (first line) or, with --password-stdin, the first
// line of standard input. Never from the command line itself (it would show in `ps`).
Result<std::string> readPassword(const ParsedArgs& args) {
  std::string password;
  if (auto file = args.value("--password-file")) {
    std::ifstream in(*file);
    if (!in) return invalidArgument("cannot read --password-file " + *file);
    std::getline(in, password);
  } else if (args.has("--password-stdin")) {
    std::getline(std::cin, password);
  } else {
    return invalidArgument("give the password with --password-file FILE or --password-stdin");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

Result<std::vector<Role>> parseRoles(const std::string& list) {
  std::vector<Role> roles;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    CARDLINE_ASSIGN_OR_RETURN(Role r, parseRole(item));
    roles.push_back(r);
  }
  if (roles.empty()) return invalidArgument("--roles needs at least one role");
  return roles;
}

}  // namespace

const char kUserUsage[] =
    "usage: cardline user add NAME --roles R1,R2 [--display-name TEXT]\n"
    "                         (--password-file FILE | --password-stdin)\n"
    "       cardline user passwd NAME (--password-file FILE | --password-stdin)\n"
    "       cardline user disable NAME\n"
    "       cardline user enable NAME\n"
    "       cardline user list\n"
    "       (each also takes --config FILE / --data-dir DIR)\n\n"
    "Manages accounts. Roles: operator, supervisor, logistics, manager, auditor, admin.\n"
    "Passwords are at least 12 bytes and are stored as salted PBKDF2-HMAC-SHA256 hashes.\n"
    "Disabling an account ends its sessions. Every change is audited (actor: system).\n";

int runUser(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--roles", "--display-name", "--password-file"});
  spec.flags.insert("--password-stdin");
  spec.max_positional = 2;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("user", args.status());
  if (args->positional.empty()) {
    std::cerr << kUserUsage;
    return 2;
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  auto opened = openConfiguredStore(*config);
  if (!opened.isOk()) return reportFailure("user", opened.status());
  SystemClock clock;
  AuditTrail audit(*opened->store, clock, *opened->audit_key);
  AccountService accounts(*opened->store, audit, clock);
  const std::string verb = args->positional[0];

  if (verb == "list") {
    auto users = accounts.list();
    if (!users.isOk()) return reportFailure("user", users.status());
    for (const auto& u : *users) {
      std::string roles;
      for (Role r : u.roles) roles += (roles.empty() ? "" : ",") + std::string(name(r));
      std::cout << u.name << "\t" << roles << "\t" << u.display_name
                << (u.disabled ? "\tdisabled" : "") << (u.locked ? "\tlocked" : "") << "\n";
    }
    if (users->empty()) std::cout << "no accounts\n";
    return 0;
  }
  if (args->positional.size() != 2) {
    return reportFailure("user", invalidArgument(verb + " needs an account name"));
  }
  const std::string user = args->positional[1];
  Status done;
  if (verb == "add") {
    auto roles_arg = args->value("--roles");
    if (!roles_arg) return reportFailure("user", invalidArgument("add needs --roles"));
    auto roles = parseRoles(*roles_arg);
    if (!roles.isOk()) return reportFailure("user", roles.status());
    auto password = readPassword(*args);
    if (!password.isOk()) return reportFailure("user", password.status());
    done = accounts.addUser(user, args->value("--display-name").value_or(user), *roles,
                            *password, "system");
  } else if (verb == "passwd") {
    auto password = readPassword(*args);
    if (!password.isOk()) return reportFailure("user", password.status());
    done = accounts.changePassword(user, *password, "system");
  } else if (verb == "disable") {
    done = accounts.disable(user, "system");
  } else if (verb == "enable") {
    done = accounts.enable(user, "system");
  } else {
    done = invalidArgument("unknown verb \"" + verb +
                           "\" (expected add, passwd, disable, enable or list)");
  }
  if (!done.isOk()) return reportFailure("user", done);
  std::cout << verb << " " << user << ": done\n";
  return 0;
}

const char kAuditUsage[] =
    "usage: cardline audit verify|seal [--config FILE] [--data-dir DIR]\n\n"
    "verify: walks the keyed, hash-chained audit trail with the audit key\n"
    "  (security.audit_key_file) and reports the first altered, removed, reordered or unsealed\n"
    "  entry. Exits 0 when the chain is intact, 1 when it is not.\n"
    "seal: once, when upgrading a trail written before the audit key: appends the keyed\n"
    "  checkpoint that seals the old chain's head and prints that head; compare it with one\n"
    "  recorded before the upgrade. Refused when the trail already holds keyed entries.\n";

int runAudit(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.max_positional = 1;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("audit", args.status());
  if (args->positional.size() != 1 ||
      (args->positional[0] != "verify" && args->positional[0] != "seal")) {
    std::cerr << kAuditUsage;
    return 2;
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  auto opened = openConfiguredStore(*config);
  if (!opened.isOk()) return reportFailure("audit", opened.status());
  SystemClock clock;
  AuditTrail audit(*opened->store, clock, *opened->audit_key);
  if (args->positional[0] == "seal") {
    auto sealed = audit.sealUnkeyed("system");
    if (!sealed.isOk()) return reportFailure("audit", sealed.status());
    std::cout << "sealed audit entries 1.." << sealed->seq - 1 << " (head " << sealed->prev_hash
              << ") with keyed checkpoint entry " << sealed->seq << "\n";
    return 0;
  }
  auto report = audit.verify();
  if (!report.isOk()) return reportFailure("audit", report.status());
  std::cout << report->message << "\n";
  return report->intact() ? 0 : 1;
}

}  // namespace cardline::app
