// report_bench: generates a month of report rollups equivalent to --cards cards (default 10
// million) in a fresh SQLite store, then times what `cardline report throughput` does for that
// month: read the rollups + compute the figures, build the report model, render the PDF.
//
//   report_bench [--cards N] [--days D] [--dir DIR] [--out FILE.pdf] [--runs R]
//
// Rollup rows depend on hours x devices x defect codes, not on cards: the generator writes the
// rows the RollupObserver would have written for that many cards (it does not insert cards).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/reports/aggregate/cycle_histogram.h"
#include "mes/reports/aggregate/rollup_reader.h"
#include "mes/reports/pdf/pdf_report.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"

namespace cardline {
namespace {

struct BenchOptions {
  std::int64_t cards = 10000000;
  int days = 30;
  int runs = 5;
  std::string dir;
  std::string out;
};

struct StationPlan {
  StationType station;
  const char* prefix;
  int devices;
  std::vector<const char*> defects;
};

// A deterministic pseudo-random sequence (xorshift), so runs are comparable.
class Sequence {
 public:
  std::uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(next() % n); }

 private:
  std::uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

double millisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

Status generate(Store& store, const BenchOptions& o, const Date& first, std::int64_t* rows) {
  const std::vector<StationPlan> plan = {
      {StationType::kPrint, "P", 10, {"print_smudge", "colour_shift", "wrong_blank", "jam"}},
      {StationType::kEncode, "E", 10, {"chip_dead", "write_failed"}},
      {StationType::kQa, "Q", 6, {"print_defect", "qr_unreadable", "mrz_mismatch",
                                  "photo_mismatch", "chip_unreadable"}},
      {StationType::kDispatch, "D", 3, {"label_unreadable"}}};
  const std::int64_t hours = std::int64_t{o.days} * 24;
  const std::int64_t per_hour = o.cards / hours;
  Sequence seq;
  const std::int64_t start_hour = first.toDays() * 86400 - 7 * 3600;
  for (int day = 0; day < o.days; ++day) {
    CARDLINE_RETURN_IF_ERROR(store.transact([&](StoreTransaction& tx) -> Status {
      for (int h = 0; h < 24; ++h) {
        const std::int64_t hour = start_hour + (std::int64_t{day} * 24 + h) * 3600;
        for (const StationPlan& p : plan) {
          const std::int64_t per_device = per_hour / p.devices;
          for (int d = 0; d < p.devices; ++d) {
            const std::string device = p.prefix + std::to_string(d + 1);
            const std::int64_t rejects = per_device / 100 + seq.below(per_device / 100 + 1);
            StationHour sh{hour, p.station, device, per_device, per_device - rejects,
                           per_device, per_device - rejects - rejects / 4};
            CARDLINE_RETURN_IF_ERROR(tx.rollups().addStationHour(sh));
            ++*rows;
            std::int64_t left = rejects;
            for (std::size_t k = 0; k < p.defects.size() && left > 0; ++k) {
              const std::int64_t n = k + 1 == p.defects.size() ? left : left / 2;
              CARDLINE_RETURN_IF_ERROR(
                  tx.rollups().addDefectHour(DefectHour{hour, p.station, device, p.defects[k], n}));
              ++*rows;
              left -= n;
            }
            const std::int64_t fault = seq.below(4) == 0 ? seq.below(900) : 0;
            const std::int64_t busy = 2400 + seq.below(900);
            const DeviceState states[] = {DeviceState::kBusy, DeviceState::kIdle,
                                          DeviceState::kFault};
            const std::int64_t seconds[] = {busy, 3600 - busy - fault, fault};
            for (int s = 0; s < 3; ++s) {
              if (seconds[s] <= 0) continue;
              CARDLINE_RETURN_IF_ERROR(tx.rollups().addDeviceTime(
                  DeviceTimeHour{hour, device, p.station, states[s], seconds[s]}));
              ++*rows;
            }
          }
        }
      }
      // Cycle samples of the cards dispatched that day, spread log-normally-ish over buckets.
      const std::int64_t cards_today = per_hour * 24;
      const Date date = first.plusDays(day);
      const struct {
        CycleSegment segment;
        int centre;  // bucket of the typical duration
      } segments[] = {{CycleSegment::kApprovedToPrinted, cycleBucketFor(30 * 3600)},
                      {CycleSegment::kPrintedToDispatched, cycleBucketFor(20 * 3600)},
                      {CycleSegment::kDispatchedToDelivered, cycleBucketFor(40 * 3600)},
                      {CycleSegment::kApprovedToDispatched, cycleBucketFor(50 * 3600)},
                      {CycleSegment::kApprovedToDelivered, cycleBucketFor(90 * 3600)}};
      for (const auto& s : segments) {
        // Triangular weights 1..20..1 over 40 buckets around the centre (sum 420); the
        // rounding remainder goes to the centre bucket.
        std::int64_t spread = 0;
        for (int offset = 0; offset < 40; ++offset) {
          spread += cards_today * (offset < 20 ? offset + 1 : 40 - offset) / 420;
        }
        for (int offset = 0; offset < 40; ++offset) {
          const int bucket = s.centre - 20 + offset;
          std::int64_t n = cards_today * (offset < 20 ? offset + 1 : 40 - offset) / 420;
          if (offset == 19) n += cards_today - spread;
          if (n <= 0) continue;
          CARDLINE_RETURN_IF_ERROR(
              tx.rollups().addCycleBucket(CycleBucket{date, s.segment, bucket, n}));
          ++*rows;
        }
      }
      return Status::ok();
    }));
  }
  return Status::ok();
}

int run(const BenchOptions& o) {
  std::string dir = o.dir;
  if (dir.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cardline-report-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "mkdtemp failed\n");
      return 1;
    }
    dir = pattern;
  }
  SystemClock clock;
  auto pii = AesGcmPiiProtector::create(Bytes(32, 0x42));
  if (!pii.isOk()) return 1;
  StoreOptions options;
  options.backend = StoreBackend::kSqlite;
  options.sqlite_path = dir + "/bench.db";
  std::filesystem::remove(options.sqlite_path);
  auto migrated = migrateStore(options, clock);
  if (!migrated.isOk()) {
    std::fprintf(stderr, "migrate: %s\n", migrated.status().toString().c_str());
    return 1;
  }
  auto store = openStore(options, **pii);
  if (!store.isOk()) {
    std::fprintf(stderr, "open: %s\n", store.status().toString().c_str());
    return 1;
  }
  const Date first{2026, 3, 1};
  std::int64_t rows = 0;
  auto start = std::chrono::steady_clock::now();
  Status generated = generate(**store, o, first, &rows);
  if (!generated.isOk()) {
    std::fprintf(stderr, "generate: %s\n", generated.toString().c_str());
    return 1;
  }
  std::printf("generated %lld rollup rows for %lld cards over %d days in %.0f ms (%s)\n",
              static_cast<long long>(rows), static_cast<long long>(o.cards), o.days,
              millisSince(start), options.sqlite_path.c_str());

  const DateRange period{first, first.plusDays(o.days - 1)};
  double best_total = 1e300;
  for (int r = 0; r < o.runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    Result<Figures> figures = loadFigures(**store, period, ReportOptions{});
    if (!figures.isOk()) {
      std::fprintf(stderr, "figures: %s\n", figures.status().toString().c_str());
      return 1;
    }
    const double figures_ms = millisSince(t0);
    auto t1 = std::chrono::steady_clock::now();
    ReportModel model = buildThroughputReport(*figures, clock.now());
    const double model_ms = millisSince(t1);
    auto t2 = std::chrono::steady_clock::now();
    Result<Bytes> pdf = renderReportPdf(model, PdfReportOptions{});
    if (!pdf.isOk()) {
      std::fprintf(stderr, "pdf: %s\n", pdf.status().toString().c_str());
      return 1;
    }
    const double pdf_ms = millisSince(t2);
    const double total = millisSince(t0);
    best_total = std::min(best_total, total);
    std::printf("run %d: figures %.1f ms, model %.1f ms, pdf %.1f ms (%zu bytes), total %.1f ms; "
                "print jobs %lld\n",
                r + 1, figures_ms, model_ms, pdf_ms, pdf->size(), total,
                static_cast<long long>(figures->stations[0].jobs));
    if (r == 0 && !o.out.empty()) {
      Status written = writeReportPdf(model, PdfReportOptions{}, o.out);
      if (!written.isOk()) {
        std::fprintf(stderr, "write: %s\n", written.toString().c_str());
        return 1;
      }
    }
  }
  std::printf("best of %d: %.1f ms for a %d-day report over %lld cards\n", o.runs, best_total,
              o.days, static_cast<long long>(o.cards));
  if (o.dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace cardline

int main(int argc, char** argv) {
  cardline::BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--cards" && has_value) {
      o.cards = std::atoll(argv[++i]);
    } else if (arg == "--days" && has_value) {
      o.days = std::atoi(argv[++i]);
    } else if (arg == "--runs" && has_value) {
      o.runs = std::atoi(argv[++i]);
    } else if (arg == "--dir" && has_value) {
      o.dir = argv[++i];
    } else if (arg == "--out" && has_value) {
      o.out = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: report_bench [--cards N] [--days D] [--runs R] [--dir DIR] "
                   "[--out FILE.pdf]\n");
      return 2;
    }
  }
  if (o.days <= 0 || o.cards <= 0 || o.runs <= 0) {
    std::fprintf(stderr, "--cards, --days and --runs must be positive\n");
    return 2;
  }
  return cardline::run(o);
}
