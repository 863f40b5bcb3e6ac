#include "mes/security/pkcs11/pkcs11_token.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

namespace cardline {

const char* name(TokenObjectKind kind) {
  switch (kind) {
    case TokenObjectKind::kPrivateKey:
      return "private-key";
    case TokenObjectKind::kPublicKey:
      return "public-key";
    case TokenObjectKind::kCertificate:
      return "certificate";
    case TokenObjectKind::kSecretKey:
      return "secret-key";
    case TokenObjectKind::kOther:
      return "other";
  }
  return "other";
}

// The return codes cardline names in its messages.
const std::pair<CK_RV, const char*> kReturnCodes[] = {
    {CKR_OK, "CKR_OK"},
    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY"},
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE"},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
    {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
    {CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID"},
    {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID"},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
    {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID"},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
    {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED"},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
    {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE"},
    {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT"},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
    {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED"},
    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
    {CKR_WRAPPED_KEY_INVALID, "CKR_WRAPPED_KEY_INVALID"},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
    {CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED"},
};

std::string ckrName(CK_RV rv) {
  for (const auto& [code, text] : kReturnCodes) {
    if (code == rv) return text;
  }
  char text[32];
  std::snprintf(text, sizeof text, "CKR 0x%lx", static_cast<unsigned long>(rv));
  return text;
}

namespace {

// Return codes meaning the token (or the module's view of it) went away; the session is dropped
// and the next operation reconnects.
bool tokenGone(CK_RV rv) {
  return rv == CKR_DEVICE_REMOVED || rv == CKR_DEVICE_ERROR || rv == CKR_TOKEN_NOT_PRESENT ||
         rv == CKR_SESSION_CLOSED || rv == CKR_SESSION_HANDLE_INVALID ||
         rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_CRYPTOKI_NOT_INITIALIZED ||
         rv == CKR_TOKEN_NOT_RECOGNIZED || rv == CKR_DEVICE_MEMORY;
}

std::string trimmedLabel(const unsigned char* field, std::size_t size) {
  std::string label(reinterpret_cast<const char*>(field), size);
  while (!label.empty() && (label.back() == ' ' || label.back() == '\0')) label.pop_back();
  return label;
}

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;

CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, void* value, std::size_t size) {
  return CK_ATTRIBUTE{type, value, static_cast<CK_ULONG>(size)};
}
CK_ATTRIBUTE boolAttr(CK_ATTRIBUTE_TYPE type, bool value) {
  return attr(type, value ? &kTrue : &kFalse, sizeof(CK_BBOOL));
}
CK_ATTRIBUTE bytesAttr(CK_ATTRIBUTE_TYPE type, const Bytes& value) {
  return attr(type, const_cast<unsigned char*>(value.data()), value.size());
}
CK_ATTRIBUTE textAttr(CK_ATTRIBUTE_TYPE type, const std::string& value) {
  return attr(type, const_cast<char*>(value.data()), value.size());
}

CK_OBJECT_CLASS classOf(TokenObjectKind kind) {
  switch (kind) {
    case TokenObjectKind::kPrivateKey:
      return CKO_PRIVATE_KEY;
    case TokenObjectKind::kPublicKey:
      return CKO_PUBLIC_KEY;
    case TokenObjectKind::kCertificate:
      return CKO_CERTIFICATE;
    case TokenObjectKind::kSecretKey:
      return CKO_SECRET_KEY;
    case TokenObjectKind::kOther:
      return CKO_DATA;
  }
  return CKO_DATA;
}

TokenObjectKind kindOf(CK_OBJECT_CLASS object_class) {
  switch (object_class) {
    case CKO_PRIVATE_KEY:
      return TokenObjectKind::kPrivateKey;
    case CKO_PUBLIC_KEY:
      return TokenObjectKind::kPublicKey;
    case CKO_CERTIFICATE:
      return TokenObjectKind::kCertificate;
    case CKO_SECRET_KEY:
      return TokenObjectKind::kSecretKey;
    default:
      return TokenObjectKind::kOther;
  }
}

// DER OID of NIST P-256 (prime256v1), the CKA_EC_PARAMS of our key pairs.
const Bytes kP256Params = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};

}  // namespace

struct Pkcs11Token::Module {
  void* library = nullptr;
  CK_FUNCTION_LIST* f = nullptr;
  bool initialized_here = false;  // we called C_Initialize successfully: we finalise
  CK_SLOT_ID slot = 0;

  ~Module() {
    if (f != nullptr && initialized_here) f->C_Finalize(nullptr);
    if (library != nullptr) ::dlclose(library);
  }

  // C_Initialize; "already initialised" (another user in this process) is fine.
  CK_RV initialize() {
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    const CK_RV rv = f->C_Initialize(&args);
    if (rv == CKR_OK) initialized_here = true;
    return rv == CKR_CRYPTOKI_ALREADY_INITIALIZED ? CKR_OK : rv;
  }
};

Pkcs11Token::Pkcs11Token(Pkcs11TokenOptions options, std::unique_ptr<Module> module)
    : options_(std::move(options)), module_(std::move(module)) {}

Pkcs11Token::~Pkcs11Token() {
  if (session_ != CK_INVALID_HANDLE) {
    module_->f->C_Logout(session_);
    module_->f->C_CloseSession(session_);
  }
}

Result<std::unique_ptr<Pkcs11Token>> Pkcs11Token::open(const Pkcs11TokenOptions& options) {
  if (options.module_path.empty()) return invalidArgument("no PKCS#11 module path given");
  if (options.token_label.empty()) return invalidArgument("no PKCS#11 token label given");
  if (options.pin.empty()) return invalidArgument("no PIN for the PKCS#11 token given");
  std::error_code ec;
  if (!std::filesystem::exists(options.module_path, ec)) {
    return notFound("the PKCS#11 module " + options.module_path + " does not exist");
  }
  auto module = std::make_unique<Module>();
  // RTLD_NODELETE: many modules do not survive being unloaded and loaded again in one process.
  module->library = ::dlopen(options.module_path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (module->library == nullptr) {
    return unavailable("cannot load the PKCS#11 module " + options.module_path + ": " +
                       ::dlerror());
  }
  auto get_list =
      reinterpret_cast<CK_C_GetFunctionList>(::dlsym(module->library, "C_GetFunctionList"));
  if (get_list == nullptr || get_list(&module->f) != CKR_OK || module->f == nullptr) {
    return unavailable(options.module_path + " is not a PKCS#11 module (no C_GetFunctionList)");
  }
  std::unique_ptr<Pkcs11Token> token(new Pkcs11Token(options, std::move(module)));
  std::lock_guard<std::mutex> lock(token->mu_);
  CARDLINE_RETURN_IF_ERROR(token->ensureSession());
  return token;
}

Status Pkcs11Token::failed(const std::string& what, CK_RV rv) {
  const std::string where =
      "PKCS#11 token \"" + options_.token_label + "\": " + what + ": " + ckrName(rv);
  if (tokenGone(rv)) {
    if (session_ != CK_INVALID_HANDLE) module_->f->C_CloseSession(session_);
    session_ = CK_INVALID_HANDLE;
    return unavailable(where +
                       " (the token is unavailable; it is tried again on the next "
                       "request)");
  }
  if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED || rv == CKR_PIN_INVALID ||
      rv == CKR_PIN_LEN_RANGE) {
    return permissionDenied(where + " (check the PIN file or environment variable)");
  }
  return internalError(where);
}

Status Pkcs11Token::ensureSession() {
  if (session_ != CK_INVALID_HANDLE) return Status::ok();
  CK_FUNCTION_LIST* f = module_->f;
  CK_RV rv = module_->initialize();
  if (rv != CKR_OK) {
    return unavailable("cannot initialise the PKCS#11 module " + options_.module_path + ": " +
                       ckrName(rv));
  }
  CK_ULONG count = 0;
  rv = f->C_GetSlotList(CK_TRUE, nullptr, &count);
  if (rv == CKR_CRYPTOKI_NOT_INITIALIZED) {
    // Finalised by someone else in this process: initialise again.
    module_->initialized_here = false;
    rv = module_->initialize();
    if (rv == CKR_OK) rv = f->C_GetSlotList(CK_TRUE, nullptr, &count);
  }
  if (rv != CKR_OK) return failed("listing the slots", rv);
  std::vector<CK_SLOT_ID> slots(count);
  rv = f->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) return failed("listing the slots", rv);
  slots.resize(count);
  bool found = false;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if (f->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    if (trimmedLabel(info.label, sizeof info.label) == options_.token_label) {
      module_->slot = slot;
      found = true;
      break;
    }
  }
  if (!found) {
    return unavailable("PKCS#11 token \"" + options_.token_label + "\" is not present in " +
                       options_.module_path + " (" + std::to_string(count) +
                       " token(s) present); it is tried again on the next request");
  }
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  rv = f->C_OpenSession(module_->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr,
                        &session);
  if (rv != CKR_OK) return failed("opening a session", rv);
  std::string pin = options_.pin;
  rv = f->C_Login(session, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(pin.data()), pin.size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    f->C_CloseSession(session);
    if (rv == CKR_PIN_INCORRECT) {
      return permissionDenied("PKCS#11 token \"" + options_.token_label +
                              "\": the PIN is wrong (CKR_PIN_INCORRECT); check the PIN file or "
                              "environment variable named in the configuration");
    }
    return failed("logging in", rv);
  }
  session_ = session;
  return Status::ok();
}

Result<std::vector<CK_OBJECT_HANDLE>> Pkcs11Token::find(std::vector<CK_ATTRIBUTE> templ) {
  CK_FUNCTION_LIST* f = module_->f;
  CK_RV rv = f->C_FindObjectsInit(session_, templ.data(), templ.size());
  if (rv != CKR_OK) return failed("searching objects", rv);
  std::vector<CK_OBJECT_HANDLE> found;
  CK_OBJECT_HANDLE batch[32];
  CK_ULONG n = 0;
  while ((rv = f->C_FindObjects(session_, batch, 32, &n)) == CKR_OK && n > 0) {
    found.insert(found.end(), batch, batch + n);
  }
  f->C_FindObjectsFinal(session_);
  if (rv != CKR_OK) return failed("searching objects", rv);
  return found;
}

Result<CK_OBJECT_HANDLE> Pkcs11Token::findOne(CK_OBJECT_CLASS object_class, const Bytes& id) {
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<CK_OBJECT_HANDLE> found,
      find({attr(CKA_CLASS, &object_class, sizeof object_class), bytesAttr(CKA_ID, id)}));
  if (found.empty()) {
    return notFound("PKCS#11 token \"" + options_.token_label + "\" holds no " +
                    name(kindOf(object_class)) + " with id " + hexEncode(id));
  }
  return found.front();
}

Result<Bytes> Pkcs11Token::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE query = attr(type, nullptr, 0);
  CK_RV rv = module_->f->C_GetAttributeValue(session_, object, &query, 1);
  if (rv == CKR_ATTRIBUTE_SENSITIVE) {
    return permissionDenied("PKCS#11 token \"" + options_.token_label +
                            "\" refuses to reveal the attribute (CKR_ATTRIBUTE_SENSITIVE)");
  }
  if (rv != CKR_OK) return failed("reading an attribute", rv);
  if (query.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    return permissionDenied("PKCS#11 token \"" + options_.token_label +
                            "\" refuses to reveal the attribute");
  }
  Bytes value(query.ulValueLen);
  query.pValue = value.data();
  rv = module_->f->C_GetAttributeValue(session_, object, &query, 1);
  if (rv != CKR_OK) return failed("reading an attribute", rv);
  value.resize(query.ulValueLen);
  return value;
}

Result<std::vector<TokenObject>> Pkcs11Token::objects() {
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CARDLINE_ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> handles, find({}));
  std::vector<TokenObject> out;
  for (CK_OBJECT_HANDLE handle : handles) {
    TokenObject object;
    CARDLINE_ASSIGN_OR_RETURN(Bytes object_class, attribute(handle, CKA_CLASS));
    CK_OBJECT_CLASS value = 0;
    if (object_class.size() == sizeof value) std::memcpy(&value, object_class.data(), sizeof value);
    object.kind = kindOf(value);
    auto label = attribute(handle, CKA_LABEL);
    if (label.isOk()) object.label = toString(*label);
    auto id = attribute(handle, CKA_ID);
    if (id.isOk()) object.id = *id;
    if (object.kind == TokenObjectKind::kPrivateKey || object.kind == TokenObjectKind::kSecretKey) {
      auto sensitive = attribute(handle, CKA_SENSITIVE);
      auto extractable = attribute(handle, CKA_EXTRACTABLE);
      object.sensitive = sensitive.isOk() && !sensitive->empty() && (*sensitive)[0] != 0;
      object.extractable = extractable.isOk() && !extractable->empty() && (*extractable)[0] != 0;
    }
    if (object.kind == TokenObjectKind::kCertificate) {
      CARDLINE_ASSIGN_OR_RETURN(object.value, attribute(handle, CKA_VALUE));
    }
    out.push_back(std::move(object));
  }
  return out;
}

Result<Bytes> Pkcs11Token::generateEcKeyPair(const Bytes& id, const std::string& label) {
  if (id.empty()) return invalidArgument("a key id must not be empty");
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<CK_OBJECT_HANDLE> existing,
      find({attr(CKA_CLASS, &private_class, sizeof private_class), bytesAttr(CKA_ID, id)}));
  if (!existing.empty()) {
    return alreadyExists("PKCS#11 token \"" + options_.token_label +
                         "\" already holds a private key with id " + hexEncode(id));
  }
  CK_MECHANISM mechanism{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  std::vector<CK_ATTRIBUTE> public_template = {
      bytesAttr(CKA_EC_PARAMS, kP256Params),
      boolAttr(CKA_TOKEN, true),
      boolAttr(CKA_VERIFY, true),
      bytesAttr(CKA_ID, id),
      textAttr(CKA_LABEL, label),
  };
  std::vector<CK_ATTRIBUTE> private_template = {
      boolAttr(CKA_TOKEN, true),        boolAttr(CKA_PRIVATE, true), boolAttr(CKA_SENSITIVE, true),
      boolAttr(CKA_EXTRACTABLE, false), boolAttr(CKA_SIGN, true),    boolAttr(CKA_DECRYPT, false),
      boolAttr(CKA_DERIVE, false),      boolAttr(CKA_UNWRAP, false), bytesAttr(CKA_ID, id),
      textAttr(CKA_LABEL, label),
  };
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  const CK_RV rv = module_->f->C_GenerateKeyPair(
      session_, &mechanism, public_template.data(), public_template.size(), private_template.data(),
      private_template.size(), &public_key, &private_key);
  if (rv != CKR_OK) return failed("generating an EC P-256 key pair", rv);
  CARDLINE_ASSIGN_OR_RETURN(Bytes point, attribute(public_key, CKA_EC_POINT));
  // CKA_EC_POINT is a DER OCTET STRING around the point (some modules give the bare point).
  if (point.size() == 67 && point[0] == 0x04 && point[1] == 0x41)
    point.erase(point.begin(), point.begin() + 2);
  return point;
}

Result<Bytes> Pkcs11Token::ecPublicPoint(const Bytes& id) {
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CARDLINE_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE key, findOne(CKO_PUBLIC_KEY, id));
  CARDLINE_ASSIGN_OR_RETURN(Bytes point, attribute(key, CKA_EC_POINT));
  if (point.size() == 67 && point[0] == 0x04 && point[1] == 0x41)
    point.erase(point.begin(), point.begin() + 2);
  return point;
}

Result<Bytes> Pkcs11Token::signEcdsa(const Bytes& id, const Bytes& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CARDLINE_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE key, findOne(CKO_PRIVATE_KEY, id));
  CK_MECHANISM mechanism{CKM_ECDSA, nullptr, 0};
  CK_RV rv = module_->f->C_SignInit(session_, &mechanism, key);
  if (rv != CKR_OK) return failed("starting an ECDSA signature", rv);
  Bytes signature(132);
  CK_ULONG length = signature.size();
  rv = module_->f->C_Sign(session_, const_cast<unsigned char*>(digest.data()), digest.size(),
                          signature.data(), &length);
  if (rv != CKR_OK) return failed("signing", rv);
  signature.resize(length);
  return signature;
}

Status Pkcs11Token::storeCertificate(const Bytes& id, const std::string& label, const Bytes& der,
                                     const Bytes& subject_der) {
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CK_OBJECT_CLASS cert_class = CKO_CERTIFICATE;
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<CK_OBJECT_HANDLE> existing,
      find({attr(CKA_CLASS, &cert_class, sizeof cert_class), bytesAttr(CKA_ID, id)}));
  if (!existing.empty()) {
    return alreadyExists("PKCS#11 token \"" + options_.token_label +
                         "\" already holds a certificate with id " + hexEncode(id));
  }
  CK_CERTIFICATE_TYPE type = CKC_X_509;
  std::vector<CK_ATTRIBUTE> templ = {
      attr(CKA_CLASS, &cert_class, sizeof cert_class),
      attr(CKA_CERTIFICATE_TYPE, &type, sizeof type),
      boolAttr(CKA_TOKEN, true),
      boolAttr(CKA_PRIVATE, false),
      bytesAttr(CKA_ID, id),
      textAttr(CKA_LABEL, label),
      bytesAttr(CKA_SUBJECT, subject_der),
      bytesAttr(CKA_VALUE, der),
  };
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  const CK_RV rv = module_->f->C_CreateObject(session_, templ.data(), templ.size(), &object);
  if (rv != CKR_OK) return failed("storing the certificate", rv);
  return Status::ok();
}

Result<int> Pkcs11Token::destroy(const Bytes& id, TokenObjectKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CK_OBJECT_CLASS object_class = classOf(kind);
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<CK_OBJECT_HANDLE> found,
      find({attr(CKA_CLASS, &object_class, sizeof object_class), bytesAttr(CKA_ID, id)}));
  for (CK_OBJECT_HANDLE object : found) {
    const CK_RV rv = module_->f->C_DestroyObject(session_, object);
    if (rv != CKR_OK) return failed("destroying an object", rv);
  }
  return static_cast<int>(found.size());
}

Result<Bytes> Pkcs11Token::keyAttribute(const Bytes& id, TokenObjectKind kind,
                                        CK_ATTRIBUTE_TYPE type) {
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CARDLINE_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE key, findOne(classOf(kind), id));
  return attribute(key, type);
}

Status Pkcs11Token::generateAesKey(const Bytes& id, const std::string& label) {
  if (id.empty()) return invalidArgument("a key id must not be empty");
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<CK_OBJECT_HANDLE> existing,
      find({attr(CKA_CLASS, &secret_class, sizeof secret_class), bytesAttr(CKA_ID, id)}));
  if (!existing.empty()) {
    return alreadyExists("PKCS#11 token \"" + options_.token_label +
                         "\" already holds a secret key with id " + hexEncode(id));
  }
  CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG length = 32;
  std::vector<CK_ATTRIBUTE> templ = {
      attr(CKA_VALUE_LEN, &length, sizeof length),
      boolAttr(CKA_TOKEN, true),
      boolAttr(CKA_PRIVATE, true),
      boolAttr(CKA_SENSITIVE, true),
      boolAttr(CKA_EXTRACTABLE, false),
      boolAttr(CKA_WRAP, true),
      boolAttr(CKA_UNWRAP, true),
      boolAttr(CKA_ENCRYPT, true),
      boolAttr(CKA_DECRYPT, true),
      bytesAttr(CKA_ID, id),
      textAttr(CKA_LABEL, label),
  };
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  const CK_RV rv =
      module_->f->C_GenerateKey(session_, &mechanism, templ.data(), templ.size(), &key);
  if (rv != CKR_OK) return failed("generating an AES-256 key", rv);
  return Status::ok();
}

Result<Bytes> Pkcs11Token::wrap(const Bytes& key_id, const Bytes& plain) {
  if (plain.empty()) return invalidArgument("nothing to wrap");
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CARDLINE_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE wrapping_key, findOne(CKO_SECRET_KEY, key_id));
  // The plain bytes become a temporary (session) generic secret, extractable so it can be
  // wrapped, destroyed right after.
  CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
  CK_KEY_TYPE generic = CKK_GENERIC_SECRET;
  std::vector<CK_ATTRIBUTE> templ = {
      attr(CKA_CLASS, &secret_class, sizeof secret_class),
      attr(CKA_KEY_TYPE, &generic, sizeof generic),
      boolAttr(CKA_TOKEN, false),
      boolAttr(CKA_EXTRACTABLE, true),
      boolAttr(CKA_SENSITIVE, false),
      bytesAttr(CKA_VALUE, plain),
  };
  CK_OBJECT_HANDLE temporary = CK_INVALID_HANDLE;
  CK_RV rv = module_->f->C_CreateObject(session_, templ.data(), templ.size(), &temporary);
  if (rv != CKR_OK) return failed("loading the key to wrap", rv);
  CK_MECHANISM mechanism{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
  CK_ULONG length = 0;
  rv = module_->f->C_WrapKey(session_, &mechanism, wrapping_key, temporary, nullptr, &length);
  Bytes wrapped(length);
  if (rv == CKR_OK) {
    rv = module_->f->C_WrapKey(session_, &mechanism, wrapping_key, temporary, wrapped.data(),
                               &length);
  }
  module_->f->C_DestroyObject(session_, temporary);
  if (rv != CKR_OK) return failed("wrapping a key", rv);
  wrapped.resize(length);
  return wrapped;
}

Result<Bytes> Pkcs11Token::unwrap(const Bytes& key_id, const Bytes& wrapped) {
  if (wrapped.empty()) return invalidArgument("nothing to unwrap");
  std::lock_guard<std::mutex> lock(mu_);
  CARDLINE_RETURN_IF_ERROR(ensureSession());
  CARDLINE_ASSIGN_OR_RETURN(CK_OBJECT_HANDLE wrapping_key, findOne(CKO_SECRET_KEY, key_id));
  CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
  CK_KEY_TYPE generic = CKK_GENERIC_SECRET;
  std::vector<CK_ATTRIBUTE> templ = {
      attr(CKA_CLASS, &secret_class, sizeof secret_class),
      attr(CKA_KEY_TYPE, &generic, sizeof generic),
      boolAttr(CKA_TOKEN, false),
      boolAttr(CKA_EXTRACTABLE, true),
      boolAttr(CKA_SENSITIVE, false),
  };
  CK_MECHANISM mechanism{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
  CK_OBJECT_HANDLE unwrapped = CK_INVALID_HANDLE;
  CK_RV rv = module_->f->C_UnwrapKey(session_, &mechanism, wrapping_key,
                                     const_cast<unsigned char*>(wrapped.data()), wrapped.size(),
                                     templ.data(), templ.size(), &unwrapped);
  if (rv == CKR_WRAPPED_KEY_INVALID || rv == CKR_ENCRYPTED_DATA_INVALID ||
      rv == CKR_WRAPPED_KEY_LEN_RANGE || rv == CKR_FUNCTION_FAILED ||
      rv == CKR_GENERAL_ERROR) {  // SoftHSM2 reports a failed integrity check so
    return dataLoss("PKCS#11 token \"" + options_.token_label +
                    "\": the wrapped key does not unwrap under key " + hexEncode(key_id) + " (" +
                    ckrName(rv) + ")");
  }
  if (rv != CKR_OK) return failed("unwrapping a key", rv);
  Result<Bytes> value = attribute(unwrapped, CKA_VALUE);
  module_->f->C_DestroyObject(session_, unwrapped);
  return value;
}

}  // namespace cardline
