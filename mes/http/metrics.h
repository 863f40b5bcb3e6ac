#pragma once
// A small metrics registry rendered in the Prometheus text exposition format 0.0.4: counters,
// gauges and histograms, each a family of series told apart by labels. Components update it
// directly (counters, histograms) or register a collector that sets gauges at scrape time
// (queue depths, device states). Thread-safe.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace cardline {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };  // "counter", "gauge", "histogram"
const char* name(MetricType type);

class MetricsRegistry {
 public:
  // Latency buckets in seconds used by histograms unless describe() names others.
  static const std::vector<double>& defaultBuckets();

  // Declares a family with its help text (and, for histograms, upper bucket bounds in
  // ascending order). Series of undeclared families are declared on first use with an empty
  // help text. Re-declaring keeps the first declaration.
  void describe(const std::string& name, MetricType type, const std::string& help,
                std::vector<double> buckets = {});

  // Adds `by` (>= 0; negative amounts are ignored) to a counter series.
  void increment(const std::string& name, const MetricLabels& labels, double by = 1.0);
  // Sets a gauge series.
  void set(const std::string& name, const MetricLabels& labels, double value);
  // Records one observation in a histogram series.
  void observe(const std::string& name, const MetricLabels& labels, double value);

  // Runs at every render(), before the text is produced, to refresh gauges.
  void addCollector(std::function<void(MetricsRegistry&)> collector);

  // The whole registry as Prometheus text (families sorted by name, series by labels).
  std::string render();

  // The current value of a counter or gauge series, or 0 when absent.
  double value(const std::string& name, const MetricLabels& labels) const;

 private:
  struct Series {
    double value = 0;                  // counter / gauge
    std::vector<std::uint64_t> counts; // histogram: per bucket (not cumulative)
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<std::string, Series> series;  // key: rendered label set "{a="1",b="2"}"
  };
  Family& family(const std::string& name, MetricType type);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(MetricsRegistry&)>> collectors_;
  std::mutex collectors_mu_;
};

}  // namespace cardline
