// The physical memory map of one VHV (the QEMU `-M virt` machine that runs the
// lowvisor) and of the guest platform the lowvisor offers. Shared by the
// lowvisor, the highvisor and the host tests, so that both halves agree on
// where things are without a handshake.
#pragma once

#include <cstdint>

namespace nestlab::layout {

// QEMU `-M virt` places RAM at 1 GiB. The VHV's RAM is one memfd owned by the
// highvisor; offset 0 of the memfd is VHV physical address kVhvRamBase.
inline constexpr uint64_t kVhvRamBase = 0x4000'0000;

// The lowvisor image is linked at the start of VHV RAM (QEMU loads the ELF).
inline constexpr uint64_t kLowvisorBase = kVhvRamBase;
inline constexpr uint64_t kLowvisorSize = 48ull << 20;

// Shared region written by the highvisor before the lowvisor is told to run a
// guest: BootParams at the start, the status page after it.
inline constexpr uint64_t kSharedBase = kVhvRamBase + kLowvisorSize;  // 0x4300_0000
inline constexpr uint64_t kSharedSize = 16ull << 20;
inline constexpr uint64_t kBootParamsPa = kSharedBase;
inline constexpr uint64_t kStatusPa = kSharedBase + 0x1000;
// Trap observation and the backdoor's key-value area (issue 4): trap
// statistics (trace_ring.h TrapStats), the guestinfo page (guestinfo.h), then
// one exit trace ring per vCPU (trace_ring.h Ring, 32 KiB + 64 bytes each).
inline constexpr uint64_t kTrapStatsPa = kSharedBase + 0x2000;
inline constexpr uint64_t kGuestInfoPa = kSharedBase + 0x4000;  // 8 KiB + 128 bytes
// S9: the user's device-ID mapping file (device_map.h DeviceMapBlock, 8 KiB).
inline constexpr uint64_t kDeviceMapPa = kSharedBase + 0x8000;
inline constexpr uint64_t kTracePa = kSharedBase + 0x10000;
inline constexpr uint64_t kTraceStride = 0x9000;  // per vCPU ring

// Several VMs per VHV (issue 13): each VM slot `vm` (0..kMaxVms-1) has its
// own copy of the blocks above, at the same offsets from vm_slot(vm); slot 0
// is the addresses above. A VM's id is its slot.
inline constexpr unsigned kMaxVms = 4;
inline constexpr uint64_t kVmSlotSize = 0x10'0000;  // 1 MiB; kMaxVms slots fit kSharedSize
inline constexpr uint64_t vm_slot(unsigned vm) { return kSharedBase + uint64_t(vm) * kVmSlotSize; }
inline constexpr uint64_t boot_params_pa(unsigned vm) {
  return vm_slot(vm) + (kBootParamsPa - kSharedBase);
}
inline constexpr uint64_t status_pa(unsigned vm) { return vm_slot(vm) + (kStatusPa - kSharedBase); }
inline constexpr uint64_t trap_stats_pa(unsigned vm) {
  return vm_slot(vm) + (kTrapStatsPa - kSharedBase);
}
inline constexpr uint64_t guest_info_pa(unsigned vm) {
  return vm_slot(vm) + (kGuestInfoPa - kSharedBase);
}
inline constexpr uint64_t device_map_pa(unsigned vm) {
  return vm_slot(vm) + (kDeviceMapPa - kSharedBase);
}
inline constexpr uint64_t trace_pa(unsigned vm, unsigned vcpu) {
  return vm_slot(vm) + (kTracePa - kSharedBase) + uint64_t(vcpu) * kTraceStride;
}
static_assert(kMaxVms * kVmSlotSize <= kSharedSize);
static_assert(kTracePa - kSharedBase + 8 * kTraceStride <= kVmSlotSize);

// Guest RAM of the VMs is taken from here up to the end of VHV RAM (the
// highvisor's allocator, vhv/host/vm_memory.h), each VM's block 2 MiB
// aligned; a VM's image and initrd are staged in a block of their own,
// given back when the lowvisor says VmStarted. Guest RAM of VM 0 starts here in VHV physical
// memory, 2 MiB aligned so that stage 2 can map it with level-2 blocks. The staging area (the guest
// image as the user gave it) follows guest RAM.
inline constexpr uint64_t kGuestRamPa = kSharedBase + kSharedSize;   // 0x4400_0000
inline constexpr uint64_t kVhvOverhead = kGuestRamPa - kVhvRamBase;  // 64 MiB

// The guest platform: compatible with QEMU `-M virt` (DESIGN.md).
inline constexpr uint64_t kGuestRamIpa = 0x4000'0000;
inline constexpr uint64_t kGuestRawImageOffset = 0x8'0000;
inline constexpr uint64_t kGuestPl011Ipa = 0x0900'0000;
inline constexpr uint64_t kGuestPl031Ipa = 0x0901'0000;
inline constexpr uint64_t kGuestGicdIpa = 0x0800'0000;
inline constexpr uint64_t kGuestGicrIpa = 0x080A'0000;
inline constexpr uint64_t kGuestDeviceLimit = kGuestRamIpa;  // [0, 1 GiB) is MMIO space
inline constexpr uint64_t kGuestMaxRam = 8ull << 30;

// Devices of the VHV machine itself, as QEMU `-M virt` places them.
inline constexpr uint64_t kVhvPl011 = 0x0900'0000;
inline constexpr uint64_t kVhvGicd = 0x0800'0000;
inline constexpr uint64_t kVhvGicr = 0x080A'0000;
inline constexpr uint32_t kVhvPl011Intid = 33;  // SPI 1

inline constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

}  // namespace nestlab::layout
