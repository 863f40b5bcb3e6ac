#pragma once
// QR code symbols for the card face, encoded with libqrencode in byte (8-bit) mode behind a
// UTF-8 ECI header (ECI 26), so that decoders read Vietnamese text as UTF-8 instead of guessing
// Shift-JIS. Functions are thread-safe (libqrencode keeps no shared state per call).

#include <cstdint>
#include <string_view>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline {

enum class QrErrorCorrection { kLow, kMedium, kQuartile, kHigh };

struct QrOptions {
  QrErrorCorrection error_correction = QrErrorCorrection::kMedium;
  int min_version = 0;  // 0: the smallest version that fits
};

// A square of modules; dark(x, y) is true for a dark module. No quiet zone included.
struct QrMatrix {
  int size = 0;
  int version = 0;
  std::vector<std::uint8_t> modules;  // size * size, row-major, 1 = dark

  bool dark(int x, int y) const {
    return modules[static_cast<std::size_t>(y) * static_cast<std::size_t>(size) +
                   static_cast<std::size_t>(x)] != 0;
  }
};

// Encodes utf8 (taken as bytes, not validated) into a QR symbol. Fails with kInvalidArgument
// when the text is empty or too long for a QR code at the chosen level, kInternal when
// libqrencode fails otherwise.
Result<QrMatrix> encodeQr(std::string_view utf8, const QrOptions& options = QrOptions());

struct QrPngOptions {
  int scale = 8;       // pixels per module, >= 1
  int quiet_zone = 4;  // modules of white border on each side, >= 0
};

// Renders the matrix as an 8-bit greyscale PNG (black on white). Fails with kInvalidArgument on
// a bad scale or quiet zone or an empty matrix, kInternal when libpng fails.
Result<Bytes> renderQrPng(const QrMatrix& matrix, const QrPngOptions& options = QrPngOptions());

}  // namespace cardline
