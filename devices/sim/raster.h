#pragma once
// Pixels for the simulated printer and camera: PDF pages rendered in-process with poppler-cpp
// (greyscale, white paper), greyscale PNG in and out (libpng), the text layer of a PDF inside a
// box (poppler's text extraction), and QR decoding with libzbar. No library type in this header.
// Functions are thread-safe (each call has its own poppler document / zbar scanner).

#include <cstdint>
#include <string>
#include <vector>

#include "devices/sim/job_parts.h"
#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline::sim {

inline constexpr int kSimDpi = 300;

// Row-major 8-bit grey pixels.
struct GreyImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
  std::uint8_t at(int x, int y) const {
    return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                  static_cast<std::size_t>(x)];
  }
  std::uint8_t& at(int x, int y) {
    return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                  static_cast<std::size_t>(x)];
  }
};

// A pixel rectangle [x0, x1) x [y0, y1), clipped to the image.
struct PixelBox {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int area() const { return (x1 - x0) * (y1 - y0); }
};
PixelBox toPixels(const LayoutBox& box, const GreyImage& image);

// A print job rendered by poppler: every page at the requested dpi.
struct PdfReading {
  std::vector<GreyImage> pages;
};

// Renders every page of pdf at dpi (antialiased). Fails with kInvalidArgument when the bytes are
// not a PDF poppler opens, kInternal when a page cannot be rendered.
Result<PdfReading> renderPdf(const Bytes& pdf, int dpi);

// The words of page `page` whose centre lies inside box (mm), grouped into lines top to bottom
// (words of one line joined by nothing: MRZ lines have no spaces). Fails with kInvalidArgument
// when the PDF cannot be opened or has no such page.
Result<std::vector<std::string>> pdfTextLines(const Bytes& pdf, int page, const LayoutBox& box);

// Greyscale PNG (fast compression) and back. decodePng converts any PNG to 8-bit grey. Fail
// with kInvalidArgument on malformed input, kInternal when libpng fails.
Result<Bytes> encodeGreyPng(const GreyImage& image);
Result<GreyImage> decodeGreyPng(const Bytes& png);

// The QR symbols zbar finds inside region of image (their data, UTF-8 as zbar decodes ECI 26).
// Empty when none is readable. Fails with kInternal when zbar cannot be set up.
Result<std::vector<std::string>> decodeQr(const GreyImage& image, const PixelBox& region);

}  // namespace cardline::sim
