#include "mes/scheduler/dispatch_policy.h"

#include <gtest/gtest.h>

#include <map>

namespace cardline {
namespace {

const Timestamp kNow = Timestamp::fromSeconds(1767225600);

StationJob job(std::int64_t id, Priority p, std::int64_t due_hours, const std::string& province,
               const std::string& unit) {
  StationJob j;
  j.id = id;
  j.priority = p;
  j.due = kNow.plusSeconds(due_hours * 3600);
  j.province = province;
  j.receiving_unit = unit;
  return j;
}

std::vector<std::int64_t> ids(const std::vector<StationJob>& ready,
                              const std::vector<std::size_t>& picked) {
  std::vector<std::int64_t> out;
  for (auto i : picked) out.push_back(ready[i].id);
  return out;
}

TEST(DispatchPolicyTest, UrgentFirstThenDueSoon) {
  std::vector<StationJob> ready = {
      job(1, Priority::kNormal, 40, "001", "U1"),
      job(2, Priority::kNormal, 2, "001", "U1"),  // due soon
      job(3, Priority::kUrgent, 30, "079", "U9"),
      job(4, Priority::kNormal, -5, "079", "U9"),  // breached
  };
  DispatchPolicy policy;
  EXPECT_EQ(ids(ready, policy.choose(ready, 3, kNow)), (std::vector<std::int64_t>{3, 4, 2}));
}

TEST(DispatchPolicyTest, ProvincesTakeTurns) {
  std::vector<StationJob> ready;
  // Province 001 has a big backlog of older jobs; 079 and 048 have a few newer ones.
  for (int i = 0; i < 20; ++i)
    ready.push_back(job(100 + i, Priority::kNormal, 24, "001", "HN-" + std::to_string(i)));
  ready.push_back(job(200, Priority::kNormal, 30, "079", "HCM-1"));
  ready.push_back(job(300, Priority::kNormal, 30, "048", "DN-1"));
  DispatchPolicyOptions options;
  options.unit_run = 1;
  DispatchPolicy policy(options);
  auto picked = ids(ready, policy.choose(ready, 6, kNow));
  // Within the first three picks every province is served once.
  std::map<std::string, int> first_round;
  for (int i = 0; i < 3; ++i) {
    for (const auto& j : ready) {
      if (j.id == picked[i]) ++first_round[j.province];
    }
  }
  EXPECT_EQ(first_round.size(), 3u);
}

TEST(DispatchPolicyTest, KeepsOneReceivingUnitTogether) {
  std::vector<StationJob> ready = {
      job(1, Priority::kNormal, 30, "001", "A"), job(2, Priority::kNormal, 30, "001", "B"),
      job(3, Priority::kNormal, 30, "001", "A"), job(4, Priority::kNormal, 30, "001", "B"),
      job(5, Priority::kNormal, 30, "001", "A"),
  };
  DispatchPolicy policy;
  EXPECT_EQ(ids(ready, policy.choose(ready, 5, kNow)), (std::vector<std::int64_t>{1, 3, 5, 2, 4}));
}

TEST(DispatchPolicyTest, RunContinuesAcrossCalls) {
  std::vector<StationJob> first = {job(1, Priority::kNormal, 30, "001", "A"),
                                   job(2, Priority::kNormal, 30, "001", "B")};
  DispatchPolicy policy;
  EXPECT_EQ(ids(first, policy.choose(first, 1, kNow)), (std::vector<std::int64_t>{1}));
  std::vector<StationJob> second = {job(2, Priority::kNormal, 30, "001", "B"),
                                    job(6, Priority::kNormal, 31, "001", "A")};
  EXPECT_EQ(ids(second, policy.choose(second, 1, kNow)), (std::vector<std::int64_t>{6}));
}

TEST(DispatchPolicyTest, NeverPicksMoreThanAskedOrTwice) {
  std::vector<StationJob> ready;
  for (int i = 0; i < 50; ++i) {
    ready.push_back(job(i, i % 3 == 0 ? Priority::kUrgent : Priority::kNormal, i % 7,
                        "0" + std::to_string(10 + i % 4), "U" + std::to_string(i % 5)));
  }
  DispatchPolicy policy;
  for (int count : {0, 1, 7, 50, 80}) {
    auto picked = policy.choose(ready, count, kNow);
    EXPECT_EQ(static_cast<int>(picked.size()), std::min(count, 50));
    std::vector<bool> seen(ready.size());
    for (auto i : picked) {
      EXPECT_FALSE(seen[i]);
      seen[i] = true;
    }
  }
}

TEST(WipLimitsTest, PrintStopsWhenDownstreamIsFull) {
  WipLimits limits;
  limits.after_print = 10;
  limits.after_encode = 5;
  EXPECT_EQ(admissibleJobs(StationType::kPrint, limits, 4, 0, 8), 6);
  EXPECT_EQ(admissibleJobs(StationType::kPrint, limits, 10, 0, 8), 0);
  EXPECT_EQ(admissibleJobs(StationType::kPrint, limits, 15, 0, 8), 0);
  EXPECT_EQ(admissibleJobs(StationType::kEncode, limits, 100, 5, 3), 0);
  EXPECT_EQ(admissibleJobs(StationType::kEncode, limits, 100, 3, 3), 2);
  EXPECT_EQ(admissibleJobs(StationType::kQa, limits, 100, 100, 3), 3);
}

}  // namespace
}  // namespace cardline
