#include "devices/sim/raster.h"

#include <png.h>
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>
#include <zbar.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>

namespace cardline::sim {
namespace {

// poppler warns about libharu's ToUnicode CMaps on every page (see docs/prep.md); that one
// message is dropped, every other goes to stderr. The handler is process-wide.
void forwardPopplerMessage(const std::string& message, void*) {
  if (message.find("begincidrange") != std::string::npos) return;
  std::cerr << "poppler: " << message << "\n";
}

void installPopplerFilter() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(forwardPopplerMessage, nullptr); });
}

std::unique_ptr<poppler::document> openPdf(const Bytes& pdf) {
  installPopplerFilter();
  std::unique_ptr<poppler::document> document(poppler::document::load_from_raw_data(
      reinterpret_cast<const char*>(pdf.data()), static_cast<int>(pdf.size())));
  if (document != nullptr && document->is_locked()) document.reset();
  return document;
}

// ARGB32 / RGB24 words (native endian) to grey (ITU-R BT.601 luma).
GreyImage toGrey(const poppler::image& image) {
  GreyImage out;
  out.width = image.width();
  out.height = image.height();
  out.pixels.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height));
  const char* base = image.const_data();
  for (int row = 0; row < out.height; ++row) {
    const char* line = base + static_cast<std::ptrdiff_t>(row) * image.bytes_per_row();
    for (int col = 0; col < out.width; ++col) {
      std::uint32_t word = 0;
      std::copy(line + col * 4, line + col * 4 + 4, reinterpret_cast<char*>(&word));
      const std::uint32_t r = (word >> 16) & 0xFF;
      const std::uint32_t g = (word >> 8) & 0xFF;
      const std::uint32_t b = word & 0xFF;
      out.at(col, row) = static_cast<std::uint8_t>((r * 299 + g * 587 + b * 114 + 500) / 1000);
    }
  }
  return out;
}

void appendPng(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}
void flushPng(png_structp) {}

struct PngSource {
  const Bytes* data;
  std::size_t pos;
};
void readPng(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (source->pos + length > source->data->size()) png_error(png, "truncated PNG");
  std::copy(source->data->begin() + static_cast<std::ptrdiff_t>(source->pos),
            source->data->begin() + static_cast<std::ptrdiff_t>(source->pos + length), out);
  source->pos += length;
}

// libpng reports errors by longjmp: only trivially destructible state lives across setjmp.
bool encodeInto(const GreyImage& image, Bytes* out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, appendPng, flushPng);
  png_set_compression_level(png, 1);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width),
               static_cast<png_uint_32>(image.height), 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int row = 0; row < image.height; ++row) {
    png_write_row(png, image.pixels.data() +
                           static_cast<std::size_t>(row) * static_cast<std::size_t>(image.width));
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

bool decodeInto(PngSource* source, GreyImage* image) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, source, readPng);
  png_read_info(png, info);
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  png_set_rgb_to_gray_fixed(png, 1, -1, -1);
  png_read_update_info(png, info);
  image->width = static_cast<int>(png_get_image_width(png, info));
  image->height = static_cast<int>(png_get_image_height(png, info));
  if (png_get_channels(png, info) != 1 || image->width <= 0 || image->height <= 0) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  image->pixels.resize(static_cast<std::size_t>(image->width) *
                       static_cast<std::size_t>(image->height));
  for (int row = 0; row < image->height; ++row) {
    png_read_row(png,
                 image->pixels.data() +
                     static_cast<std::size_t>(row) * static_cast<std::size_t>(image->width),
                 nullptr);
  }
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

}  // namespace

PixelBox toPixels(const LayoutBox& box, const GreyImage& image) {
  const double sx = image.width / kCardWidthMm;
  const double sy = image.height / kCardHeightMm;
  PixelBox p;
  p.x0 = std::clamp(static_cast<int>(std::floor(box.x * sx)), 0, image.width);
  p.y0 = std::clamp(static_cast<int>(std::floor(box.y * sy)), 0, image.height);
  p.x1 = std::clamp(static_cast<int>(std::ceil((box.x + box.w) * sx)), p.x0, image.width);
  p.y1 = std::clamp(static_cast<int>(std::ceil((box.y + box.h) * sy)), p.y0, image.height);
  return p;
}

Result<PdfReading> renderPdf(const Bytes& pdf, int dpi) {
  std::unique_ptr<poppler::document> document = openPdf(pdf);
  if (document == nullptr) return invalidArgument("the print is not a PDF poppler can open");
  poppler::page_renderer renderer;
  renderer.set_render_hints(poppler::page_renderer::antialiasing |
                            poppler::page_renderer::text_antialiasing);
  renderer.set_paper_color(0xffffffff);
  PdfReading reading;
  for (int index = 0; index < document->pages(); ++index) {
    std::unique_ptr<poppler::page> page(document->create_page(index));
    if (page == nullptr) return internalError("poppler cannot open page " + std::to_string(index));
    poppler::image image = renderer.render_page(page.get(), dpi, dpi);
    if (!image.is_valid() || (image.format() != poppler::image::format_argb32 &&
                              image.format() != poppler::image::format_rgb24)) {
      return internalError("poppler cannot render page " + std::to_string(index + 1));
    }
    reading.pages.push_back(toGrey(image));
  }
  return reading;
}

Result<std::vector<std::string>> pdfTextLines(const Bytes& pdf, int page_index,
                                              const LayoutBox& box) {
  std::unique_ptr<poppler::document> document = openPdf(pdf);
  if (document == nullptr) return invalidArgument("the print is not a PDF poppler can open");
  if (page_index < 0 || page_index >= document->pages()) {
    return invalidArgument("the print has no page " + std::to_string(page_index + 1));
  }
  std::unique_ptr<poppler::page> page(document->create_page(page_index));
  if (page == nullptr) return invalidArgument("poppler cannot open the page");
  const double pt = 72.0 / 25.4;
  // Words by their centre's y (rounded to 1 pt), then x.
  std::map<long, std::map<double, std::string>> lines;
  for (const poppler::text_box& word : page->text_list()) {
    const poppler::rectf r = word.bbox();
    const double cx = (r.left() + r.right()) / 2 / pt;
    const double cy = (r.top() + r.bottom()) / 2 / pt;
    if (cx < box.x || cx > box.x + box.w || cy < box.y || cy > box.y + box.h) continue;
    const poppler::byte_array utf8 = word.text().to_utf8();
    lines[std::lround(cy * pt)][cx] += std::string(utf8.begin(), utf8.end());
  }
  std::vector<std::string> out;
  for (const auto& [y, words] : lines) {
    std::string line;
    for (const auto& [x, text] : words) line += text;
    out.push_back(line);
  }
  return out;
}

Result<Bytes> encodeGreyPng(const GreyImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() !=
          static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height)) {
    return invalidArgument("inconsistent grey image");
  }
  Bytes out;
  if (!encodeInto(image, &out)) return internalError("libpng failed while encoding");
  return out;
}

Result<GreyImage> decodeGreyPng(const Bytes& png) {
  if (png.size() < 8 || png_sig_cmp(png.data(), 0, 8) != 0) return invalidArgument("not a PNG");
  PngSource source{&png, 0};
  GreyImage image;
  if (!decodeInto(&source, &image)) return invalidArgument("malformed PNG");
  return image;
}

Result<std::vector<std::string>> decodeQr(const GreyImage& image, const PixelBox& region) {
  if (region.area() <= 0) return std::vector<std::string>{};
  // Crop with a white margin of 12 pixels so the quiet zone is there even if the box is tight.
  const int margin = 12;
  const int w = region.x1 - region.x0 + 2 * margin;
  const int h = region.y1 - region.y0 + 2 * margin;
  std::vector<std::uint8_t> crop(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 255);
  for (int y = region.y0; y < region.y1; ++y) {
    for (int x = region.x0; x < region.x1; ++x) {
      crop[static_cast<std::size_t>(y - region.y0 + margin) * static_cast<std::size_t>(w) +
           static_cast<std::size_t>(x - region.x0 + margin)] = image.at(x, y);
    }
  }
  std::unique_ptr<zbar::zbar_image_scanner_t, void (*)(zbar::zbar_image_scanner_t*)> scanner(
      zbar::zbar_image_scanner_create(), zbar::zbar_image_scanner_destroy);
  if (scanner == nullptr) return internalError("zbar: cannot create a scanner");
  zbar::zbar_image_scanner_set_config(scanner.get(), zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
  zbar::zbar_image_scanner_set_config(scanner.get(), zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
  std::unique_ptr<zbar::zbar_image_t, void (*)(zbar::zbar_image_t*)> zimage(
      zbar::zbar_image_create(), zbar::zbar_image_destroy);
  if (zimage == nullptr) return internalError("zbar: cannot create an image");
  const unsigned long y800 =
      'Y' | ('8' << 8) | ('0' << 16) | (static_cast<unsigned long>('0') << 24);
  zbar::zbar_image_set_format(zimage.get(), y800);
  zbar::zbar_image_set_size(zimage.get(), static_cast<unsigned>(w), static_cast<unsigned>(h));
  zbar::zbar_image_set_data(zimage.get(), crop.data(), crop.size(), nullptr);
  std::vector<std::string> found;
  if (zbar::zbar_scan_image(scanner.get(), zimage.get()) > 0) {
    for (const zbar::zbar_symbol_t* s = zbar::zbar_image_first_symbol(zimage.get()); s != nullptr;
         s = zbar::zbar_symbol_next(s)) {
      found.emplace_back(zbar::zbar_symbol_get_data(s), zbar::zbar_symbol_get_data_length(s));
    }
  }
  zbar::zbar_image_set_data(zimage.get(), nullptr, 0, nullptr);
  return found;
}

}  // namespace cardline::sim
