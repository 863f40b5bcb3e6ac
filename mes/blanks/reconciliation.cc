#include "mes/blanks/reconciliation.h"
#include "mes/base/csv_text.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>

#include "mes/base/date.h"

namespace cardline {
namespace {

struct SerialHistory {
  std::string lot_id;
  std::optional<BlankState> before;  // state when the window opened (none: not yet received)
  std::optional<BlankState> after;   // state when the window closed
  bool received_in_window = false;
};

bool openingState(BlankState state) {
  return isOnHand(state) || state == BlankState::kPersonalised || state == BlankState::kSpoiled;
}

void countFinal(ReconciliationCounts& counts, BlankState state) {
  switch (state) {
    case BlankState::kInVault:
    case BlankState::kIssued:
      ++counts.on_hand;
      break;
    case BlankState::kPersonalised:
      ++counts.in_process;
      break;
    case BlankState::kGood:
      ++counts.good;
      break;
    case BlankState::kSpoiled:
      ++counts.spoiled;
      break;
    case BlankState::kSample:
      ++counts.samples;
      break;
    case BlankState::kReturned:
      ++counts.returned;
      break;
    case BlankState::kDestroyed:
      ++counts.destroyed;
      break;
  }
}

std::string csvField(const std::string& value) { return csvCell(value); }

std::string joinSerials(const std::vector<std::string>& serials) {
  std::string out;
  for (const auto& s : serials) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

bool Reconciliation::balanced() const {
  if (total.ledgerGap() != 0) return false;
  return !count_given || (missing.empty() && unexpected.empty());
}

std::string Reconciliation::summary() const {
  if (balanced()) return "balanced";
  std::string out;
  if (total.ledgerGap() != 0) {
    out = "ledger gap " + std::to_string(total.ledgerGap()) + "; ";
  }
  out += "difference " + std::to_string(total.difference) + " (counted " +
         std::to_string(total.counted) + ", expected on hand " + std::to_string(total.on_hand) +
         "; missing: " + (missing.empty() ? "none" : joinSerials(missing)) +
         "; unexpected: " + (unexpected.empty() ? "none" : joinSerials(unexpected)) + ")";
  return out;
}

Reconciliation computeReconciliation(const std::vector<BlankMovement>& movements,
                                     std::int64_t after_seq, const std::vector<BlankLot>& lots,
                                     const std::optional<std::vector<std::string>>& counted) {
  std::map<std::string, SerialHistory> serials;
  for (const BlankMovement& m : movements) {
    SerialHistory& h = serials[m.serial];
    h.lot_id = m.lot_id;
    if (m.seq <= after_seq) {
      h.before = m.to;
    } else if (!m.from.has_value()) {
      h.received_in_window = true;
    }
    h.after = m.to;
  }

  Reconciliation rec;
  rec.count_given = counted.has_value();
  std::set<std::string> counted_set;
  if (counted) counted_set.insert(counted->begin(), counted->end());

  std::map<std::string, LotReconciliation> per_lot;
  for (const BlankLot& lot : lots) {
    LotReconciliation& l = per_lot[lot.id];
    l.lot_id = lot.id;
    l.supplier = lot.supplier;
    l.chip_type = lot.chip_type;
  }
  std::set<std::string> expected_on_hand;
  for (const auto& [serial, h] : serials) {
    bool in_opening = h.before.has_value() && openingState(*h.before);
    if (!in_opening && !h.received_in_window) continue;
    LotReconciliation& l = per_lot[h.lot_id];
    l.lot_id = h.lot_id;
    if (in_opening) ++l.counts.opening;
    if (h.received_in_window) ++l.counts.received;
    if (h.after) countFinal(l.counts, *h.after);
    if (h.after && isOnHand(*h.after)) {
      expected_on_hand.insert(serial);
      if (counted && counted_set.count(serial) == 0) {
        l.missing.push_back(serial);
        rec.missing.push_back(serial);
      }
    }
  }
  if (counted) {
    for (const std::string& serial : counted_set) {
      if (expected_on_hand.count(serial) != 0) {
        auto found = serials.find(serial);
        ++per_lot[found->second.lot_id].counts.counted;
        continue;
      }
      auto found = serials.find(serial);
      std::string lot_id = found == serials.end() ? "" : found->second.lot_id;
      LotReconciliation& l = per_lot[lot_id];
      l.lot_id = lot_id;
      ++l.counts.counted;
      l.unexpected.push_back(serial);
      rec.unexpected.push_back(serial);
    }
  }
  for (auto& [id, l] : per_lot) {
    if (counted) l.counts.difference = l.counts.counted - l.counts.on_hand;
    ReconciliationCounts& t = rec.total;
    const ReconciliationCounts& c = l.counts;
    t.opening += c.opening;
    t.received += c.received;
    t.good += c.good;
    t.spoiled += c.spoiled;
    t.samples += c.samples;
    t.returned += c.returned;
    t.destroyed += c.destroyed;
    t.in_process += c.in_process;
    t.on_hand += c.on_hand;
    t.counted += c.counted;
    t.difference += c.difference;
    rec.lots.push_back(std::move(l));
  }
  return rec;
}

Result<std::pair<Timestamp, Timestamp>> reportWindow(const std::string& from,
                                                     const std::string& to) {
  auto parse = [](const std::string& text, bool end) -> Result<Timestamp> {
    if (text.size() == 10) {
      CARDLINE_ASSIGN_OR_RETURN(Date date, Date::parse(text));
      return Timestamp::fromSeconds((date.toDays() + (end ? 1 : 0)) * 86400);
    }
    return parseIsoTimestamp(text);
  };
  CARDLINE_ASSIGN_OR_RETURN(Timestamp start, parse(from, false));
  CARDLINE_ASSIGN_OR_RETURN(Timestamp end, parse(to, true));
  if (!(start < end)) {
    return invalidArgument("the report range " + from + ".." + to + " is empty or reversed");
  }
  return std::make_pair(start, end);
}

std::string reconciliationCsv(const Reconciliation& r) {
  std::string out =
      "record,line,shift,from,to,lot,supplier,chip_type,opening,received,good,spoiled,samples,"
      "returned,destroyed,in_process,on_hand,counted,difference,serial,detail\r\n";
  std::string prefix = csvField(r.line) + "," +
                       (r.shift_id == 0 ? "" : std::to_string(r.shift_id)) + "," +
                       formatIsoTimestamp(r.from) + "," + formatIsoTimestamp(r.to) + ",";
  auto countsRow = [&](const std::string& record, const std::string& lot,
                       const std::string& supplier, const std::string& chip,
                       const ReconciliationCounts& c) {
    out += record + "," + prefix + csvField(lot) + "," + csvField(supplier) + "," + csvField(chip);
    for (std::int64_t v : {c.opening, c.received, c.good, c.spoiled, c.samples, c.returned,
                           c.destroyed, c.in_process, c.on_hand, c.counted, c.difference}) {
      out += "," + std::to_string(v);
    }
    out += ",,\r\n";
  };
  auto serialRow = [&](const std::string& record, const std::string& lot, const std::string& serial,
                       const std::string& detail) {
    out += record + "," + prefix + csvField(lot) + ",,,,,,,,,,,,,," + csvField(serial) + "," +
           csvField(detail) + "\r\n";
  };
  for (const LotReconciliation& l : r.lots) {
    countsRow("lot", l.lot_id, l.supplier, l.chip_type, l.counts);
  }
  countsRow("total", "", "", "", r.total);
  for (const LotReconciliation& l : r.lots) {
    for (const auto& s : l.missing)
      serialRow("missing", l.lot_id, s, "expected on hand but not counted");
    for (const auto& s : l.unexpected) {
      serialRow("unexpected", l.lot_id, s, "counted but not expected on hand");
    }
  }
  for (const BlankFlag& f : r.flags) {
    serialRow("flag", "", f.serial,
              std::string(name(f.kind)) + " device " + f.device_id + ": " + f.detail);
  }
  return out;
}

}  // namespace cardline
