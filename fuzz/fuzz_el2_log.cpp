// QEMU's `-d int` log of a --hypervisor VHV (vhv/host/byoh/el2_log.h) and
// the device tree the highvisor extends (byoh/guest_nodes.h): the log
// carries what the student's code made QEMU print, the tree lies in RAM the
// student's image may have changed. The first byte splits the input into
// chunks fed in turn, or selects the tree; counts must stay consistent and
// memory bounded whatever comes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vhv/host/byoh/el2_log.h"
#include "vhv/host/byoh/guest_nodes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (selector == 0xff) {
    nestlab::vhv::PlacedGuest g{"guest.elf", 0x44000000, 0x40080000, 0x40080000, {}};
    auto out = nestlab::vhv::add_guest_nodes(
        std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), std::span(&g, 1),
        1 << 20);
    if (out.is_ok() && out.value().size() > (1u << 20)) std::abort();
    return 0;
  }
  nestlab::vhv::El2LogParser p;
  const size_t step = selector % 64 + 1;
  for (size_t at = 0; at < text.size(); at += step) p.feed(text.substr(at, step), at);
  uint64_t sum = p.irqs() + p.fiqs() + p.serrors();
  for (uint64_t n : p.by_class()) sum += n;
  if (sum != p.total() || p.recent().size() > nestlab::vhv::El2LogParser::kMaxRecent ||
      p.from_el2() > p.total() || p.bytes() != text.size())
    std::abort();
  for (const auto& e : p.recent())
    if (e.seq == 0 || e.seq > p.total()) std::abort();
  return 0;
}
