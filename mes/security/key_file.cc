#include "mes/security/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/rand.h>

namespace cardline {
namespace {

std::string trimmed(const std::string& s) {
  const char* ws = " \t\r\n";
  const auto first = s.find_first_not_of(ws);
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(ws);
  return s.substr(first, last - first + 1);
}

bool isHex(const std::string& s) {
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

}  // namespace

Result<Bytes> loadKeyFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return notFound("key file " + path + " does not exist");
    return permissionDenied("key file " + path + ": " + std::strerror(errno));
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return permissionDenied("key file " + path +
                            " is accessible by group or others; run chmod 600 on it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return permissionDenied("key file " + path + " cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string content = trimmed(text.str());
  Result<Bytes> key = (content.size() == 2 * kMasterKeySize && isHex(content))
                          ? hexDecode(content)
                          : base64Decode(content);
  if (!key.isOk()) {
    return invalidArgument("key file " + path + " holds neither hex nor base64 text");
  }
  if (key->size() != kMasterKeySize) {
    return invalidArgument("key file " + path + " holds " + std::to_string(key->size()) +
                           " bytes; expected " + std::to_string(kMasterKeySize));
  }
  return key;
}

Result<KeyFileOutcome> generateKeyFile(const std::string& path) {
  Bytes key(kMasterKeySize);
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return internalError("random generator failed while creating key file " + path);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return KeyFileOutcome::kAlreadyPresent;
    return unavailable("cannot create key file " + path + ": " + std::strerror(errno));
  }
  const std::string text = hexEncode(key) + "\n";
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string error = std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return unavailable("cannot write key file " + path + ": " + error);
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const std::string sync_error = synced ? "" : std::strerror(errno);
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    const std::string error = synced ? std::strerror(errno) : sync_error;
    ::unlink(path.c_str());
    return unavailable("cannot flush key file " + path + ": " + error);
  }
  return KeyFileOutcome::kCreated;
}

}  // namespace cardline
