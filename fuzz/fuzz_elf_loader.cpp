// A guest image as a user hands it to `nestlab run`: planned by the same
// code the highvisor and the lowvisor use (vhv/common/elf_loader.h), and
// every plan it accepts checked against the file and guest RAM.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vhv/common/elf_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nestlab::GuestMemoryMap maps[] = {{0x4000'0000, 64ull << 20}, {0x4000'0000, 2ull << 20}};
  for (const auto& map : maps) {
    auto plan = nestlab::plan_image(data, size, map);
    if (plan.is_error()) {
      char buf[256];
      (void)nestlab::describe_image_error(plan.error(), buf, sizeof buf);
      (void)nestlab::image_error_kind_name(plan.error().kind);
      continue;
    }
    const auto& p = plan.value();
    if (p.segment_count > nestlab::ImagePlan::kMaxSegments) std::abort();
    for (uint32_t i = 0; i < p.segment_count; ++i) {
      const auto& s = p.segments[i];
      if (s.file_size > s.mem_size) std::abort();
      if (s.file_offset > size || s.file_size > size - s.file_offset) std::abort();
      if (s.ipa < map.ram_ipa || s.ipa + s.mem_size > map.ram_ipa + map.ram_size) std::abort();
    }
    (void)nestlab::place_device_tree(p, map, 64 * 1024);
  }
  return 0;
}
