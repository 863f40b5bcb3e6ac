#include "mes/security/pkcs11/wrapped_key.h"

#include <sstream>

namespace cardline {
namespace {

constexpr const char* kHeader = "cardline-wrapped-key v1";

Bytes wrappingKeyId() {
  const std::string label = kPiiWrappingKeyLabel;
  return Bytes(label.begin(), label.end());
}

}  // namespace

bool isWrappedKeyText(const std::string& text) { return text.rfind(kHeader, 0) == 0; }

Result<std::string> wrapSecret(Pkcs11Token& token, const Bytes& plain) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<TokenObject> objects, token.objects());
  bool present = false;
  for (const TokenObject& object : objects) {
    present =
        present || (object.kind == TokenObjectKind::kSecretKey && object.id == wrappingKeyId());
  }
  if (!present) {
    CARDLINE_RETURN_IF_ERROR(token.generateAesKey(wrappingKeyId(), kPiiWrappingKeyLabel));
  }
  CARDLINE_ASSIGN_OR_RETURN(Bytes wrapped, token.wrap(wrappingKeyId(), plain));
  return std::string(kHeader) + "\ntoken-key: " + kPiiWrappingKeyLabel +
         "\nwrapped: " + hexEncode(wrapped) + "\n";
}

Result<Bytes> unwrapSecret(Pkcs11Token& token, const std::string& text) {
  std::istringstream in(text);
  std::string header, key_line, wrapped_line;
  std::getline(in, header);
  std::getline(in, key_line);
  std::getline(in, wrapped_line);
  if (header != kHeader) {
    return invalidArgument("line 1: expected \"" + std::string(kHeader) +
                           "\" (a key wrapped by the token), got \"" + header.substr(0, 40) + "\"");
  }
  const std::string key_prefix = "token-key: ";
  if (key_line.rfind(key_prefix, 0) != 0) {
    return invalidArgument("line 2: expected \"token-key: LABEL\"");
  }
  const std::string label = key_line.substr(key_prefix.size());
  const std::string wrapped_prefix = "wrapped: ";
  if (wrapped_line.rfind(wrapped_prefix, 0) != 0) {
    return invalidArgument("line 3: expected \"wrapped: HEX\"");
  }
  Result<Bytes> wrapped = hexDecode(wrapped_line.substr(wrapped_prefix.size()));
  if (!wrapped.isOk() || wrapped->empty()) {
    return invalidArgument("line 3: the wrapped key is not hex");
  }
  return token.unwrap(Bytes(label.begin(), label.end()), *wrapped);
}

}  // namespace cardline
