#pragma once
// Decoding check and encoding of the images intake deals with (JPEG via libjpeg, PNG via
// libpng). Stateless functions, thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline {

struct ImageSize {
  int width = 0;
  int height = 0;
};

// Decodes `data` completely as `format` ("jpeg" or "png") and returns its size. Fails with
// kInvalidArgument when the format is not one of those or the data do not decode (the message
// says why, e.g. "not a JPEG file: starts with 0x89 0x50"); a JPEG that libjpeg can only
// decode with warnings (truncated, corrupt entropy data) counts as undecodable.
Result<ImageSize> decodeImage(const std::string& format, const Bytes& data);

// Pixels for encoding: row-major, `channels` bytes per pixel (1 = gray, 3 = RGB).
struct Raster {
  int width = 0;
  int height = 0;
  int channels = 3;
  std::vector<std::uint8_t> pixels;
};

// Encodes a baseline JPEG at `quality` (1..100). kInvalidArgument for an inconsistent raster,
// kInternal if libjpeg fails.
Result<Bytes> encodeJpeg(const Raster& raster, int quality);

}  // namespace cardline
