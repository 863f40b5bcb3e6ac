#include "devices/sim/job_parts.h"

#include <sstream>

namespace cardline::sim {

bool JobParts::headersOnly() const { return metaValue("artefacts") == "headers"; }

std::string JobParts::metaValue(const std::string& key) const {
  auto it = meta.find(key);
  return it == meta.end() ? std::string() : it->second;
}

Result<Bytes> JobParts::file(const std::string& name) const {
  auto it = files.find(name);
  if (it == files.end()) return invalidArgument("the job has no part " + name);
  return it->second;
}

Result<JobParts> readJobParts(const protocol::Job& job) {
  JobParts out;
  bool has_meta = false;
  for (const protocol::Part& part : job.parts) {
    if (part.name == "meta.txt") {
      has_meta = true;
      std::istringstream lines(part.data);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.empty()) continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos) return invalidArgument("meta.txt: bad line \"" + line + "\"");
        out.meta[line.substr(0, eq)] = line.substr(eq + 1);
      }
    } else if (part.name == "layout.txt") {
      std::istringstream lines(part.data);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.empty()) continue;
        std::istringstream fields(line);
        std::string face;
        LayoutBox box;
        if (!(fields >> face >> box.kind >> box.binding >> box.x >> box.y >> box.w >> box.h) ||
            (face != "front" && face != "back")) {
          return invalidArgument("layout.txt: bad line \"" + line + "\"");
        }
        box.face = face == "front" ? 0 : 1;
        if (box.binding == "-") box.binding.clear();
        out.layout.push_back(box);
      }
    } else {
      out.files[part.name] = Bytes(part.data.begin(), part.data.end());
    }
  }
  if (!has_meta) return invalidArgument("the job has no meta.txt part");
  return out;
}

}  // namespace cardline::sim
