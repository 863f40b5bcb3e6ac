#include "mes/base/identifier.h"

namespace cardline {
namespace {

bool isAlnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

Status validateIdentifier(std::string_view what, std::string_view value) {
  const std::string name(what);
  if (value.empty()) return invalidArgument(name + " is empty");
  if (value.size() > kMaxIdentifierLength) {
    return invalidArgument(name + " has " + std::to_string(value.size()) +
                           " characters; at most " + std::to_string(kMaxIdentifierLength));
  }
  for (char c : value) {
    if (!isAlnum(c) && c != '.' && c != '_' && c != '-') {
      return invalidArgument(name + " may contain only A-Z, a-z, 0-9, '.', '_' and '-'");
    }
  }
  if (!isAlnum(value.front())) {
    return invalidArgument(name + " \"" + std::string(value) +
                           "\" must start with a letter or a digit");
  }
  if (value.find("..") != std::string_view::npos) {
    return invalidArgument(name + " \"" + std::string(value) + "\" may not contain \"..\"");
  }
  return Status::ok();
}

}  // namespace cardline
