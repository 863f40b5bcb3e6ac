#include "mes/blanks/commands.h"

#include <fstream>
#include <set>

namespace cardline {

Result<std::vector<std::string>> parseSerialList(const std::string& text) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::string item;
  auto flush = [&]() -> Status {
    if (item.empty()) return Status::ok();
    std::vector<std::string> expanded;
    std::size_t dots = item.find("..");
    if (dots == std::string::npos) {
      expanded.push_back(item);
    } else {
      CARDLINE_ASSIGN_OR_RETURN(expanded,
                                expandSerialRange(item.substr(0, dots), item.substr(dots + 2)));
    }
    for (std::string& serial : expanded) {
      if (!seen.insert(serial).second) {
        return invalidArgument("blank serial " + serial + " is listed twice");
      }
      out.push_back(std::move(serial));
    }
    item.clear();
    return Status::ok();
  };
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      CARDLINE_RETURN_IF_ERROR(flush());
    } else {
      item += c;
    }
  }
  CARDLINE_RETURN_IF_ERROR(flush());
  return out;
}

Result<Reconciliation> runReconciliation(Store& store, BlankStock& stock,
                                         const ReconciliationQuery& query) {
  Reconciliation rec;
  if (query.shift_id != 0) {
    CARDLINE_RETURN_IF_ERROR(store.transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(rec, stock.reconcileShift(tx, query.shift_id, std::nullopt));
      return Status::ok();
    }));
    return rec;
  }
  if (query.from.empty() || query.to.empty()) {
    return invalidArgument("a reconciliation needs --shift ID or both --from and --to");
  }
  CARDLINE_ASSIGN_OR_RETURN(auto window, reportWindow(query.from, query.to));
  CARDLINE_RETURN_IF_ERROR(store.transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(rec,
                              stock.reconcileRange(tx, query.line, window.first, window.second));
    return Status::ok();
  }));
  return rec;
}

Status writeTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return unavailable("cannot open " + path + " for writing");
  out << text;
  out.close();
  if (!out) return unavailable("cannot write " + path);
  return Status::ok();
}

}  // namespace cardline
