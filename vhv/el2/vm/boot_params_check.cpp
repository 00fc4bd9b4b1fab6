#include "vhv/el2/vm/boot_params_check.h"

#include "vhv/common/format.h"
#include "vhv/common/guest_fdt.h"
#include "vhv/common/layout.h"
#include "vhv/el2/boot/smp.h"

namespace nestlab {
namespace {

using ull = unsigned long long;

bool terminated(const char* s, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (s[i] == '\0') return true;
  return false;
}

}  // namespace

bool check_boot_params(const BootParams& bp, uint8_t vm_id, uint64_t vhv_ram_end, char* why,
                       size_t len) {
  constexpr uint64_t k2M = 2ull << 20;
  if (bp.magic != BootParams::kMagic) {
    format(why, len,
           "BootParams at 0x%llx have magic 0x%llx, expected 0x%llx (\"NLBOOT01\"); write them "
           "before RunVm",
           ull(layout::kBootParamsPa), ull(bp.magic), ull(BootParams::kMagic));
    return false;
  }
  if (bp.version != BootParams::kVersion || bp.size != sizeof(BootParams)) {
    format(why, len, "BootParams version %u size %u, this lowvisor needs version %u size %u",
           bp.version, bp.size, BootParams::kVersion, unsigned(sizeof(BootParams)));
    return false;
  }
  const uint32_t sum = boot_params_checksum(bp);
  if (sum != bp.checksum) {
    format(why, len,
           "BootParams checksum 0x%08x does not match their contents (0x%08x): torn or stale write",
           bp.checksum, sum);
    return false;
  }
  if (bp.vm_id != vm_id) {
    format(why, len, "RunVm names VM %u but BootParams are for VM %u", unsigned(vm_id), bp.vm_id);
    return false;
  }
  // vCPUs share the VHV's CPUs (sched/), so a VM may have more of them
  // than the VHV has CPUs.
  if (bp.smp < 1 || bp.smp > kMaxCpus) {
    format(why, len, "the VM asks for %u vCPUs; a VM has 1 to %u", bp.smp, kMaxCpus);
    return false;
  }
  if (bp.guest_ram_ipa != layout::kGuestRamIpa) {
    format(why, len, "guest RAM must start at IPA 0x%llx, BootParams say 0x%llx",
           ull(layout::kGuestRamIpa), ull(bp.guest_ram_ipa));
    return false;
  }
  if (bp.guest_ram_size == 0 || bp.guest_ram_size % k2M ||
      bp.guest_ram_size > layout::kGuestMaxRam) {
    format(why, len, "guest RAM size 0x%llx must be a non-zero multiple of 2 MiB up to 0x%llx",
           ull(bp.guest_ram_size), ull(layout::kGuestMaxRam));
    return false;
  }
  const uint64_t ram_pa_end = bp.guest_ram_pa + bp.guest_ram_size;
  if (bp.guest_ram_pa % k2M || bp.guest_ram_pa < layout::kGuestRamPa ||
      ram_pa_end < bp.guest_ram_pa || (vhv_ram_end && ram_pa_end > vhv_ram_end)) {
    format(why, len,
           "guest RAM [0x%llx, 0x%llx) in VHV memory must be 2 MiB aligned and inside [0x%llx, "
           "0x%llx); "
           "give the VHV more memory",
           ull(bp.guest_ram_pa), ull(ram_pa_end), ull(layout::kGuestRamPa), ull(vhv_ram_end));
    return false;
  }
  const uint64_t image_end = bp.image_pa + bp.image_size;
  const bool overlaps_ram = bp.image_pa < ram_pa_end && bp.guest_ram_pa < image_end;
  if (bp.image_size == 0 || image_end < bp.image_pa || bp.image_pa < layout::kGuestRamPa ||
      overlaps_ram || (vhv_ram_end && image_end > vhv_ram_end)) {
    format(why, len,
           "the staged image [0x%llx, 0x%llx) must be non-empty, inside VHV memory [0x%llx, "
           "0x%llx) and "
           "outside guest RAM [0x%llx, 0x%llx)",
           ull(bp.image_pa), ull(image_end), ull(layout::kGuestRamPa), ull(vhv_ram_end),
           ull(bp.guest_ram_pa), ull(ram_pa_end));
    return false;
  }
  if (bp.image_kind != ImageKind::Elf && bp.image_kind != ImageKind::Raw &&
      bp.image_kind != ImageKind::Arm64Image) {
    format(why, len, "unknown image kind %u (1 = ELF, 2 = raw, 3 = arm64 Image)",
           unsigned(bp.image_kind));
    return false;
  }
  // The staged initrd, like the image: in VHV memory, outside guest RAM and
  // the image.
  const uint64_t initrd_end = bp.initrd_pa + bp.initrd_size;
  if (bp.initrd_size != 0 && (initrd_end < bp.initrd_pa || bp.initrd_pa < layout::kGuestRamPa ||
                              (bp.initrd_pa < ram_pa_end && bp.guest_ram_pa < initrd_end) ||
                              (bp.initrd_pa < image_end && bp.image_pa < initrd_end) ||
                              (vhv_ram_end && initrd_end > vhv_ram_end))) {
    format(why, len,
           "the staged initrd [0x%llx, 0x%llx) must be inside VHV memory [0x%llx, 0x%llx) and "
           "outside guest RAM [0x%llx, 0x%llx) and the image",
           ull(bp.initrd_pa), ull(initrd_end), ull(layout::kGuestRamPa), ull(vhv_ram_end),
           ull(bp.guest_ram_pa), ull(ram_pa_end));
    return false;
  }
  if (bp.pl011_ipa != 0 && !valid_pl011_ipa(bp.pl011_ipa)) {
    format(why, len,
           "the PL011 cannot be placed at IPA 0x%llx (a free 4 KiB page in [0x%llx, 0x%llx))",
           ull(bp.pl011_ipa), ull(layout::kGuestPl011Ipa), ull(layout::kGuestDeviceLimit));
    return false;
  }
  if (bp.disk_count > BootParams::kMaxDisks) {
    format(why, len, "the VM has %u disks; a VM has at most %u", bp.disk_count,
           BootParams::kMaxDisks);
    return false;
  }
  for (uint32_t i = 0; i < bp.disk_count; ++i) {
    if (bp.disks[i].flags & ~BootDisk::kFlagReadOnly) {
      format(why, len, "disk %u has unknown flags 0x%x", i, bp.disks[i].flags);
      return false;
    }
  }
  if (bp.net_count > BootParams::kMaxNets) {
    format(why, len, "the VM has %u network devices; a VM has at most %u", bp.net_count,
           BootParams::kMaxNets);
    return false;
  }
  // A MAC the guest could send from as a group address would flood
  // everywhere and break learning: only locally administered unicast.
  if (bp.net_count && (bp.net.mac[0] & 3) != 2) {
    format(why, len,
           "the network device's MAC %02x:%02x:%02x:%02x:%02x:%02x is not a locally "
           "administered unicast address",
           bp.net.mac[0], bp.net.mac[1], bp.net.mac[2], bp.net.mac[3], bp.net.mac[4],
           bp.net.mac[5]);
    return false;
  }
  if (!terminated(bp.bootargs, sizeof(bp.bootargs)) ||
      !terminated(bp.vm_name, sizeof(bp.vm_name))) {
    format(why, len, "BootParams bootargs or vm_name are not NUL-terminated");
    return false;
  }
  return true;
}

}  // namespace nestlab
