#include "mes/http/static_files.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <utility>

namespace cardline {
namespace {

Result<std::string> realPath(const std::string& path) {
  char buffer[PATH_MAX];
  if (::realpath(path.c_str(), buffer) == nullptr) return notFound("no such file: " + path);
  return std::string(buffer);
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string contentTypeFor(const std::string& file_name) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (endsWith(file_name, extension)) return type;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {}

Result<std::string> StaticFiles::resolve(const std::string& request_path) const {
  if (request_path.empty() || request_path[0] != '/') {
    return invalidArgument("a path starts with '/'");
  }
  if (request_path.find('\0') != std::string::npos ||
      request_path.find('\\') != std::string::npos) {
    return invalidArgument("bad character in path");
  }
  std::string relative;
  std::size_t start = 1;
  while (start <= request_path.size()) {
    std::size_t end = request_path.find('/', start);
    if (end == std::string::npos) end = request_path.size();
    const std::string segment = request_path.substr(start, end - start);
    if (end == request_path.size() && segment.empty()) break;  // trailing slash or "/"
    if (segment.empty() || segment[0] == '.') {
      return invalidArgument("path segments may not be empty, '.', '..' or hidden");
    }
    relative += "/" + segment;
    start = end + 1;
  }
  CARDLINE_ASSIGN_OR_RETURN(std::string root, realPath(root_));
  std::string candidate = root + relative;
  struct stat info {};
  if (::stat(candidate.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    candidate += "/index.html";
  }
  CARDLINE_ASSIGN_OR_RETURN(std::string resolved, realPath(candidate));
  if (resolved.compare(0, root.size() + 1, root + "/") != 0) {
    return invalidArgument("path leaves the web root");
  }
  if (::stat(resolved.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return notFound("no such file: " + request_path);
  }
  return resolved;
}

HttpResponse StaticFiles::serve(const HttpRequest& request) const {
  Result<std::string> path = resolve(request.path);
  if (!path.isOk()) {
    if (path.status().code() == ErrorCode::kNotFound) {
      return HttpResponse::error(404, "not_found", "no such resource: " + request.path);
    }
    return HttpResponse::error(400, "bad_path", path.status().message());
  }
  std::ifstream in(*path, std::ios::binary);
  if (!in) return HttpResponse::error(404, "not_found", "no such resource: " + request.path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  HttpResponse response;
  response.status = 200;
  response.content_type = contentTypeFor(*path);
  response.body = bytes.str();
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace cardline
