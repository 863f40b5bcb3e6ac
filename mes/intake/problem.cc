#include "mes/intake/problem.h"

namespace cardline {

const std::string& RawRecord::get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = fields.find(name);
  return it == fields.end() ? kEmpty : it->second;
}

bool RawRecord::has(const std::string& name) const { return !get(name).empty(); }

}  // namespace cardline
