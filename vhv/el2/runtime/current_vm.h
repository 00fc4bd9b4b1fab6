// Which VM slot (layout::vm_slot) this physical CPU is working for: set by
// the scheduler when it loads a vCPU, read by the writers of the per-VM
// shared blocks (status page, trace rings, trap statistics, guestinfo), so
// an exit is counted for the VM whose vCPU took it. The Linux analogue is
// kvm_get_running_vcpu(). Per CPU; no lock needed.
#pragma once

#include "vhv/el2/boot/smp.h"

namespace nestlab {

namespace detail {
extern unsigned g_current_vm_slot[kMaxCpus];
}

inline unsigned current_vm_slot() { return detail::g_current_vm_slot[this_cpu() % kMaxCpus]; }
inline void set_current_vm_slot(unsigned slot) {
  detail::g_current_vm_slot[this_cpu() % kMaxCpus] = slot;
}

}  // namespace nestlab
