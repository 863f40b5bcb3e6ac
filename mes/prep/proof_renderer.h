#pragma once
// Proof images of a print job: each PDF page rasterised in-process with poppler-cpp (no
// subprocess) and written as 8-bit RGB PNG with libpng. Used by `cardline prepare` (front.png,
// back.png at 300 dpi) and by tests that look at the glyphs actually drawn, not only at the text
// layer. A separate target (cardline::proof) because the print device does not need it.
// Stateless functions; thread-safe (each call has its own poppler document).

#include <cstdint>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline {

inline constexpr int kProofDpi = 300;

// Row-major RGB pixels, 3 bytes per pixel, no padding.
struct RgbRaster {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
};

// Renders every page of `pdf` at `dpi` (antialiased, white paper). Fails with kInvalidArgument
// when the bytes are not a PDF poppler can open or dpi is not in 1..2400, kInternal when
// poppler cannot render a page.
Result<std::vector<RgbRaster>> rasterisePdf(const Bytes& pdf, int dpi);

// Encodes a raster as a non-interlaced PNG with its resolution (pHYs) set to `dpi`. Fails with
// kInvalidArgument for an inconsistent raster, kInternal when libpng fails.
Result<Bytes> encodeProofPng(const RgbRaster& raster, int dpi);

// Writes front.png (page 1) and back.png (page 2) of a two-page print job at kProofDpi into
// `out_dir` (which must exist). Fails as rasterisePdf, with kInvalidArgument when the PDF does
// not have exactly two pages, and kUnavailable when a file cannot be written.
Status writeProofs(const Bytes& pdf, const std::string& out_dir);

}  // namespace cardline
