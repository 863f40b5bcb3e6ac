#pragma once
// Static files of the browser UI (web/), served on GET for paths that match no API route.
// Path resolution is safe: the decoded path may not contain "..", ".", empty or hidden
// ("."-prefixed) segments, backslashes or NUL, and the resolved real path (symlinks followed)
// must lie inside the root. "/" and directory paths serve index.html. Thread-safe.

#include <string>

#include "mes/base/status.h"
#include "mes/http/router.h"

namespace cardline {

class StaticFiles {
 public:
  // `root` is the web/ directory.
  explicit StaticFiles(std::string root);

  // The absolute file path for a request path. kInvalidArgument for a path that tries to
  // leave the root or names a hidden file; kNotFound if there is no such regular file.
  Result<std::string> resolve(const std::string& request_path) const;

  // The file as a response with its content type (200), or a JSON 400/404.
  HttpResponse serve(const HttpRequest& request) const;

 private:
  std::string root_;
};

// The Content-Type for a file name by its extension ("application/octet-stream" if unknown).
std::string contentTypeFor(const std::string& file_name);

}  // namespace cardline
