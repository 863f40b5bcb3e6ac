// cardline pki: the test PKI (init), and the key ceremony on a PKCS#11 token (list,
// generate-key, request, sign-request, import-cert, retire). Every step is audited.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/app/signer_factory.h"
#include "mes/base/clock.h"
#include "mes/base/json_text.h"
#include "mes/document/pki/pkcs11_signer.h"
#include "mes/document/pki/test_pki.h"
#include "mes/security/audit_chain.h"
#include "mes/security/key_file.h"
#include "mes/security/pkcs11/wrapped_key.h"

namespace cardline::app {
namespace {

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFound("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Status writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return unavailable("cannot write " + path);
  return Status::ok();
}

// Appends one audit entry for a pki step (actor from --actor, default "system").
Status audited(const Config& config, const ParsedArgs& args, const std::string& action,
               const std::string& subject, const std::string& detail) {
  auto opened = openConfiguredStore(config);
  if (!opened.isOk()) return opened.status().withContext("auditing " + action);
  SystemClock clock;
  AuditTrail audit(*opened->store, clock, *opened->audit_key);
  auto seq = audit.append(args.value("--actor").value_or("system"), action, subject, detail);
  if (!seq.isOk()) return seq.status().withContext("auditing " + action);
  return Status::ok();
}

SignerSubject subjectFrom(const ParsedArgs& args) {
  SignerSubject subject;
  subject.country = args.value("--country").value_or(subject.country);
  subject.organization = args.value("--org").value_or(subject.organization);
  subject.common_name = args.value("--cn").value_or(subject.common_name);
  return subject;
}

// The key id (hex) of a key named by signer id, key id or label.
Result<std::string> keyIdOf(Pkcs11Token& token, const std::string& which) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<SignerKeyInfo> keys, listSignerKeys(token));
  for (const SignerKeyInfo& key : keys) {
    if (key.signer_id == which || key.id_hex == which || key.label == which) return key.id_hex;
  }
  return notFound("no key \"" + which + "\" in token \"" + token.label() + "\"");
}

// Not audited: a test PKI, made before the database may exist (demo, tests).
int runInit(const Config& config, const ParsedArgs& args) {
  SystemClock clock;
  TestPkiOptions options;
  options.overwrite = args.has("--force") ? PkiOverwrite::kReplace : PkiOverwrite::kRefuse;
  auto paths = initTestPki(config.data_dir, options, clock);
  if (!paths.isOk()) return reportFailure("pki", paths.status());
  std::cout << "created the test CSCA " << paths->csca_cert << " and Document Signer "
            << paths->ds_cert << "\n";
  return 0;
}

int runSignRequest(const Config& config, const ParsedArgs& args) {
  auto out = args.value("--out");
  if (args.positional.size() != 2 || !out) {
    return reportFailure("pki", invalidArgument("sign-request needs REQUEST.csr and --out FILE"));
  }
  int days = 90;
  if (auto text = args.value("--days")) {
    try {
      days = std::stoi(*text);
    } catch (const std::exception&) {
      return reportFailure("pki", invalidArgument("--days must be a whole number, got " + *text));
    }
  }
  const PkiPaths pki = pkiPaths(config.data_dir);
  auto request = readFile(args.positional[1]);
  auto csca_cert = readFile(pki.csca_cert);
  auto csca_key = readFile(pki.csca_key);
  for (const auto* r : {&request, &csca_cert, &csca_key}) {
    if (!r->isOk()) return reportFailure("pki", r->status());
  }
  SystemClock clock;
  auto cert = issueSignerCertificate(*request, *csca_cert, *csca_key, days, clock);
  if (!cert.isOk()) return reportFailure("pki", cert.status().withContext(args.positional[1]));
  Status written = writeText(*out, *cert);
  if (written.isOk()) {
    written = audited(config, args, "pki.sign_request", *out,
                      "{\"request\":" + jsonQuote(args.positional[1]) +
                          ",\"days\":" + std::to_string(days) + "}");
  }
  if (!written.isOk()) return reportFailure("pki", written);
  std::cout << "the test CSCA issued " << *out << " (" << days << " days)\n";
  return 0;
}

int runTokenStep(const Config& config, const ParsedArgs& args) {
  const std::string& verb = args.positional[0];
  auto token = openConfiguredToken(config);
  if (!token.isOk()) return reportFailure("pki", token.status());
  Pkcs11Token& t = **token;

  if (verb == "wrap-pii-key") {
    // The plain key file becomes the wrapped one: write, check it unwraps to the same key,
    // then replace (rename) the plain file.
    const std::string path = config.piiKeyFile();
    auto plain = loadKeyFile(path);
    if (!plain.isOk()) return reportFailure("pki", plain.status());
    auto wrapped = wrapSecret(t, *plain);
    if (!wrapped.isOk()) return reportFailure("pki", wrapped.status());
    auto check = unwrapSecret(t, *wrapped);
    if (!check.isOk() || *check != *plain) {
      return reportFailure("pki", internalError("the wrapped key does not unwrap to the key; "
                                                "the plain key file was left in place"));
    }
    // Audited first: the store still opens with the plain key (the configuration says "file").
    Status written = audited(config, args, "pki.wrap_pii_key", path,
                             "{\"token\":" + jsonQuote(t.label()) +
                                 ",\"token_key\":" + jsonQuote(kPiiWrappingKeyLabel) + "}");
    const std::string tmp = path + ".wrapped.tmp";
    if (written.isOk()) written = writeText(tmp, *wrapped);
    if (written.isOk() &&
        (::chmod(tmp.c_str(), 0600) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0)) {
      written = unavailable("cannot replace " + path);
    }
    if (!written.isOk()) return reportFailure("pki", written);
    std::cout << "the personal-data key in " << path << " is now wrapped by the token key \""
              << kPiiWrappingKeyLabel << "\"; set security.pii_key_protection: pkcs11\n";
    return 0;
  }
  if (verb == "list") {
    auto keys = listSignerKeys(t);
    if (!keys.isOk()) return reportFailure("pki", keys.status());
    std::cout << "token \"" << t.label() << "\": " << keys->size() << " key(s)\n";
    for (const SignerKeyInfo& key : *keys) {
      std::cout << key.label << "\tid " << key.id_hex << "\t" << key.state();
      if (key.has_private_key) {
        std::cout << "\tprivate key " << (key.sensitive ? "sensitive" : "NOT SENSITIVE") << ", "
                  << (key.extractable ? "EXTRACTABLE" : "not extractable");
      }
      if (key.has_certificate) {
        std::cout << "\t" << key.signer_id << "\t" << key.subject << "\t" << key.not_before
                  << " .. " << key.not_after;
      }
      std::cout << "\n";
    }
    Status logged = audited(config, args, "pki.list", t.label(),
                            "{\"keys\":" + std::to_string(keys->size()) + "}");
    if (!logged.isOk()) return reportFailure("pki", logged);
    return 0;
  }
  if (args.positional.size() != 2 && verb != "generate-key") {  // list, wrap-pii-key: above
    return reportFailure("pki",
                         invalidArgument(verb + " needs one argument (cardline pki --help)"));
  }
  if (verb == "generate-key") {
    auto label = args.value("--label");
    auto out = args.value("--out");
    if (!label || !out) {
      return reportFailure("pki", invalidArgument("generate-key needs --label NAME and --out "
                                                  "REQUEST.csr"));
    }
    auto request = generateSignerKey(t, *label, subjectFrom(args));
    if (!request.isOk()) return reportFailure("pki", request.status());
    Status done = writeText(*out, request->csr_pem);
    if (done.isOk()) {
      done = audited(config, args, "pki.generate_key", *label,
                     "{\"token\":" + jsonQuote(t.label()) +
                         ",\"key_id\":" + jsonQuote(hexEncode(request->id)) +
                         ",\"request\":" + jsonQuote(*out) + "}");
    }
    if (!done.isOk()) return reportFailure("pki", done);
    std::cout << "generated Document Signer key \"" << *label << "\" (id " << hexEncode(request->id)
              << ") in token \"" << t.label() << "\"; certificate request in " << *out << "\n";
    return 0;
  }
  const std::string which = args.positional[1];
  if (verb == "request") {
    auto out = args.value("--out");
    if (!out) return reportFailure("pki", invalidArgument("request needs --out REQUEST.csr"));
    auto id_hex = keyIdOf(t, which);
    if (!id_hex.isOk()) return reportFailure("pki", id_hex.status());
    auto request = signerKeyRequest(t, hexDecode(*id_hex).value(), subjectFrom(args));
    if (!request.isOk()) return reportFailure("pki", request.status());
    Status done = writeText(*out, *request);
    if (done.isOk()) {
      done = audited(config, args, "pki.export_request", which,
                     "{\"key_id\":" + jsonQuote(*id_hex) + ",\"request\":" + jsonQuote(*out) + "}");
    }
    if (!done.isOk()) return reportFailure("pki", done);
    std::cout << "certificate request for key " << *id_hex << " in " << *out << "\n";
    return 0;
  }
  if (verb == "import-cert") {
    auto cert = readFile(which);
    if (!cert.isOk()) return reportFailure("pki", cert.status());
    const std::string csca_path =
        args.value("--csca").value_or(pkiPaths(config.data_dir).csca_cert);
    auto csca = readFile(csca_path);
    if (!csca.isOk()) {
      return reportFailure("pki", csca.status().withContext(
                                      "the CSCA certificate the DS certificate must verify under "
                                      "(--csca FILE)"));
    }
    auto signer_id = importSignerCertificate(t, *cert, *csca);
    if (!signer_id.isOk()) return reportFailure("pki", signer_id.status().withContext(which));
    Status logged = audited(
        config, args, "pki.import_cert", *signer_id,
        "{\"token\":" + jsonQuote(t.label()) + ",\"certificate\":" + jsonQuote(which) + "}");
    if (!logged.isOk()) return reportFailure("pki", logged);
    std::cout << "imported " << which << " as Document Signer " << *signer_id << " in token \""
              << t.label() << "\"\n";
    return 0;
  }
  if (verb == "retire") {
    auto retired = retireSigner(t, which);
    if (!retired.isOk()) return reportFailure("pki", retired.status());
    Status logged =
        audited(config, args, "pki.retire", retired->signer_id.empty() ? which : retired->signer_id,
                "{\"token\":" + jsonQuote(t.label()) + ",\"key_id\":" + jsonQuote(retired->id_hex) +
                    ",\"label\":" + jsonQuote(retired->label) + "}");
    if (!logged.isOk()) return reportFailure("pki", logged);
    std::cout << "retired Document Signer key \"" << retired->label << "\" (id " << retired->id_hex
              << "): private key destroyed, certificate kept\n";
    return 0;
  }
  return reportFailure("pki", invalidArgument("unknown pki step \"" + verb + "\""));
}

}  // namespace

const char kPkiUsage[] =
    "usage: cardline pki STEP [options] [--data-dir DIR] [--config FILE] [--actor NAME]\n\n"
    "Test PKI (key files; demos and tests only):\n"
    "  init [--force]          a test CSCA and a Document Signer in DIR/pki (csca.pem, csca.key,\n"
    "                          ds.pem, ds.key; ECDSA P-256; keys mode 0600)\n"
    "  sign-request REQ.csr --out CERT.pem [--days 90]\n"
    "                          the test CSCA (DIR/pki/csca.key) issues a DS certificate\n\n"
    "Document Signer keys in the PKCS#11 token of signer.pkcs11 (PIN from pin_file/pin_env):\n"
    "  list                    the token's keys and certificates and their state\n"
    "  generate-key --label NAME --out REQ.csr [--cn NAME] [--org ORG] [--country CC]\n"
    "                          a new key pair inside the token (never extractable) and its\n"
    "                          certificate request for the CSCA\n"
    "  request KEY --out REQ.csr   the request of an existing key again\n"
    "  import-cert CERT.pem [--csca CSCA.pem]\n"
    "                          stores the CSCA-issued certificate next to its key (checked\n"
    "                          against the CSCA, default DIR/pki/csca.pem)\n"
    "  retire KEY              destroys the key's private half; its certificate stays\n"
    "  wrap-pii-key            wraps the personal-data key file by an AES key in the token\n"
    "                          (then set security.pii_key_protection: pkcs11)\n\n"
    "KEY is a signer id (ds-...), a key id (hex) or a label. Every step but init is written to\n"
    "the audit trail (actor: --actor, default system; the database must be migrated). See\n"
    "docs/pki.md for the whole ceremony.\n";

int runPki(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.flags.insert("--force");
  spec.with_value.insert(
      {"--actor", "--label", "--out", "--cn", "--org", "--country", "--csca", "--days"});
  spec.max_positional = 2;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("pki", args.status());
  if (args->positional.empty()) {
    std::cerr << kPkiUsage;
    return 2;
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  const std::string& verb = args->positional[0];
  if (verb == "init") {
    if (args->positional.size() != 1) {
      std::cerr << kPkiUsage;
      return 2;
    }
    return runInit(*config, *args);
  }
  if (verb == "sign-request") return runSignRequest(*config, *args);
  if (verb == "list" || verb == "wrap-pii-key" || verb == "generate-key" || verb == "request" ||
      verb == "import-cert" || verb == "retire") {
    return runTokenStep(*config, *args);
  }
  std::cerr << "cardline pki: unknown step \"" << verb << "\"\n" << kPkiUsage;
  return 2;
}

}  // namespace cardline::app
