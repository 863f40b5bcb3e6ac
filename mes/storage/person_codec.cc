#include "mes/storage/person_codec.h"

#include <string>

namespace cardline {
namespace {

constexpr std::uint8_t kPersonFormat = 1;

class Writer {
 public:
  void byte(std::uint8_t b) { out_.push_back(b); }
  void length(std::uint64_t n) {
    do {
      std::uint8_t b = n & 0x7f;
      n >>= 7;
      if (n != 0) b |= 0x80;
      out_.push_back(b);
    } while (n != 0);
  }
  void text(const std::string& s) {
    length(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void bytes(const Bytes& b) {
    length(b.size());
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void image(const Image& image) {
    text(image.format);
    bytes(image.data);
  }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

class Reader {
 public:
  explicit Reader(const Bytes& in) : in_(in) {}
  Result<std::uint8_t> byte() {
    if (at_ >= in_.size()) return truncated();
    return in_[at_++];
  }
  Result<std::uint64_t> length() {
    std::uint64_t n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      CARDLINE_ASSIGN_OR_RETURN(std::uint8_t b, byte());
      n |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (n > in_.size() - at_) return truncated();
        return n;
      }
    }
    return dataLoss("sealed person record has an overlong length");
  }
  Result<std::string> text() {
    CARDLINE_ASSIGN_OR_RETURN(std::uint64_t n, length());
    std::string s(in_.begin() + static_cast<std::ptrdiff_t>(at_),
                  in_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
    at_ += n;
    return s;
  }
  Result<Bytes> bytes() {
    CARDLINE_ASSIGN_OR_RETURN(std::uint64_t n, length());
    Bytes b(in_.begin() + static_cast<std::ptrdiff_t>(at_),
            in_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
    at_ += n;
    return b;
  }
  Result<Image> image() {
    Image image;
    CARDLINE_ASSIGN_OR_RETURN(image.format, text());
    CARDLINE_ASSIGN_OR_RETURN(image.data, bytes());
    return image;
  }
  Result<std::optional<Image>> optionalImage() {
    CARDLINE_ASSIGN_OR_RETURN(std::uint8_t present, byte());
    if (present == 0) return std::optional<Image>();
    if (present != 1) return dataLoss("sealed person record has a bad presence flag");
    CARDLINE_ASSIGN_OR_RETURN(Image image, this->image());
    return std::optional<Image>(std::move(image));
  }
  Result<Date> date() {
    CARDLINE_ASSIGN_OR_RETURN(std::string s, text());
    Result<Date> parsed = Date::parse(s);
    if (!parsed.isOk()) return dataLoss("sealed person record has a bad date: " + s);
    return parsed;
  }
  bool atEnd() const { return at_ == in_.size(); }

 private:
  static Status truncated() { return dataLoss("sealed person record is truncated"); }
  const Bytes& in_;
  std::size_t at_ = 0;
};

}  // namespace

Bytes encodePerson(const Person& p) {
  Writer w;
  w.byte(kPersonFormat);
  w.text(p.full_name);
  w.text(p.date_of_birth.toString());
  w.text(name(p.sex));
  w.text(p.nationality);
  w.text(p.ethnicity);
  w.text(p.religion);
  w.text(p.place_of_origin);
  w.text(p.place_of_birth_registration);
  w.text(p.place_of_residence);
  w.text(p.identifying_marks);
  w.text(p.father_name);
  w.text(p.mother_name);
  w.text(p.old_id_number);
  w.image(p.photo);
  for (const auto* fingerprint : {&p.fingerprint_left_index, &p.fingerprint_right_index}) {
    w.byte(fingerprint->has_value() ? 1 : 0);
    if (fingerprint->has_value()) w.image(**fingerprint);
  }
  return w.take();
}

Result<Person> decodePerson(const Bytes& bytes) {
  Reader r(bytes);
  CARDLINE_ASSIGN_OR_RETURN(std::uint8_t version, r.byte());
  if (version != kPersonFormat) {
    return dataLoss("sealed person record has unknown format " + std::to_string(version));
  }
  Person p;
  CARDLINE_ASSIGN_OR_RETURN(p.full_name, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.date_of_birth, r.date());
  CARDLINE_ASSIGN_OR_RETURN(std::string sex, r.text());
  Result<Sex> parsed_sex = parseSex(sex);
  if (!parsed_sex.isOk()) return dataLoss("sealed person record has a bad sex: " + sex);
  p.sex = *parsed_sex;
  CARDLINE_ASSIGN_OR_RETURN(p.nationality, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.ethnicity, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.religion, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.place_of_origin, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.place_of_birth_registration, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.place_of_residence, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.identifying_marks, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.father_name, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.mother_name, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.old_id_number, r.text());
  CARDLINE_ASSIGN_OR_RETURN(p.photo, r.image());
  CARDLINE_ASSIGN_OR_RETURN(p.fingerprint_left_index, r.optionalImage());
  CARDLINE_ASSIGN_OR_RETURN(p.fingerprint_right_index, r.optionalImage());
  if (!r.atEnd()) return dataLoss("sealed person record has trailing bytes");
  return p;
}

}  // namespace cardline
