#include "kernel/names.h"

namespace nestlab::kernel {

HostResult<void> validate_vhv_name(const std::string& name) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  bool ok = !name.empty() && name.size() <= 32 && lower_or_digit(name[0]);
  for (char c : name) ok = ok && (lower_or_digit(c) || c == '-');
  if (!ok)
    return nestlab::make_error(
        ErrorCode::InvalidArgument,
        "invalid VHV name \"" + name +
            "\": use 1-32 characters a-z, 0-9 and '-', starting with a letter or digit");
  return {};
}

}  // namespace nestlab::kernel
