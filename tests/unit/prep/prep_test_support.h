#pragma once
// Helpers shared by the prep tests: paths, temporary folders, running outside tools, synthetic
// JPEG images (libjpeg) and sample applications with many Vietnamese diacritics.

#include <jpeglib.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/date.h"
#include "mes/core/domain.h"

namespace cardline::prep_testing {

// The source tree (CARDLINE_SOURCE_DIR from ctest, else relative to this file).
inline std::filesystem::path sourceDir() {
  const char* root = std::getenv("CARDLINE_SOURCE_DIR");
  if (root != nullptr) return root;
  return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "..";
}

inline std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void writeBytes(const std::filesystem::path& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// A fresh folder under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cardline-prep-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout (and stderr when the command line redirects it)
};

inline CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A baseline JPEG of a smooth pattern: 3 channels (photo) or 1 (fingerprint).
inline Bytes makeJpeg(int width, int height, int channels) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = channels;
  cinfo.in_color_space = channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 85, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<unsigned char> row(static_cast<std::size_t>(width * channels));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const int ring =
            ((x - width / 2) * (x - width / 2) + (y - height / 3) * (y - height / 3)) / 40;
        row[static_cast<std::size_t>(x * channels + c)] = static_cast<unsigned char>(
            channels == 1 ? (ring % 2 == 0 ? 40 : 220) : (90 + (x * 3 + y * (c + 1)) % 140));
      }
    }
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

inline Date date(const char* text) { return Date::parse(text).value(); }

// A 2021 CCCD application: born 1990-05-20, female, issued 2021-07-01 (expiry 2030-05-20).
inline Application sample2021() {
  Application app;
  app.id = "APP-2021-0001";
  app.card_model = CardModel::kCccd2021;
  app.personal_number = "001190012345";
  app.issue_date = date("2021-07-01");
  Person& p = app.person;
  p.full_name = "Nguyễn Thị Huỳnh Như";
  p.date_of_birth = date("1990-05-20");
  p.sex = Sex::kFemale;
  p.nationality = "VNM";
  p.ethnicity = "Kinh";
  p.place_of_origin = "Xã Đông Hưng, tỉnh Hưng Yên";
  p.place_of_residence = "Số 18 ngõ 29 phố Khương Hạ, Phường Khương Đình, thành phố Hà Nội";
  p.identifying_marks = "Sẹo chấm cách 2cm trên trước đầu lông mày phải";
  p.photo = Image{"jpeg", makeJpeg(240, 360, 3)};
  p.fingerprint_left_index = Image{"jpeg", makeJpeg(160, 200, 1)};
  p.fingerprint_right_index = Image{"jpeg", makeJpeg(160, 200, 1)};
  return app;
}

// A 2024 Căn cước application: born 2005-11-02, male, issued 2024-08-01 (expiry 2030-11-02).
inline Application sample2024() {
  Application app;
  app.id = "APP-2024-0001";
  app.card_model = CardModel::kCanCuoc2024;
  app.personal_number = "079205001234";
  app.issue_date = date("2024-08-01");
  Person& p = app.person;
  p.full_name = "Trần Đức Hoàng Việt";
  p.date_of_birth = date("2005-11-02");
  p.sex = Sex::kMale;
  p.nationality = "VNM";
  p.place_of_birth_registration = "Ủy ban nhân dân Phường Bến Nghé, Thành phố Hồ Chí Minh";
  p.place_of_residence = "Số 7 đường Nguyễn Thị Minh Khai, Phường Tân Định, Thành phố Hồ Chí Minh";
  p.father_name = "Trần Văn Hùng";
  p.mother_name = "Lê Thị Thu Hương";
  p.photo = Image{"jpeg", makeJpeg(240, 320, 3)};
  return app;
}

}  // namespace cardline::prep_testing
