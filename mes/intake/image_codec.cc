#include "mes/intake/image_codec.h"

// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on
#include <png.h>

#include <csetjmp>
#include <cstdlib>
#include <cstring>

namespace cardline {

namespace {

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  char warning[JMSG_LENGTH_MAX];
};

extern "C" void jpegErrorExit(j_common_ptr info) {
  auto* err = reinterpret_cast<JpegError*>(info->err);
  (*info->err->format_message)(info, err->message);
  std::longjmp(err->jump, 1);
}

extern "C" void jpegEmitMessage(j_common_ptr info, int level) {
  auto* err = reinterpret_cast<JpegError*>(info->err);
  if (level < 0) {
    if (err->mgr.num_warnings == 0) (*info->err->format_message)(info, err->warning);
    ++err->mgr.num_warnings;
  }
}

// Decodes a JPEG completely; returns false with a message on failure. Only trivially
// destructible objects live in this frame across setjmp.
bool decodeJpeg(const std::uint8_t* data, unsigned long size, std::uint8_t* row_buffer,
                std::size_t row_capacity, ImageSize* out, char* message) {
  jpeg_decompress_struct info;
  JpegError err;
  std::memset(&info, 0, sizeof info);
  err.message[0] = '\0';
  err.warning[0] = '\0';
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpegErrorExit;
  err.mgr.emit_message = jpegEmitMessage;
  if (setjmp(err.jump)) {
    std::strcpy(message, err.message);
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, size);
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_GRAYSCALE;  // cheaper; decoding still checks every block
  jpeg_start_decompress(&info);
  if (info.output_width * static_cast<unsigned>(info.output_components) > row_capacity) {
    std::strcpy(message, "image too wide");
    jpeg_destroy_decompress(&info);
    return false;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = row_buffer;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  out->width = static_cast<int>(info.output_width);
  out->height = static_cast<int>(info.output_height);
  bool clean = err.mgr.num_warnings == 0;
  if (!clean) std::strcpy(message, err.warning);
  jpeg_destroy_decompress(&info);
  return clean;
}

std::string leadingBytes(const Bytes& data) {
  char text[32];
  if (data.size() < 2) return "is empty or too short";
  std::snprintf(text, sizeof text, "starts with 0x%02X 0x%02X", data[0], data[1]);
  return text;
}

}  // namespace

Result<ImageSize> decodeImage(const std::string& format, const Bytes& data) {
  constexpr std::size_t kMaxRowBytes = 65536 * 4;
  if (format == "jpeg") {
    if (data.size() < 2 || data[0] != 0xFF || data[1] != 0xD8) {
      return invalidArgument("not a JPEG file: " + leadingBytes(data));
    }
    std::vector<std::uint8_t> row(kMaxRowBytes);
    ImageSize size;
    char message[JMSG_LENGTH_MAX] = {0};
    if (!decodeJpeg(data.data(), static_cast<unsigned long>(data.size()), row.data(), row.size(),
                    &size, message)) {
      return invalidArgument(std::string("cannot decode the JPEG: ") + message);
    }
    return size;
  }
  if (format == "png") {
    static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (data.size() < 8 || std::memcmp(data.data(), kSignature, 8) != 0) {
      return invalidArgument("not a PNG file: " + leadingBytes(data));
    }
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data.data(), data.size())) {
      std::string message = image.message;
      png_image_free(&image);
      return invalidArgument("cannot decode the PNG: " + message);
    }
    image.format = PNG_FORMAT_GRAY;
    std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) {
      std::string message = image.message;
      png_image_free(&image);
      return invalidArgument("cannot decode the PNG: " + message);
    }
    ImageSize size{static_cast<int>(image.width), static_cast<int>(image.height)};
    png_image_free(&image);
    return size;
  }
  return invalidArgument("unsupported image format '" + format + "' (accepted: jpeg, png)");
}

namespace {

bool encodeJpegRaw(const Raster* raster, int quality, unsigned char** out, unsigned long* size,
                   char* message) {
  jpeg_compress_struct info;
  JpegError err;
  std::memset(&info, 0, sizeof info);
  err.message[0] = '\0';
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpegErrorExit;
  if (setjmp(err.jump)) {
    std::strcpy(message, err.message);
    jpeg_destroy_compress(&info);
    return false;
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, out, size);
  info.image_width = static_cast<JDIMENSION>(raster->width);
  info.image_height = static_cast<JDIMENSION>(raster->height);
  info.input_components = raster->channels;
  info.in_color_space = raster->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  std::size_t stride =
      static_cast<std::size_t>(raster->width) * static_cast<std::size_t>(raster->channels);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(raster->pixels.data() + info.next_scanline * stride);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  return true;
}

}  // namespace

Result<Bytes> encodeJpeg(const Raster& raster, int quality) {
  if (raster.width <= 0 || raster.height <= 0 || (raster.channels != 1 && raster.channels != 3) ||
      raster.pixels.size() != static_cast<std::size_t>(raster.width) *
                                  static_cast<std::size_t>(raster.height) *
                                  static_cast<std::size_t>(raster.channels)) {
    return invalidArgument("inconsistent raster");
  }
  unsigned char* out = nullptr;
  unsigned long size = 0;
  char message[JMSG_LENGTH_MAX] = {0};
  bool ok = encodeJpegRaw(&raster, quality, &out, &size, message);
  Bytes bytes;
  if (ok) bytes.assign(out, out + size);
  std::free(out);
  if (!ok) return internalError(std::string("libjpeg: ") + message);
  return bytes;
}

}  // namespace cardline
