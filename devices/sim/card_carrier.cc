#include "devices/sim/card_carrier.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cardline::sim {
namespace fs = std::filesystem;
namespace {

Result<std::string> readWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFound(path.string() + " does not exist");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status writeWhole(const fs::path& path, const std::string& data) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return unavailable("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return unavailable("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::ok();
}

std::string joinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string formatRecord(const CardRecord& r) {
  return "serial=" + r.serial + "\napplication=" + r.application +
         "\nreported_as=" + r.reported_as + "\nfaults=" + joinList(r.faults) +
         "\ndispatched_to=" + r.dispatched_to + "\n";
}

}  // namespace

bool isSimToken(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

CardCarrier::CardCarrier(std::string root) : root_(std::move(root)) {}

std::string CardCarrier::cardDir(const std::string& serial) const {
  return (fs::path(root_) / "cards" / serial).string();
}

bool CardCarrier::exists(const std::string& serial) const {
  std::error_code ec;
  return isSimToken(serial) && fs::exists(cardDir(serial), ec);
}

Status CardCarrier::createCard(const CardRecord& record) {
  if (!isSimToken(record.serial)) {
    return invalidArgument("blank serial \"" + record.serial + "\" is not a token");
  }
  std::error_code ec;
  fs::create_directories(fs::path(root_) / "cards", ec);
  if (ec) return unavailable("cannot create " + root_ + "/cards: " + ec.message());
  if (!fs::create_directory(cardDir(record.serial), ec)) {
    if (ec) return unavailable("cannot create " + cardDir(record.serial) + ": " + ec.message());
    return alreadyExists("blank " + record.serial + " was consumed before");
  }
  return writeRecord(record);
}

Status CardCarrier::writeRecord(const CardRecord& record) {
  if (!exists(record.serial)) return notFound("no card " + record.serial);
  return writeWhole(fs::path(cardDir(record.serial)) / "card.txt", formatRecord(record));
}

Result<CardRecord> CardCarrier::readRecord(const std::string& serial) const {
  if (!isSimToken(serial)) return notFound("no card \"" + serial + "\"");
  CARDLINE_ASSIGN_OR_RETURN(std::string text, readWhole(fs::path(cardDir(serial)) / "card.txt"));
  CardRecord r;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) return dataLoss(serial + "/card.txt: bad line \"" + line + "\"");
    const std::string key = line.substr(0, eq);
    const std::string value = line.substr(eq + 1);
    if (key == "serial") {
      r.serial = value;
    } else if (key == "application") {
      r.application = value;
    } else if (key == "reported_as") {
      r.reported_as = value;
    } else if (key == "dispatched_to") {
      r.dispatched_to = value;
    } else if (key == "faults") {
      std::istringstream items(value);
      std::string item;
      while (std::getline(items, item, ',')) {
        if (!item.empty()) r.faults.push_back(item);
      }
    }
  }
  if (r.serial != serial) return dataLoss(serial + "/card.txt names serial " + r.serial);
  return r;
}

Status CardCarrier::putFile(const std::string& serial, const std::string& name, const Bytes& data) {
  if (!exists(serial)) return notFound("no card " + serial);
  return writeWhole(fs::path(cardDir(serial)) / name, std::string(data.begin(), data.end()));
}

Result<Bytes> CardCarrier::getFile(const std::string& serial, const std::string& name) const {
  if (!isSimToken(serial)) return notFound("no card \"" + serial + "\"");
  CARDLINE_ASSIGN_OR_RETURN(std::string text, readWhole(fs::path(cardDir(serial)) / name));
  return Bytes(text.begin(), text.end());
}

Status CardCarrier::placeInTray(const std::string& application, const std::string& serial) {
  if (!isSimToken(application)) {
    return invalidArgument("application id \"" + application + "\" is not a token");
  }
  std::error_code ec;
  fs::create_directories(fs::path(root_) / "tray", ec);
  if (ec) return unavailable("cannot create " + root_ + "/tray: " + ec.message());
  return writeWhole(fs::path(root_) / "tray" / application, serial + "\n");
}

Result<std::string> CardCarrier::cardInTray(const std::string& application) const {
  if (!isSimToken(application)) return notFound("no card for \"" + application + "\"");
  auto text = readWhole(fs::path(root_) / "tray" / application);
  if (!text.isOk()) return notFound("no card travels with " + application);
  std::string serial = text.value();
  while (!serial.empty() && (serial.back() == '\n' || serial.back() == '\r')) serial.pop_back();
  return serial;
}

std::vector<std::string> CardCarrier::serials() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(root_) / "cards", ec)) {
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<Hopper> Hopper::fromRange(const std::string& spec) {
  const auto split = [](const std::string& s) {
    std::size_t digits = 0;
    while (digits < s.size() && s[s.size() - 1 - digits] >= '0' &&
           s[s.size() - 1 - digits] <= '9') {
      ++digits;
    }
    return std::make_pair(s.substr(0, s.size() - digits), s.substr(s.size() - digits));
  };
  for (std::size_t dash = spec.find('-'); dash != std::string::npos;
       dash = spec.find('-', dash + 1)) {
    const std::string from = spec.substr(0, dash);
    const std::string to = spec.substr(dash + 1);
    const auto [prefix_a, digits_a] = split(from);
    const auto [prefix_b, digits_b] = split(to);
    if (digits_a.empty() || prefix_a != prefix_b || digits_a.size() != digits_b.size() ||
        digits_a.size() > 15 || !isSimToken(from)) {
      continue;
    }
    const long long first = std::stoll(digits_a);
    const long long last = std::stoll(digits_b);
    if (first > last) return invalidArgument("hopper range " + spec + ": FROM > TO");
    if (last - first > 10'000'000) return invalidArgument("hopper range " + spec + " too large");
    std::vector<std::string> serials;
    for (long long n = first; n <= last; ++n) {
      std::string number = std::to_string(n);
      number.insert(0, digits_a.size() - number.size(), '0');
      serials.push_back(prefix_a + number);
    }
    return Hopper(std::move(serials));
  }
  return invalidArgument("hopper range \"" + spec +
                         "\" is not FROM-TO with one prefix and equal digit counts");
}

Result<Hopper> Hopper::fromFile(const std::string& path) {
  CARDLINE_ASSIGN_OR_RETURN(std::string text, readWhole(path));
  std::vector<std::string> serials;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (!isSimToken(line)) {
      return invalidArgument(path + ":" + std::to_string(number) + ": bad serial \"" + line + "\"");
    }
    serials.push_back(line);
  }
  return Hopper(std::move(serials));
}

Result<std::string> Hopper::next(const CardCarrier& carrier) {
  while (position_ < serials_.size() && carrier.exists(serials_[position_])) ++position_;
  if (position_ >= serials_.size()) return failedPrecondition("hopper empty");
  return serials_[position_++];
}

}  // namespace cardline::sim
