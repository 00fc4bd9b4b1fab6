// An ImageError as the sentence users see, for host-side tests.
#pragma once

#include <string>

#include "vhv/common/elf_loader.h"

namespace nestlab {

inline std::string describe(const ImageError& e) {
  char buf[512];
  describe_image_error(e, buf, sizeof buf);
  return buf;
}

}  // namespace nestlab
