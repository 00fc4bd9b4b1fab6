// A guest image as a user hands it to `nestlab run`: detected (ELF, arm64
// Image, raw) and planned by the same code the highvisor and the lowvisor
// use (vhv/common/elf_loader.h, linux_image.h), every plan it accepts checked
// against the file and guest RAM, and a Linux-style one given an initrd and
// a device tree as QEMU places them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vhv/common/elf_loader.h"
#include "vhv/common/linux_image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nestlab::GuestMemoryMap maps[] = {{0x4000'0000, 64ull << 20}, {0x4000'0000, 2ull << 20}};
  for (const auto& map : maps) {
    const auto kind = nestlab::detect_image_kind(data, size);
    auto plan = nestlab::plan_image_as(kind, data, size, map);
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
    if (kind != nestlab::ImageKind::Elf) {
      const uint64_t initrd = size ? uint64_t(data[size - 1]) << 16 : 0;
      auto boot = nestlab::plan_linux_boot(p, map, map.ram_ipa + map.ram_size, initrd,
                                           nestlab::kGuestFdtMaxSize);
      if (boot.is_ok()) {
        const auto& b = boot.value();
        const uint64_t end = map.ram_ipa + map.ram_size;
        if (b.initrd_ipa < map.ram_ipa || b.initrd_ipa + initrd > end) std::abort();
        if (b.fdt_ipa < map.ram_ipa || b.fdt_ipa + nestlab::kGuestFdtMaxSize > end) std::abort();
        if (initrd && b.fdt_ipa < b.initrd_ipa + initrd && b.initrd_ipa < b.fdt_ipa + 1)
          std::abort();  // the tree must not land inside the initrd
      }
    }
  }
  return 0;
}
