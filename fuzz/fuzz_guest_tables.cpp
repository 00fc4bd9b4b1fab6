// What a guest controls and the host or lowvisor reads: a device tree blob
// (the lowvisor reads its machine's; a guest may hand one back) and the
// guestinfo page a guest writes while the highvisor reads it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "vhv/common/fdt_reader.h"
#include "vhv/common/guestinfo.h"

namespace gi = nestlab::guestinfo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nestlab::MemoryRange range{};
  (void)nestlab::fdt_find_memory(data, size, &range);

  static gi::Page page;
  std::memset(&page, 0, sizeof page);
  std::memcpy(&page, data, size < sizeof page ? size : sizeof page);
  // The host side never trusts the guest's NULs: look up and set keys taken
  // from the input itself.
  const size_t key_len = size ? data[0] % (gi::kMaxKey + 4) : 0;
  const char* key = size > key_len ? reinterpret_cast<const char*>(data + 1) : "k";
  const size_t len = size > key_len ? key_len : 1;
  (void)gi::valid_key(key, len);
  if (const gi::Entry* e = gi::find(page, key, len)) {
    if (std::memchr(e->value, 0, sizeof e->value) == nullptr) {
      // find() may return a slot whose value the guest left unterminated;
      // readers must bound it themselves (the copy below is what they do).
      char copy[gi::kMaxValue + 1];
      std::memcpy(copy, e->value, gi::kMaxValue);
      copy[gi::kMaxValue] = 0;
    }
  }
  (void)gi::set(page, key, len, "value", 5);
  (void)gi::set(page, key, len, "", 0);
  return 0;
}
