// Puts a guest image into the VHV's staging area and describes it to the
// lowvisor with BootParams. The image is validated here, on the host, with the
// same loader code the lowvisor runs (vhv/common/elf_loader), so every bad
// image gets a precise message before the VHV is touched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "vhv/common/boot_params.h"
#include "vhv/host/vhv_ram.h"
#include "vhv/host/vm_memory.h"

namespace nestlab::vhv {

struct RunRequest {
  int image_fd = -1;  // Not owned.
  std::string image_name;
  // The initrd, as QEMU's -initrd: staged after the image, placed in guest
  // RAM by linux_image.h plan_linux_boot. -1: none. Not owned.
  int initrd_fd = -1;
  std::string initrd_name;
  uint64_t mem = 0;  // guest RAM, bytes; the highvisor chooses it before staging
  std::string append;
  uint32_t smp = 1;
  bool mailbox_boot = false;              // S18: secondaries boot through mailboxes
  std::optional<std::string> device_map;  // S9: the user's mapping file (device_map.h)
  std::string vm_name;
  uint32_t vm_id = 0;   // the VM slot (layout::vm_slot): BootParams and device map go there
  uint32_t weight = 1;  // scheduler weight, 1..BootParams::kMaxWeight
  // Where the VM's guest RAM (mem bytes) and its staged image and initrd
  // are in VHV RAM (vm_memory.h).
  MemBlock guest_ram;
  MemBlock staging;
  // Where the guest's PL011 is; 0 = QEMU virt's place (0x0900_0000). The
  // lab grader moves it per run (guest_fdt.h valid_pl011_ipa).
  uint64_t pl011_ipa = 0;
  // The VM's virtio-blk disks as the lowvisor shows them (at most
  // BootParams::kMaxDisks).
  std::vector<BootDisk> disks;
  std::optional<BootNet> net;  // the virtio-net device, if the run has one
};

// True when the first bytes are printable text: a file given by mistake
// (notes, a script), which as a raw image would only crash the guest.
bool looks_like_text(const uint8_t* data, uint64_t size);

// Checks everything about the request that needs no memory yet (the size of
// guest RAM, vCPUs, boot arguments, the files) and returns how many bytes
// the staging block must hold: the image, page aligned, then the initrd.
HostResult<uint64_t> staging_bytes(const RunRequest& request);

// Writes the image (and initrd) into request.staging and BootParams and the
// device map into the VM's slot. Returns the guest entry point.
HostResult<uint64_t> stage_image(VhvRam& ram, const RunRequest& request);

}  // namespace nestlab::vhv
