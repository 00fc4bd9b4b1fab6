#include "console/vm_option.h"

#include "vhv/common/boot_params.h"
#include "vhv/common/layout.h"

namespace nestlab::cli {

namespace {

std::optional<unsigned long> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoul(text);
}

}  // namespace

std::optional<int> parse_vm_option(const std::string& text, std::string& error) {
  auto n = whole_number(text);
  if (!n || *n >= layout::kMaxVms) {
    error = "--vm: '" + text + "' is not a VM id (a VHV has VMs 0 to " +
            std::to_string(layout::kMaxVms - 1) + ")";
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

std::optional<unsigned> parse_weight_option(const std::string& text, std::string& error) {
  auto n = whole_number(text);
  if (!n || *n < 1 || *n > BootParams::kMaxWeight) {
    error = "--weight: '" + text + "' is not a weight from 1 to " +
            std::to_string(BootParams::kMaxWeight);
    return std::nullopt;
  }
  return static_cast<unsigned>(*n);
}

}  // namespace nestlab::cli
