// One VM slot of a VHV as the highvisor keeps it (issue 13). A VM's id is its
// slot: its BootParams, status page, trap statistics, guestinfo page, device
// map and trace rings are at layout::vm_slot(id) in the VHV's RAM.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "vhv/common/channel.h"
#include "vhv/common/layout.h"
#include "vhv/host/virtio/virtio_service.h"
#include "vhv/host/vm_memory.h"

namespace nestlab::vhv {

struct VmSlot {
  // Free: nothing runs here (never ran, or its VmExit came). Loading: RunVm
  // was sent, the lowvisor has not said VmStarted (an old lowvisor never
  // does). Running: VmStarted came.
  enum class State { Free, Loading, Running };

  State state = State::Free;
  std::string image_name;
  unsigned smp = 1;
  uint32_t weight = 1;
  // invariant: set exactly while state != Free.
  std::optional<MemBlock> ram;
  // invariant: set from RunVm until VmStarted, RunFailed or VmExit.
  std::optional<MemBlock> staging;
  // When RunVm was sent (the epoch before the first): guest_time_ns().
  std::chrono::steady_clock::time_point run_started;
  channel::TickPolicy tick_policy = channel::TickPolicy::Skip;  // S10
  // The highvisor's halves of the VM's virtio devices; the disks' files
  // stay open (and locked) until the VM's slot is free again.
  VmVirtioDevices virtio;

  bool busy() const { return state != State::Free; }
};

using VmSlots = std::array<VmSlot, layout::kMaxVms>;

inline const char* vm_slot_state_name(VmSlot::State s) {
  switch (s) {
    case VmSlot::State::Free: return "free";
    case VmSlot::State::Loading: return "loading";
    case VmSlot::State::Running: return "running";
  }
  return "free";
}

}  // namespace nestlab::vhv
