#include "mes/intake/generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/json_text.h"
#include "mes/intake/image_codec.h"
#include "mes/intake/validation.h"

namespace cardline {

const char* name(InvalidKind v) {
  switch (v) {
    case InvalidKind::kNumberBirthYearMismatch:
      return "number-birth-year";
    case InvalidKind::kNumberSexMismatch:
      return "number-sex";
    case InvalidKind::kUnknownProvince:
      return "unknown-province";
    case InvalidKind::kBadDate:
      return "bad-date";
    case InvalidKind::kMissingField:
      return "missing-field";
    case InvalidKind::kUnprintableCharacter:
      return "unprintable";
    case InvalidKind::kUndecodablePhoto:
      return "undecodable-photo";
    case InvalidKind::kSmallPhoto:
      return "small-photo";
    case InvalidKind::kUnknownReceivingUnit:
      return "unknown-unit";
    case InvalidKind::kIssueBeforeBirth:
      return "issue-before-birth";
  }
  return "?";
}

namespace {

constexpr double kPi = 3.14159265358979323846;

// Deterministic random helpers over mt19937_64 (whose output the standard fixes); the
// standard distributions are implementation-defined, so they are not used.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : engine_() % n; }
  int range(int lo, int hi) {
    return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  double unit() { return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0); }
  bool chance(double p) { return unit() < p; }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

const char* const kFamilyNames[] = {
    "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Trần",
    "Trần",   "Trần",   "Lê",     "Lê",     "Phạm",   "Phạm",   "Hoàng",  "Huỳnh",
    "Phan",   "Vũ",     "Võ",     "Đặng",   "Bùi",    "Đỗ",     "Hồ",     "Ngô",
    "Dương",  "Lý",     "Đinh",   "Trương", "Lâm",    "Mai",    "Tôn Nữ"};
const char* const kMaleMiddle[] = {"Văn",  "Văn",   "Đức",  "Minh", "Quốc", "Hữu",
                                   "Công", "Thành", "Xuân", "Đình", "Gia",  "Anh"};
const char* const kFemaleMiddle[] = {"Thị", "Thị", "Thị",    "Ngọc", "Thu",  "Thanh",
                                     "Kim", "Mỹ",  "Phương", "Bảo",  "Diệu", "Hồng"};
const char* const kMaleGiven[] = {"An",    "Bình",  "Cường", "Dũng", "Đạt",   "Hải",   "Hùng",
                                  "Huy",   "Khánh", "Long",  "Nam",  "Phong", "Quân",  "Sơn",
                                  "Thắng", "Trung", "Tuấn",  "Việt", "Vinh",  "Hoàng", "Khoa",
                                  "Lâm",   "Nghĩa", "Phúc",  "Hiếu", "Lộc",   "Tài",   "Toàn"};
const char* const kFemaleGiven[] = {"Anh",  "Chi",    "Dung",  "Giang", "Hà",    "Hằng",  "Hạnh",
                                    "Hoa",  "Hương",  "Lan",   "Linh",  "Mai",   "Ngân",  "Nhung",
                                    "Oanh", "Phượng", "Quỳnh", "Thảo",  "Trang", "Tuyết", "Uyên",
                                    "Vy",   "Yến",    "Ánh",   "Thủy",  "Loan",  "Hiền",  "Nguyệt"};
const char* const kEthnicities[] = {"Kinh", "Kinh",    "Kinh",  "Kinh",  "Kinh", "Kinh", "Kinh",
                                    "Kinh", "Kinh",    "Kinh",  "Kinh",  "Kinh", "Kinh", "Kinh",
                                    "Tày",  "Thái",    "Mường", "Khmer", "Hoa",  "Nùng", "H'Mông",
                                    "Dao",  "Gia Rai", "Ê Đê",  "Ba Na", "Chăm"};
const char* const kReligions[] = {
    "Không", "Không",     "Không",     "Không",     "Không",   "Không",    "Không",
    "Không", "Phật giáo", "Phật giáo", "Công giáo", "Cao Đài", "Tin Lành", "Phật giáo Hòa Hảo"};
const char* const kStreets[] = {"Lê Lợi",         "Trần Hưng Đạo",  "Nguyễn Huệ",  "Hai Bà Trưng",
                                "Lý Thường Kiệt", "Phan Chu Trinh", "Quang Trung", "Hùng Vương",
                                "Nguyễn Trãi",    "Điện Biên Phủ",  "Lê Duẩn",     "Võ Thị Sáu",
                                "Bạch Đằng",      "Trần Phú",       "Ngô Quyền",   "Nguyễn Du"};
const char* const kCommunes[] = {"An Bình",   "Tân Phú",  "Hòa Lạc",   "Phước Long", "Đông Hưng",
                                 "Yên Thành", "Thạch Đà", "Quảng Phú", "Nghĩa Đô",   "Cẩm Lệ",
                                 "Thủy Xuân", "Vĩnh Hòa", "Long Điền", "Mỹ Xuyên",   "Hưng Lộc"};
const char* const kMarks[] = {
    "Nốt ruồi C: 1cm trên sau đầu mày phải", "Nốt ruồi C: 2cm dưới trước đuôi mắt trái",
    "Sẹo chấm C: 1,5cm trên đầu mày trái",   "Sẹo dài 2cm dưới cằm",
    "Nốt ruồi cách 1cm dưới cánh mũi phải",  "Sẹo chấm C: 3cm sau đuôi mắt phải"};

std::string pad(std::int64_t value, int width) {
  std::string s = std::to_string(value);
  if (static_cast<int>(s.size()) < width)
    s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
  return s;
}

// ---- Synthetic images ----------------------------------------------------------------------

struct Rgb {
  double r, g, b;
};

Result<Bytes> drawFace(std::uint64_t seed, int width, int height) {
  Random rng(seed);
  const Rgb backgrounds[] = {{236, 240, 245}, {222, 232, 244}, {245, 245, 245}, {230, 236, 230}};
  const Rgb skins[] = {{241, 204, 170}, {224, 180, 140}, {198, 150, 110}, {236, 196, 160}};
  const Rgb hairs[] = {{20, 18, 18}, {40, 30, 25}, {60, 45, 35}, {110, 110, 110}, {200, 200, 200}};
  const Rgb clothes[] = {{250, 250, 250}, {30, 40, 80}, {60, 90, 60}, {120, 30, 40}, {40, 40, 40}};
  Rgb bg = rng.pick(backgrounds), skin = rng.pick(skins), hair = rng.pick(hairs),
      cloth = rng.pick(clothes);
  double cx = width * (0.5 + (rng.unit() - 0.5) * 0.04);
  double face_rx = width * (0.24 + rng.unit() * 0.04),
         face_ry = height * (0.25 + rng.unit() * 0.03);
  double face_cy = height * 0.45;
  double eye_y = face_cy - face_ry * 0.12, eye_dx = face_rx * 0.42;
  double eye_r = width * 0.025;
  double mouth_y = face_cy + face_ry * 0.5, mouth_rx = face_rx * (0.3 + rng.unit() * 0.15);
  Raster raster;
  raster.width = width;
  raster.height = height;
  raster.channels = 3;
  raster.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  auto inEllipse = [](double x, double y, double ex, double ey, double rx, double ry) {
    double dx = (x - ex) / rx, dy = (y - ey) / ry;
    return dx * dx + dy * dy <= 1.0;
  };
  // Shapes are evaluated once per 2 x 2 block: smooth shapes need no finer sampling, and
  // drawing costs a quarter.
  for (int y = 0; y < height; y += 2) {
    for (int x = 0; x < width; x += 2) {
      double fx = x + 0.5, fy = y + 0.5;
      // Background with a soft vertical gradient.
      double shade = 1.0 - 0.08 * fy / height;
      Rgb c{bg.r * shade, bg.g * shade, bg.b * shade};
      if (inEllipse(fx, fy, cx, height * 1.05, width * 0.48, height * 0.28)) c = cloth;
      if (fy > face_cy && std::fabs(fx - cx) < face_rx * 0.45 && fy < height * 0.85) c = skin;
      if (inEllipse(fx, fy, cx, face_cy - face_ry * 0.15, face_rx * 1.12, face_ry * 1.0)) c = hair;
      if (inEllipse(fx, fy, cx, face_cy, face_rx, face_ry)) {
        c = skin;
        double light = 1.0 - 0.12 * std::fabs(fx - cx) / face_rx;
        c = {c.r * light, c.g * light, c.b * light};
      }
      if (inEllipse(fx, fy, cx, face_cy - face_ry * 0.75, face_rx * 0.95, face_ry * 0.35) &&
          fy < face_cy - face_ry * 0.55) {
        c = hair;
      }
      for (double side : {-1.0, 1.0}) {
        double ex = cx + side * eye_dx;
        if (inEllipse(fx, fy, ex, eye_y - eye_r * 2.2, eye_r * 2.2, eye_r * 0.45)) c = hair;
        if (inEllipse(fx, fy, ex, eye_y, eye_r * 1.8, eye_r)) c = {250, 250, 250};
        if (inEllipse(fx, fy, ex, eye_y, eye_r * 0.8, eye_r * 0.8)) c = {45, 30, 20};
      }
      if (std::fabs(fx - cx) < 2.0 && fy > eye_y + eye_r && fy < mouth_y - face_ry * 0.2) {
        c = {c.r * 0.85, c.g * 0.85, c.b * 0.85};
      }
      if (inEllipse(fx, fy, cx, mouth_y, mouth_rx, face_ry * 0.06)) c = {170, 70, 70};
      const std::uint8_t rgb[3] = {static_cast<std::uint8_t>(std::clamp(c.r, 0.0, 255.0)),
                                   static_cast<std::uint8_t>(std::clamp(c.g, 0.0, 255.0)),
                                   static_cast<std::uint8_t>(std::clamp(c.b, 0.0, 255.0))};
      for (int by = y; by < std::min(y + 2, height); ++by) {
        for (int bx = x; bx < std::min(x + 2, width); ++bx) {
          std::size_t i = (static_cast<std::size_t>(by) * static_cast<std::size_t>(width) +
                           static_cast<std::size_t>(bx)) *
                          3;
          std::copy(rgb, rgb + 3, raster.pixels.begin() + static_cast<std::ptrdiff_t>(i));
        }
      }
    }
  }
  return encodeJpeg(raster, 80);
}

// A loop/whorl-like ridge pattern inside an oval, 256 × 256 grayscale.
Result<Bytes> drawFingerprint(std::uint64_t seed) {
  Random rng(seed);
  const int size = 256;
  double cx = size * (0.45 + rng.unit() * 0.1), cy = size * (0.45 + rng.unit() * 0.1);
  double period = 7.0 + rng.unit() * 2.0;
  double swirl = 2.0 + rng.unit() * 4.0;
  double stretch = 1.1 + rng.unit() * 0.4;
  Raster raster;
  raster.width = size;
  raster.height = size;
  raster.channels = 1;
  raster.pixels.resize(static_cast<std::size_t>(size) * size);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      double dx = x - cx, dy = (y - cy) / stretch;
      double r = std::sqrt(dx * dx + dy * dy);
      double theta = std::atan2(dy, dx);
      double ox = (x - size / 2.0) / (size * 0.42), oy = (y - size / 2.0) / (size * 0.48);
      double value = 255;
      if (ox * ox + oy * oy <= 1.0) {
        double phase = 2 * kPi * r / period + swirl * std::sin(theta) * std::exp(-r / 80.0);
        value = 150 + 105 * std::sin(phase);
      }
      raster.pixels[static_cast<std::size_t>(y) * size + static_cast<std::size_t>(x)] =
          static_cast<std::uint8_t>(std::clamp(value, 0.0, 255.0));
    }
  }
  return encodeJpeg(raster, 60);
}

// ---- Records -------------------------------------------------------------------------------

using Fields = std::vector<std::pair<std::string, std::string>>;

void set(Fields& fields, const std::string& name, std::string value) {
  for (auto& f : fields) {
    if (f.first == name) {
      f.second = std::move(value);
      return;
    }
  }
  fields.emplace_back(name, std::move(value));
}

void erase(Fields& fields, const std::string& name) {
  fields.erase(
      std::remove_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; }),
      fields.end());
}

// Writes dotted fields as nested JSON objects, in canonical field order.
void writeJson(const Fields& fields, std::ostream& out) {
  const auto& order = intakeFieldNames();
  std::vector<std::pair<std::string, std::string>> sorted;
  for (const auto& name : order) {
    for (const auto& f : fields) {
      if (f.first == name) sorted.push_back(f);
    }
  }
  std::vector<std::string> open;  // current object path
  out << '{';
  bool first = true;
  for (const auto& [name, value] : sorted) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1) {
      parts.push_back(name.substr(start, dot - start));
    }
    std::string leaf = name.substr(start);
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) {
      ++common;
    }
    while (open.size() > common) {
      out << '}';
      open.pop_back();
    }
    for (std::size_t i = common; i < parts.size(); ++i) {
      out << (first ? "" : ",") << jsonQuote(parts[i]) << ":{";
      first = true;
      open.push_back(parts[i]);
    }
    out << (first ? "" : ",") << jsonQuote(leaf) << ':' << jsonQuote(value);
    first = false;
  }
  while (!open.empty()) {
    out << '}';
    open.pop_back();
  }
  out << "}\n";
}

std::string csvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void writeCsv(const Fields& fields, std::ostream& out) {
  const auto& order = intakeFieldNames();
  std::map<std::string, const std::string*> by_name;
  for (const auto& f : fields) by_name[f.first] = &f.second;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i) out << ',';
    auto it = by_name.find(order[i]);
    if (it != by_name.end()) out << csvField(*it->second);
  }
  out << "\r\n";
}

class Generator {
 public:
  Generator(const GenerateOptions& options, const ReferenceData& reference)
      : options_(options),
        reference_(reference),
        units_(reference.currentReceivingUnits()),
        rng_(options.seed) {}

  Result<GenerateStats> run(std::ostream& out) {
    if (options_.format == InputFormat::kCsv) {
      const auto& order = intakeFieldNames();
      for (std::size_t i = 0; i < order.size(); ++i) out << (i ? "," : "") << order[i];
      out << "\r\n";
    }
    for (std::int64_t index = 0; index < options_.count; ++index) {
      Fields fields;
      CARDLINE_RETURN_IF_ERROR(makeRecord(index, fields));
      if (options_.invalid_share > 0 && rng_.chance(options_.invalid_share)) {
        auto kind = static_cast<InvalidKind>(rng_.below(kInvalidKindCount));
        breakRecord(kind, fields);
        ++stats_.invalid;
        ++stats_.per_kind[static_cast<std::size_t>(kind)];
      }
      if (options_.format == InputFormat::kCsv) {
        writeCsv(fields, out);
      } else {
        writeJson(fields, out);
      }
      if (!out) return unavailable("writing generated applications failed");
      ++stats_.written;
    }
    out.flush();
    if (!out) return unavailable("writing generated applications failed");
    return stats_;
  }

 private:
  // Images come from a pool per seed (drawing one per record would dominate the run time).
  Result<std::string> face(std::uint64_t key) {
    auto it = faces_.find(key % kPoolSize);
    if (it != faces_.end()) return it->second;
    CARDLINE_ASSIGN_OR_RETURN(Bytes jpeg,
                              drawFace(options_.seed * 7919 + key % kPoolSize, 360, 480));
    return faces_[key % kPoolSize] = base64Encode(jpeg);
  }
  Result<std::string> fingerprint(std::uint64_t key) {
    auto it = fingerprints_.find(key % kPoolSize);
    if (it != fingerprints_.end()) return it->second;
    CARDLINE_ASSIGN_OR_RETURN(Bytes jpeg,
                              drawFingerprint(options_.seed * 104729 + key % kPoolSize));
    return fingerprints_[key % kPoolSize] = base64Encode(jpeg);
  }

  std::string fullName(bool female) {
    std::string name = rng_.pick(kFamilyNames);
    name += " ";
    name += female ? rng_.pick(kFemaleMiddle) : rng_.pick(kMaleMiddle);
    if (rng_.chance(0.25)) {
      name += " ";
      name += female ? rng_.pick(kFemaleGiven) : rng_.pick(kMaleGiven);
    }
    name += " ";
    name += female ? rng_.pick(kFemaleGiven) : rng_.pick(kMaleGiven);
    return name;
  }

  std::string residence(const std::string& province) {
    return "Số " + std::to_string(rng_.range(1, 480)) + " " + rng_.pick(kStreets) + ", Phường " +
           rng_.pick(kCommunes) + ", " + province;
  }

  Status makeRecord(std::int64_t index, Fields& f) {
    const Date latest = options_.latest_date;
    // Issue date: spread since 2021-03-01, weighted toward the last year.
    Date earliest{2021, 3, 1};
    std::int64_t span = std::max<std::int64_t>(1, latest.toDays() - earliest.toDays());
    std::int64_t back =
        rng_.chance(0.6) ? static_cast<std::int64_t>(rng_.below(365))
                         : static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(span)));
    Date issue = Date::fromDays(std::max(earliest.toDays(), latest.toDays() - back));
    bool after_2024 = issue >= Date{2024, 7, 1};
    CardModel model =
        after_2024 && !rng_.chance(0.08) ? CardModel::kCanCuoc2024 : CardModel::kCccd2021;
    // Age at issue: a realistic mix; children only on the 2024 model.
    double a = rng_.unit();
    int age;
    if (model == CardModel::kCanCuoc2024 && a < 0.05) {
      age = rng_.range(0, 13);
    } else if (a < 0.35) {
      age = rng_.range(14, 24);
    } else if (a < 0.65) {
      age = rng_.range(25, 39);
    } else if (a < 0.88) {
      age = rng_.range(40, 59);
    } else {
      age = rng_.range(60, 90);
    }
    Date dob = Date::fromDays(issue.toDays() - static_cast<std::int64_t>(age) * 365 -
                              static_cast<std::int64_t>(age / 4) -
                              static_cast<std::int64_t>(rng_.below(365)));
    if (model == CardModel::kCccd2021 && yearsBetween(dob, issue) < 14) {
      dob = dob.plusYears(-1);
    }
    bool female = rng_.chance(0.5);
    // The receiving unit and the home province as they are now; the birth-registration code of
    // the personal number is one of the 63 old units (most often one that forms the home unit
    // now), as numbers issued under them stay valid.
    const auto& provinces = reference_.provinces();
    const ReceivingUnitInfo& unit = rng_.pick(units_);
    const AdministrativeUnit* current = reference_.administrativeUnit(unit.province_code);
    const std::vector<std::string> predecessors = reference_.predecessorsOf(unit.province_code);
    const Province* home = current != nullptr && !predecessors.empty()
                               ? reference_.province(rng_.pick(predecessors))
                               : reference_.province(unit.province_code);
    const Province& birth = rng_.chance(0.7) && home ? *home : rng_.pick(provinces);
    const std::string home_name =
        current != nullptr ? current->addressName() : (home ? home->name : birth.name);
    const AdministrativeUnit* birth_now = nullptr;
    for (const AdministrativeUnit& u : reference_.administrativeUnits().units) {
      for (const std::string& code : reference_.predecessorsOf(u.code)) {
        if (code == birth.code) birth_now = &u;
      }
    }
    const std::string birth_name = birth_now != nullptr ? birth_now->addressName() : birth.name;
    int g = (dob.year / 100 - 19) * 2 + (female ? 1 : 0);
    std::uint64_t serial =
        (static_cast<std::uint64_t>(index) * 7919u + options_.seed * 104729u) % 1000000u;
    std::string number = birth.code + std::to_string(g) + pad(dob.year % 100, 2) +
                         pad(static_cast<std::int64_t>(serial), 6);
    int age_now = yearsBetween(dob, issue);

    set(f, "application_id",
        options_.id_prefix + "-" + std::to_string(options_.seed) + "-" + pad(index, 8));
    set(f, "approval_ref",
        "PD-" + std::to_string(issue.year) + "-" +
            pad(static_cast<std::int64_t>(rng_.below(10000000)), 7));
    set(f, "approved_at",
        issue.toString() + "T" + pad(rng_.range(7, 16), 2) + ":" + pad(rng_.range(0, 59), 2) + ":" +
            pad(rng_.range(0, 59), 2) + "+07:00");
    set(f, "card_model", name(model));
    const char* request = age_now < 14 || rng_.chance(0.3) ? "new"
                          : rng_.chance(0.7)               ? "renewal"
                                                           : "replacement";
    set(f, "request_type", request);
    set(f, "priority", rng_.chance(0.05) ? "urgent" : "normal");
    set(f, "personal_number", number);
    if (age_now >= 20 && rng_.chance(0.5))
      set(f, "old_id_number", pad(static_cast<std::int64_t>(rng_.below(1000000000)), 9));
    set(f, "full_name", fullName(female));
    set(f, "date_of_birth", dob.toString());
    set(f, "sex", female ? "F" : "M");
    set(f, "nationality", "VNM");
    set(f, "ethnicity", rng_.pick(kEthnicities));
    set(f, "religion", rng_.pick(kReligions));
    std::string birth_place = "Xã " + std::string(rng_.pick(kCommunes)) + ", " + birth_name;
    set(f, "place_of_residence", residence(home_name));
    set(f, "issue_date", issue.toString());
    if (model == CardModel::kCccd2021) {
      set(f, "place_of_origin", birth_place);
      set(f, "identifying_marks", rng_.pick(kMarks));
    } else {
      set(f, "place_of_birth_registration", birth_place);
      if (rng_.chance(0.7)) set(f, "father_name", fullName(false));
      if (rng_.chance(0.7)) set(f, "mother_name", fullName(true));
    }
    if (model == CardModel::kCccd2021 || age_now >= 6) {
      CARDLINE_ASSIGN_OR_RETURN(std::string photo, face(rng_.below(1u << 30)));
      set(f, "photo.format", "jpeg");
      set(f, "photo.data", std::move(photo));
    }
    if (model == CardModel::kCccd2021) {
      CARDLINE_ASSIGN_OR_RETURN(std::string left, fingerprint(rng_.below(1u << 30)));
      CARDLINE_ASSIGN_OR_RETURN(std::string right, fingerprint(rng_.below(1u << 30)));
      set(f, "fingerprints.left_index.format", "jpeg");
      set(f, "fingerprints.left_index.data", std::move(left));
      set(f, "fingerprints.right_index.format", "jpeg");
      set(f, "fingerprints.right_index.data", std::move(right));
    }
    set(f, "receiving_unit.code", unit.code);
    set(f, "receiving_unit.name", unit.name);
    return Status::ok();
  }

  void breakRecord(InvalidKind kind, Fields& f) {
    auto get = [&](const std::string& name) {
      for (auto& field : f) {
        if (field.first == name) return field.second;
      }
      return std::string();
    };
    std::string number = get("personal_number");
    switch (kind) {
      case InvalidKind::kNumberBirthYearMismatch: {
        int yy = (number[4] - '0') * 10 + (number[5] - '0');
        number.replace(4, 2, pad((yy + 1) % 100, 2));
        set(f, "personal_number", number);
        break;
      }
      case InvalidKind::kNumberSexMismatch:
        number[3] = static_cast<char>('0' + ((number[3] - '0') ^ 1));
        set(f, "personal_number", number);
        break;
      case InvalidKind::kUnknownProvince:
        number.replace(0, 3, "003");
        set(f, "personal_number", number);
        break;
      case InvalidKind::kBadDate: {
        std::string dob = get("date_of_birth");
        set(f, "date_of_birth", dob.substr(0, 4) + "-02-30");
        break;
      }
      case InvalidKind::kMissingField:
        erase(f, "full_name");
        break;
      case InvalidKind::kUnprintableCharacter:
        set(f, "full_name", get("full_name") + " 王");
        break;
      case InvalidKind::kUndecodablePhoto: {
        Bytes garbage = {0xFF, 0xD8, 0xFF, 0xE0};
        for (int i = 0; i < 64; ++i) garbage.push_back(static_cast<std::uint8_t>(rng_.below(256)));
        set(f, "photo.format", "jpeg");
        set(f, "photo.data", base64Encode(garbage));
        break;
      }
      case InvalidKind::kSmallPhoto: {
        auto small = drawFace(options_.seed, 120, 160);
        set(f, "photo.format", "jpeg");
        set(f, "photo.data", small.isOk() ? base64Encode(small.value()) : std::string("AAAA"));
        break;
      }
      case InvalidKind::kUnknownReceivingUnit:
        set(f, "receiving_unit.code", "PC06-999");
        break;
      case InvalidKind::kIssueBeforeBirth: {
        auto dob = Date::parse(get("date_of_birth"));
        if (dob.isOk()) set(f, "issue_date", dob->plusDays(-1).toString());
        break;
      }
    }
  }

  static constexpr std::uint64_t kPoolSize = 64;
  const GenerateOptions& options_;
  const ReferenceData& reference_;
  const std::vector<ReceivingUnitInfo> units_;  // where applications go now
  Random rng_;
  GenerateStats stats_;
  std::map<std::uint64_t, std::string> faces_;
  std::map<std::uint64_t, std::string> fingerprints_;
};

}  // namespace

Date latestPastOfficeDay(Timestamp now) {
  // The last approval of day D is D 16:59:59 +07:00 = D 09:59:59 UTC, before D 10:00 UTC.
  return utcDate(now.plusSeconds(-10 * 3600));
}

Result<GenerateStats> generateApplications(const GenerateOptions& options,
                                           const ReferenceData& reference, std::ostream& out) {
  if (options.count < 0) return invalidArgument("count must not be negative");
  if (!(options.invalid_share >= 0.0 && options.invalid_share <= 1.0)) {
    return invalidArgument("invalid share must be between 0 and 1");
  }
  if (reference.provinces().empty() || reference.receivingUnits().empty()) {
    return invalidArgument("reference data has no provinces or no receiving units");
  }
  return Generator(options, reference).run(out);
}

}  // namespace cardline
