#include "vhv/host/image_stager.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "vhv/common/boot_params.h"
#include "vhv/common/device_map.h"
#include "vhv/common/elf_loader.h"
#include "vhv/common/guest_fdt.h"
#include "vhv/common/linux_image.h"
#include "vhv/common/mailbox.h"

namespace nestlab::vhv {

namespace {

std::string mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

HostResult<void> read_all(int fd, uint8_t* dst, uint64_t size, const std::string& name) {
  uint64_t off = 0;
  while (off < size) {
    ssize_t n = pread(fd, dst + off, size - off, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("cannot read " + name);
    if (n == 0) return make_error(ErrorCode::Io, name + " shrank while it was being read");
    off += static_cast<uint64_t>(n);
  }
  return {};
}

std::string describe(const ImageError& e) {
  char text[512];
  describe_image_error(e, text, sizeof text);
  return text;
}

// Reads the initrd into the staging area after the image and checks, with
// the lowvisor's own planner, that it and the device tree fit in guest RAM
// after the kernel.
struct StagedInitrd {
  uint64_t pa;  // VHV physical address
  uint64_t size;
};
HostResult<StagedInitrd> stage_initrd(VhvRam& ram, const RunRequest& req, const ImagePlan& plan,
                                      ImageKind kind, uint64_t image_size, uint64_t mem) {
  const std::string& name = req.initrd_name.empty() ? std::string("initrd") : req.initrd_name;
  if (kind == ImageKind::Elf) {
    return make_error(ErrorCode::InvalidArgument,
                      name + ": an initrd needs a Linux kernel Image (or raw image); " +
                          req.image_name + " is an ELF file, which boots without one");
  }
  struct stat st {};
  if (fstat(req.initrd_fd, &st) != 0) return errno_error("cannot stat " + name);
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorCode::InvalidArgument, name + " is not a regular file");
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size == 0) return make_error(ErrorCode::InvalidArgument, name + " (the initrd) is empty");
  GuestMemoryMap map{layout::kGuestRamIpa, mem};
  // The lowvisor's limit: the mailbox region, when there is one, is not the OS's.
  const uint64_t usable_end = req.mailbox_boot && req.smp > 1
                                  ? mailbox::region_ipa(map.ram_ipa, map.ram_size)
                                  : map.ram_ipa + map.ram_size;
  auto layout = plan_linux_boot(plan, map, usable_end, size, kGuestFdtMaxSize);
  if (layout.is_error())
    return make_error(ErrorCode::InvalidArgument, name + ": " + describe(layout.error()));
  // The staging block was sized for the image and the initrd
  // (staging_bytes); the initrd follows the image's pages.
  const uint64_t offset = layout::align_up(image_size, 0x1000);
  if (offset + size > mem)
    return make_error(ErrorCode::InvalidArgument,
                      name + " and " + req.image_name + " together are larger than guest RAM (" +
                          mib(mem) + "); give the guest more memory with --mem");
  if (offset + size > req.staging.size)
    return make_error(ErrorCode::InvalidArgument,
                      name + " grew while it was being staged; run the guest again");
  const uint64_t pa = req.staging.pa + offset;
  uint8_t* staging = ram.at(pa, size);
  if (staging == nullptr) return make_error(ErrorCode::Internal, "staging area out of range");
  TRY(read_all(req.initrd_fd, staging, size, name));
  return StagedInitrd{pa, size};
}

}  // namespace

// A raw image is machine code; a file whose first bytes are all printable text
// is far more likely a script, a README or a source file given by mistake.
// Sixteen AArch64 instructions that are all printable ASCII do not occur in
// practice (the first is usually a branch or an ADR, whose top byte is not).
bool looks_like_text(const uint8_t* data, uint64_t size) {
  uint64_t n = size < 256 ? size : 256;
  if (n < 64 && n != size) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint8_t c = data[i];
    bool printable = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t';
    if (!printable) return false;
  }
  return true;
}

HostResult<uint64_t> staging_bytes(const RunRequest& req) {
  const std::string& name = req.image_name.empty() ? std::string("image") : req.image_name;
  const uint64_t mem = req.mem;
  if (mem % (2ull << 20) != 0 || mem < (2ull << 20)) {
    return make_error(ErrorCode::InvalidArgument,
                      "guest memory must be a multiple of 2 MiB and at least 2 MiB");
  }
  if (req.smp < 1 || req.smp > 8) {
    return make_error(ErrorCode::InvalidArgument,
                      "a guest has 1 to 8 vCPUs, not " + std::to_string(req.smp));
  }
  if (req.append.size() >= sizeof(BootParams{}.bootargs)) {
    return make_error(ErrorCode::InvalidArgument,
                      "boot arguments are " + std::to_string(req.append.size()) +
                          " bytes; at most " + std::to_string(sizeof(BootParams{}.bootargs) - 1) +
                          " fit");
  }
  if (req.pl011_ipa != 0 && !valid_pl011_ipa(req.pl011_ipa)) {
    char text[160];
    std::snprintf(
        text, sizeof text,
        "pl011 0x%llx is not a free 4 KiB page of the guest's MMIO space [0x%llx, 0x%llx)",
        static_cast<unsigned long long>(req.pl011_ipa),
        static_cast<unsigned long long>(layout::kGuestPl011Ipa),
        static_cast<unsigned long long>(layout::kGuestDeviceLimit));
    return make_error(ErrorCode::InvalidArgument, text);
  }
  // S9: a bad mapping file is the user's mistake: say which line, before
  // anything runs (the lowvisor checks it again).
  if (req.device_map) {
    device_map::Table map_check;
    device_map::ParseError e;
    if (!device_map::parse(req.device_map->data(), req.device_map->size(), &map_check, &e)) {
      char text[200];
      device_map::describe(e, text, sizeof text);
      return make_error(ErrorCode::InvalidArgument, text);
    }
  }
  struct stat st {};
  if (fstat(req.image_fd, &st) != 0) return errno_error("cannot stat " + name);
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorCode::InvalidArgument, name + " is not a regular file");
  auto size = static_cast<uint64_t>(st.st_size);
  if (size == 0) return make_error(ErrorCode::InvalidArgument, name + " is empty");
  if (size > mem) {
    return make_error(ErrorCode::InvalidArgument, name + " is " + std::to_string(size) +
                                                      " bytes, larger than guest RAM (" + mib(mem) +
                                                      "); give the guest more memory with --mem");
  }

  uint64_t bytes = layout::align_up(size, 0x1000);
  if (req.initrd_fd >= 0) {
    struct stat ist {};
    if (fstat(req.initrd_fd, &ist) != 0)
      return errno_error("cannot stat " + (req.initrd_name.empty() ? "initrd" : req.initrd_name));
    if (S_ISREG(ist.st_mode)) bytes += static_cast<uint64_t>(ist.st_size);
  }
  return bytes;
}

HostResult<uint64_t> stage_image(VhvRam& ram, const RunRequest& req) {
  const std::string& name = req.image_name.empty() ? std::string("image") : req.image_name;
  const uint64_t mem = req.mem;
  struct stat st {};
  if (fstat(req.image_fd, &st) != 0) return errno_error("cannot stat " + name);
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorCode::InvalidArgument, name + " is not a regular file");
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size == 0) return make_error(ErrorCode::InvalidArgument, name + " is empty");
  if (size > mem) {
    return make_error(ErrorCode::InvalidArgument, name + " is " + std::to_string(size) +
                                                      " bytes, larger than guest RAM (" + mib(mem) +
                                                      "); give the guest more memory with --mem");
  }

  if (size > req.staging.size)
    return make_error(ErrorCode::InvalidArgument,
                      name + " grew while it was being staged; run the guest again");
  uint8_t* staging = ram.at(req.staging.pa, size);
  if (staging == nullptr) return make_error(ErrorCode::Internal, "staging area out of range");
  TRY(read_all(req.image_fd, staging, size, name));

  const ImageKind kind = detect_image_kind(staging, size);
  if (kind == ImageKind::Raw && looks_like_text(staging, size)) {
    return make_error(ErrorCode::InvalidArgument,
                      name +
                          " is not an AArch64 ELF file or a raw image: it starts with plain "
                          "text; give the guest's ELF (or its objcopy -O binary image)");
  }
  GuestMemoryMap map{layout::kGuestRamIpa, mem};
  auto plan = plan_image_as(kind, staging, size, map);
  if (plan.is_error())
    return make_error(ErrorCode::InvalidArgument, name + ": " + describe(plan.error()));
  StagedInitrd initrd{0, 0};
  if (req.initrd_fd >= 0) initrd = TRY(stage_initrd(ram, req, plan.value(), kind, size, mem));

  auto* bp =
      reinterpret_cast<BootParams*>(ram.at(layout::boot_params_pa(req.vm_id), sizeof(BootParams)));
  if (bp == nullptr) return make_error(ErrorCode::Internal, "BootParams out of range");
  std::memset(bp, 0, sizeof *bp);
  bp->magic = BootParams::kMagic;
  bp->version = BootParams::kVersion;
  bp->size = sizeof(BootParams);
  bp->vm_id = req.vm_id;
  bp->smp = req.smp;
  bp->flags = req.mailbox_boot ? BootParams::kFlagMailboxBoot : 0;
  bp->guest_ram_ipa = layout::kGuestRamIpa;
  bp->guest_ram_pa = req.guest_ram.pa;
  bp->guest_ram_size = mem;
  bp->image_pa = req.staging.pa;
  bp->image_size = size;
  bp->image_kind = kind;
  bp->initrd_pa = initrd.pa;
  bp->initrd_size = initrd.size;
  bp->guest_entry = plan.value().entry;
  std::random_device rd;
  for (auto& b : bp->vm_uuid) b = static_cast<uint8_t>(rd());
  bp->vm_uuid[6] = static_cast<uint8_t>((bp->vm_uuid[6] & 0x0f) | 0x40);  // RFC 4122 version 4
  bp->vm_uuid[8] = static_cast<uint8_t>((bp->vm_uuid[8] & 0x3f) | 0x80);
  std::strncpy(bp->vm_name, req.vm_name.c_str(), sizeof bp->vm_name - 1);
  std::memcpy(bp->bootargs, req.append.data(), req.append.size());
  bp->pl011_ipa = req.pl011_ipa;
  bp->weight = req.weight;
  bp->disk_count = static_cast<uint32_t>(req.disks.size());
  for (size_t i = 0; i < req.disks.size() && i < BootParams::kMaxDisks; ++i)
    bp->disks[i] = req.disks[i];
  bp->net_count = req.net ? 1 : 0;
  if (req.net) bp->net = *req.net;
  bp->checksum = boot_params_checksum(*bp);
  auto* map_block = reinterpret_cast<device_map::DeviceMapBlock*>(
      ram.at(layout::device_map_pa(req.vm_id), sizeof(device_map::DeviceMapBlock)));
  if (map_block == nullptr) return make_error(ErrorCode::Internal, "device map block out of range");
  map_block->magic = 0;  // no map, unless one follows
  if (req.device_map) {
    map_block->length = static_cast<uint32_t>(req.device_map->size());
    std::memcpy(map_block->text, req.device_map->data(), req.device_map->size());
    map_block->checksum = fnv1a32(map_block->text, map_block->length);
    map_block->magic = device_map::DeviceMapBlock::kMagic;
  }
  return plan.value().entry;
}

}  // namespace nestlab::vhv
