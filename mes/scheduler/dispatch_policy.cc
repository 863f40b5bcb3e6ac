#include "mes/scheduler/dispatch_policy.h"

#include <algorithm>
#include <deque>

namespace cardline {

std::vector<std::size_t> DispatchPolicy::choose(const std::vector<StationJob>& ready, int count,
                                                Timestamp now) {
  std::vector<std::size_t> picked;
  if (count <= 0 || ready.empty()) return picked;
  const Timestamp soon = now.plusSeconds(options_.horizon_seconds);

  for (Priority klass : {Priority::kUrgent, Priority::kNormal}) {
    // Rule 2: due soon (or breached), earliest deadline first; the store order is by due
    // already, a stable sort keeps that for equal deadlines.
    std::vector<std::size_t> due_soon;
    // Rule 3/4: everything else, per province, in store order.
    std::map<std::string, std::deque<std::size_t>> by_province;
    for (std::size_t i = 0; i < ready.size(); ++i) {
      const StationJob& job = ready[i];
      if (job.priority != klass) continue;
      if (job.due <= soon) {
        due_soon.push_back(i);
      } else {
        by_province[job.province].push_back(i);
      }
    }
    std::stable_sort(due_soon.begin(), due_soon.end(),
                     [&](std::size_t a, std::size_t b) { return ready[a].due < ready[b].due; });
    for (std::size_t i : due_soon) {
      if (static_cast<int>(picked.size()) == count) return picked;
      picked.push_back(i);
    }

    // Round robin over provinces, starting after the one served last.
    while (static_cast<int>(picked.size()) < count && !by_province.empty()) {
      auto turn = by_province.upper_bound(last_province_);
      if (turn == by_province.end()) turn = by_province.begin();
      std::deque<std::size_t>& queue = turn->second;

      // Rule 4: continue the current receiving unit's run while it lasts in this province.
      auto next = queue.begin();
      if (!current_unit_.empty() && current_unit_taken_ < options_.unit_run) {
        auto same = std::find_if(queue.begin(), queue.end(), [&](std::size_t i) {
          return ready[i].receiving_unit == current_unit_;
        });
        if (same != queue.end()) next = same;
      }
      const std::size_t chosen = *next;
      queue.erase(next);
      picked.push_back(chosen);

      const std::string& unit = ready[chosen].receiving_unit;
      if (unit == current_unit_) {
        ++current_unit_taken_;
      } else {
        current_unit_ = unit;
        current_unit_taken_ = 1;
      }
      // A province keeps its turn while its current unit's run continues; otherwise the next
      // province is served.
      const bool run_continues = current_unit_taken_ < options_.unit_run &&
                                 std::any_of(queue.begin(), queue.end(), [&](std::size_t i) {
                                   return ready[i].receiving_unit == current_unit_;
                                 });
      if (!run_continues) last_province_ = turn->first;
      if (queue.empty()) by_province.erase(turn);
    }
    if (static_cast<int>(picked.size()) == count) return picked;
  }
  return picked;
}

int admissibleJobs(StationType station, const WipLimits& limits, std::int64_t downstream_of_print,
                   std::int64_t downstream_of_encode, int wanted) {
  std::int64_t room = wanted;
  if (station == StationType::kPrint) room = limits.after_print - downstream_of_print;
  if (station == StationType::kEncode) room = limits.after_encode - downstream_of_encode;
  return static_cast<int>(std::max<std::int64_t>(0, std::min<std::int64_t>(room, wanted)));
}

}  // namespace cardline
