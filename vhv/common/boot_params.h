// BootParams: what the highvisor tells the lowvisor about the guest to run.
// Written by the highvisor into shared VHV RAM at layout::kBootParamsPa before
// it sends a kRunVm frame; read by the lowvisor. Versioned and checksummed so a
// torn or stale block is refused, never run.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab {

// Arm64Image: a Linux arm64 `Image`, placed by its header (linux_image.h).
enum class ImageKind : uint32_t { Elf = 1, Raw = 2, Arm64Image = 3 };

// One virtio-blk disk of the VM (the highvisor holds its file): what the
// lowvisor's transport shows the guest. Disk n sits on virtio-mmio
// transport 30 - n, where QEMU puts the n-th -device after the virtio-rng.
struct BootDisk {
  static constexpr uint32_t kFlagReadOnly = 1u << 0;
  uint64_t sectors;  // capacity in 512-byte sectors
  uint32_t flags;    // kFlag* above
  uint32_t reserved;
};

// The VM's virtio-net device (the highvisor holds its port on the lab
// network): what the lowvisor's transport shows the guest. It sits on the
// transport below the disks, 30 - disk_count, where QEMU puts a
// `-device virtio-net-device` given after the virtio-rng and the disks.
struct BootNet {
  uint8_t mac[6];  // locally administered unicast (mac[0] & 3 == 2)
  uint16_t reserved0;
  uint32_t reserved1;
  uint32_t reserved2;
};
static_assert(sizeof(BootNet) == 16);

struct BootParams {
  static constexpr uint64_t kMagic =
      0x3130'544f'4f42'4c4eull;            // "NLBOOT01" read as little-endian bytes
  static constexpr uint32_t kVersion = 6;  // 6: the virtio-net device (net_count, net)
  // Secondary vCPUs boot through mailboxes, not PSCI (vhv/common/mailbox.h).
  static constexpr uint32_t kFlagMailboxBoot = 1u << 0;
  static constexpr uint32_t kMaxWeight = 10000;

  uint64_t magic;
  uint32_t version;
  uint32_t size;  // sizeof(BootParams), for forward compatibility
  uint32_t vm_id;
  uint32_t smp;
  uint64_t guest_ram_ipa;   // kGuestRamIpa
  uint64_t guest_ram_pa;    // VHV physical address backing guest_ram_ipa
  uint64_t guest_ram_size;  // bytes, multiple of 2 MiB
  uint64_t image_pa;        // VHV physical address of the staged image bytes
  uint64_t image_size;      // bytes
  ImageKind image_kind;
  uint32_t flags;        // kFlag* below
  uint64_t guest_entry;  // filled by the host's validation (ELF e_entry or RAM+0x80000)
  uint8_t vm_uuid[16];
  char vm_name[64];     // NUL-terminated
  char bootargs[1024];  // NUL-terminated, becomes /chosen/bootargs
  // Where the guest's PL011 is; 0 means QEMU virt's own place
  // (layout::kGuestPl011Ipa). The lab grader moves it so that a program must
  // read the address from the device tree (guest_fdt.h valid_pl011_ipa).
  uint64_t pl011_ipa;
  // The initrd, staged after the image (outside guest RAM); 0 bytes: none.
  // The lowvisor copies it where linux_image.h plan_linux_boot says and
  // names it in /chosen (linux,initrd-start/end).
  uint64_t initrd_pa;
  uint64_t initrd_size;
  // Scheduler weight of this VM's vCPUs against the other VMs of the VHV
  // (issue 13): a VM gets CPU time in proportion. 1..kMaxWeight; 0 = 1.
  uint32_t weight;
  uint32_t reserved0;
  // The VM's virtio-blk disks, disk_count of them (at most kMaxDisks).
  static constexpr uint32_t kMaxDisks = 8;
  uint32_t disk_count;
  uint32_t reserved2;
  BootDisk disks[kMaxDisks];
  // The VM's virtio-net device: net_count 0 (none) or 1.
  static constexpr uint32_t kMaxNets = 1;
  uint32_t net_count;
  uint32_t reserved3;
  BootNet net;
  uint32_t checksum;  // fnv1a32 over all bytes before this field
  uint32_t reserved1;
};
static_assert(sizeof(BootParams) % 8 == 0);
static_assert(offsetof(BootParams, checksum) + 8 == sizeof(BootParams));

inline uint32_t fnv1a32(const void* data, size_t len) {
  uint32_t h = 2166136261u;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < len; ++i) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

inline uint32_t boot_params_checksum(const BootParams& bp) {
  return fnv1a32(&bp, offsetof(BootParams, checksum));
}

}  // namespace nestlab
