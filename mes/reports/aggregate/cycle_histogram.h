#pragma once
// The log-spaced histogram that cycle-time samples are counted into (CycleBucket rows of
// mes/core/rollups.h), and percentiles read back from it.
//
// Bucket 0 holds samples below 60 s. Bucket i (1 <= i < kCycleBucketCount - 1) holds samples
// in [60 s * 2^((i-1)/8), 60 s * 2^(i/8)); the last bucket holds everything from
// 60 s * 2^((kCycleBucketCount-2)/8) (about 182 days) up. Bounds are rounded to whole seconds.
//
// Error bound: a percentile is reported as the upper bound of the bucket holding the sample of
// that rank, so for samples of at least 60 s the reported value v and the exact sample value x
// satisfy x <= v < x * 2^(1/8), i.e. it overstates by less than 9.05 % and never understates
// (conservative against service levels). Below 60 s it reports 60 s. The share of samples
// within a service level counts only buckets that end at or below it, so it never overstates
// compliance; it understates it by at most the samples of the one bucket straddling the limit.

#include <cstdint>
#include <vector>

namespace cardline {

// 1 bucket below a minute + 8 buckets per doubling for 18 doublings + 1 overflow bucket.
inline constexpr int kCycleBucketsPerDoubling = 8;
inline constexpr int kCycleBucketCount = 1 + kCycleBucketsPerDoubling * 18 + 1;

// The bucket of a duration in seconds (negative durations count as 0).
int cycleBucketFor(std::int64_t seconds);
// The inclusive lower bound of bucket i in seconds (0 for bucket 0).
std::int64_t cycleBucketLowerSeconds(int bucket);
// The exclusive upper bound of bucket i in seconds; for the overflow bucket, its lower bound
// times 2^(1/8) (a finite stand-in used when a percentile falls there).
std::int64_t cycleBucketUpperSeconds(int bucket);

// Counts per bucket (index = bucket) of one segment over a period.
struct CycleDistribution {
  std::vector<std::int64_t> counts = std::vector<std::int64_t>(kCycleBucketCount, 0);
  std::int64_t total() const;
  // The upper bound in seconds of the bucket holding the sample of rank ceil(q * total)
  // (q in (0, 1]); 0 when there are no samples.
  std::int64_t percentileSeconds(double q) const;
  // Samples in buckets whose upper bound is <= limit_seconds (see the error bound above).
  std::int64_t countWithin(std::int64_t limit_seconds) const;
};

}  // namespace cardline
