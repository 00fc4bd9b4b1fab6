// RFC 4648 base64, the encoding of console bytes in `console` notifications.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace nestlab {

// Decodes standard base64 (RFC 4648 section 4) with or without padding;
// whitespace is ignored. Any other character is an error.
HostResult<std::string> base64_decode(std::string_view text);

std::string base64_encode(std::string_view bytes);

}  // namespace nestlab
