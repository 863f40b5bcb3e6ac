#include "mes/prep/proof_renderer.h"

#include <png.h>
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <cmath>
#include <csetjmp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>

namespace cardline {

namespace {

// libharu 2.3.0 writes a "begincidrange" section into the ToUnicode CMap of embedded TrueType
// fonts, which poppler warns about on every page although the text maps correctly (pdftotext
// reads it back exactly; see docs/prep.md). That one message is dropped; every other poppler
// message still goes to stderr. poppler's handler is process-wide, so it is installed once.
void forwardPopplerMessage(const std::string& message, void*) {
  if (message.find("begincidrange") != std::string::npos) return;
  std::cerr << "poppler: " << message << "\n";
}

void installPopplerMessageFilter() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(forwardPopplerMessage, nullptr); });
}

void appendPngData(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

void flushPngData(png_structp) {}

// libpng reports errors by longjmp; the encoder below keeps only trivially destructible state
// between setjmp and the writes.
Status encodeInto(const RgbRaster& raster, int dpi, Bytes& out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return internalError("libpng: cannot create a write struct");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return internalError("libpng: cannot create an info struct");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return internalError("libpng failed while encoding the proof");
  }
  png_set_write_fn(png, &out, appendPngData, flushPngData);
  png_set_IHDR(png, info, static_cast<png_uint_32>(raster.width),
               static_cast<png_uint_32>(raster.height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  const auto per_metre = static_cast<png_uint_32>(std::lround(dpi / 0.0254));
  png_set_pHYs(png, info, per_metre, per_metre, PNG_RESOLUTION_METER);
  png_write_info(png, info);
  const std::size_t stride = static_cast<std::size_t>(raster.width) * 3;
  for (int row = 0; row < raster.height; ++row) {
    png_write_row(png, raster.pixels.data() + static_cast<std::size_t>(row) * stride);
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return Status::ok();
}

// Converts one rendered poppler image (ARGB32 or RGB24, native endian words) to RGB bytes.
Result<RgbRaster> toRgb(const poppler::image& image) {
  if (image.format() != poppler::image::format_argb32 &&
      image.format() != poppler::image::format_rgb24) {
    return internalError("poppler rendered an unexpected pixel format");
  }
  RgbRaster raster;
  raster.width = image.width();
  raster.height = image.height();
  raster.pixels.resize(static_cast<std::size_t>(raster.width) *
                       static_cast<std::size_t>(raster.height) * 3);
  const char* base = image.const_data();
  for (int row = 0; row < raster.height; ++row) {
    const auto* line =
        reinterpret_cast<const unsigned char*>(base) +
        static_cast<std::size_t>(row) * static_cast<std::size_t>(image.bytes_per_row());
    for (int col = 0; col < raster.width; ++col) {
      const unsigned char* px = line + static_cast<std::size_t>(col) * 4;
      // 0xAARRGGBB as a little- or big-endian 32-bit word.
      const std::uint32_t word =
          static_cast<std::uint32_t>(px[0]) | static_cast<std::uint32_t>(px[1]) << 8 |
          static_cast<std::uint32_t>(px[2]) << 16 | static_cast<std::uint32_t>(px[3]) << 24;
      std::uint32_t native = word;
      const std::uint16_t probe = 1;
      if (*reinterpret_cast<const std::uint8_t*>(&probe) == 0) {
        native = static_cast<std::uint32_t>(px[3]) | static_cast<std::uint32_t>(px[2]) << 8 |
                 static_cast<std::uint32_t>(px[1]) << 16 | static_cast<std::uint32_t>(px[0]) << 24;
      }
      std::uint8_t* out = raster.pixels.data() +
                          (static_cast<std::size_t>(row) * static_cast<std::size_t>(raster.width) +
                           static_cast<std::size_t>(col)) *
                              3;
      out[0] = static_cast<std::uint8_t>(native >> 16);
      out[1] = static_cast<std::uint8_t>(native >> 8);
      out[2] = static_cast<std::uint8_t>(native);
    }
  }
  return raster;
}

}  // namespace

Result<std::vector<RgbRaster>> rasterisePdf(const Bytes& pdf, int dpi) {
  if (dpi < 1 || dpi > 2400) return invalidArgument("dpi must be 1..2400");
  installPopplerMessageFilter();
  std::unique_ptr<poppler::document> document(poppler::document::load_from_raw_data(
      reinterpret_cast<const char*>(pdf.data()), static_cast<int>(pdf.size())));
  if (document == nullptr || document->is_locked()) {
    return invalidArgument("the print job is not a PDF that poppler can open");
  }
  poppler::page_renderer renderer;
  renderer.set_render_hints(poppler::page_renderer::antialiasing |
                            poppler::page_renderer::text_antialiasing);
  renderer.set_paper_color(0xffffffff);
  std::vector<RgbRaster> pages;
  for (int index = 0; index < document->pages(); ++index) {
    std::unique_ptr<poppler::page> page(document->create_page(index));
    if (page == nullptr)
      return internalError("poppler cannot open page " + std::to_string(index + 1));
    poppler::image image = renderer.render_page(page.get(), dpi, dpi);
    if (!image.is_valid()) {
      return internalError("poppler cannot render page " + std::to_string(index + 1));
    }
    CARDLINE_ASSIGN_OR_RETURN(RgbRaster raster, toRgb(image));
    pages.push_back(std::move(raster));
  }
  return pages;
}

Result<Bytes> encodeProofPng(const RgbRaster& raster, int dpi) {
  if (raster.width <= 0 || raster.height <= 0 ||
      raster.pixels.size() !=
          static_cast<std::size_t>(raster.width) * static_cast<std::size_t>(raster.height) * 3) {
    return invalidArgument("inconsistent raster");
  }
  Bytes out;
  CARDLINE_RETURN_IF_ERROR(encodeInto(raster, dpi, out));
  return out;
}

Status writeProofs(const Bytes& pdf, const std::string& out_dir) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<RgbRaster> pages, rasterisePdf(pdf, kProofDpi));
  if (pages.size() != 2) {
    return invalidArgument("a print job has 2 pages, this one has " + std::to_string(pages.size()));
  }
  const char* names[] = {"front.png", "back.png"};
  for (std::size_t i = 0; i < 2; ++i) {
    CARDLINE_ASSIGN_OR_RETURN(Bytes png, encodeProofPng(pages[i], kProofDpi));
    const std::filesystem::path path = std::filesystem::path(out_dir) / names[i];
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    out.close();
    if (!out) return unavailable("cannot write '" + path.string() + "'");
  }
  return Status::ok();
}

}  // namespace cardline
