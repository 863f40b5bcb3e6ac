#include "mes/document/qr_code.h"

#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <csetjmp>
#include <memory>
#include <string>

namespace cardline {
namespace {

constexpr unsigned int kEciUtf8 = 26;

QRecLevel toLevel(QrErrorCorrection level) {
  switch (level) {
    case QrErrorCorrection::kLow: return QR_ECLEVEL_L;
    case QrErrorCorrection::kMedium: return QR_ECLEVEL_M;
    case QrErrorCorrection::kQuartile: return QR_ECLEVEL_Q;
    case QrErrorCorrection::kHigh: return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_M;
}

struct InputDeleter {
  void operator()(QRinput* p) const { QRinput_free(p); }
};
struct CodeDeleter {
  void operator()(QRcode* p) const { QRcode_free(p); }
};

void appendToBytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

void flushNothing(png_structp) {}

}  // namespace

Result<QrMatrix> encodeQr(std::string_view utf8, const QrOptions& options) {
  if (utf8.empty()) return invalidArgument("cannot encode an empty QR payload");
  std::unique_ptr<QRinput, InputDeleter> input(
      QRinput_new2(options.min_version, toLevel(options.error_correction)));
  if (!input) return internalError("QRinput_new2 failed");
  if (QRinput_appendECIheader(input.get(), kEciUtf8) != 0) {
    return internalError("QRinput_appendECIheader failed");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(utf8.data());
  if (QRinput_append(input.get(), QR_MODE_8, static_cast<int>(utf8.size()), data) != 0) {
    return invalidArgument("QRinput_append failed for a payload of " +
                           std::to_string(utf8.size()) + " bytes");
  }
  errno = 0;
  std::unique_ptr<QRcode, CodeDeleter> code(QRcode_encodeInput(input.get()));
  if (!code) {
    if (errno == ERANGE) {
      return invalidArgument("QR payload of " + std::to_string(utf8.size()) +
                             " bytes is too long for a QR code");
    }
    return internalError("QRcode_encodeInput failed");
  }
  QrMatrix matrix;
  matrix.size = code->width;
  matrix.version = code->version;
  const std::size_t count = static_cast<std::size_t>(code->width) *
                            static_cast<std::size_t>(code->width);
  matrix.modules.resize(count);
  for (std::size_t i = 0; i < count; ++i) matrix.modules[i] = code->data[i] & 1u;
  return matrix;
}

Result<Bytes> renderQrPng(const QrMatrix& matrix, const QrPngOptions& options) {
  if (options.scale < 1 || options.quiet_zone < 0) {
    return invalidArgument("QR PNG needs scale >= 1 and quiet_zone >= 0");
  }
  if (matrix.size <= 0 ||
      matrix.modules.size() != static_cast<std::size_t>(matrix.size) *
                                   static_cast<std::size_t>(matrix.size)) {
    return invalidArgument("QR matrix is empty or inconsistent");
  }
  const int modules = matrix.size + 2 * options.quiet_zone;
  const int pixels = modules * options.scale;
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return internalError("png_create_write_struct failed");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return internalError("png_create_info_struct failed");
  }
  std::vector<png_byte> row(static_cast<std::size_t>(pixels));
  // libpng reports errors by longjmp; nothing with a destructor is created below this point
  // inside the protected region except via the vector above, which outlives it.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return internalError("libpng failed while writing the QR image");
  }
  png_set_write_fn(png, &out, appendToBytes, flushNothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(pixels), static_cast<png_uint_32>(pixels), 8,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int py = 0; py < pixels; ++py) {
    const int my = py / options.scale - options.quiet_zone;
    for (int px = 0; px < pixels; ++px) {
      const int mx = px / options.scale - options.quiet_zone;
      const bool inside = mx >= 0 && my >= 0 && mx < matrix.size && my < matrix.size;
      row[static_cast<std::size_t>(px)] = inside && matrix.dark(mx, my) ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace cardline
