#include "mes/reports/aggregate/cycle_histogram.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace cardline {
namespace {

constexpr std::int64_t kFirstBoundSeconds = 60;

// bounds[i] = lower bound of bucket i (bounds[0] = 0), bounds[kCycleBucketCount] = the
// stand-in upper bound of the overflow bucket.
const std::array<std::int64_t, kCycleBucketCount + 1>& bounds() {
  static const std::array<std::int64_t, kCycleBucketCount + 1> table = [] {
    std::array<std::int64_t, kCycleBucketCount + 1> t{};
    t[0] = 0;
    for (int i = 1; i <= kCycleBucketCount; ++i) {
      double exponent = static_cast<double>(i - 1) / kCycleBucketsPerDoubling;
      t[static_cast<std::size_t>(i)] =
          std::llround(static_cast<double>(kFirstBoundSeconds) * std::pow(2.0, exponent));
    }
    return t;
  }();
  return table;
}

}  // namespace

int cycleBucketFor(std::int64_t seconds) {
  const auto& b = bounds();
  if (seconds < b[1]) return 0;
  // The last lower bound <= seconds, among buckets 1 .. kCycleBucketCount-1.
  auto end = b.begin() + kCycleBucketCount;
  auto it = std::upper_bound(b.begin() + 1, end, seconds);
  return static_cast<int>(it - b.begin()) - 1;
}

std::int64_t cycleBucketLowerSeconds(int bucket) {
  bucket = std::clamp(bucket, 0, kCycleBucketCount - 1);
  return bounds()[static_cast<std::size_t>(bucket)];
}

std::int64_t cycleBucketUpperSeconds(int bucket) {
  bucket = std::clamp(bucket, 0, kCycleBucketCount - 1);
  return bounds()[static_cast<std::size_t>(bucket) + 1];
}

std::int64_t CycleDistribution::total() const {
  std::int64_t sum = 0;
  for (std::int64_t c : counts) sum += c;
  return sum;
}

std::int64_t CycleDistribution::percentileSeconds(double q) const {
  const std::int64_t n = total();
  if (n == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  std::int64_t rank = static_cast<std::int64_t>(std::ceil(q * static_cast<double>(n)));
  rank = std::clamp<std::int64_t>(rank, 1, n);
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank) return cycleBucketUpperSeconds(static_cast<int>(i));
  }
  return cycleBucketUpperSeconds(kCycleBucketCount - 1);
}

std::int64_t CycleDistribution::countWithin(std::int64_t limit_seconds) const {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (cycleBucketUpperSeconds(static_cast<int>(i)) <= limit_seconds) n += counts[i];
  }
  return n;
}

}  // namespace cardline
