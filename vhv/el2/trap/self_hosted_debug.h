// The guest's self-hosted debug (Arm ARM D2, "The AArch64 self-hosted debug
// model"): its hardware breakpoints, watchpoints and software step behave
// as on plain QEMU, and BRK #0x5658 still reaches the lowvisor whenever it
// can. See self_hosted_debug.cpp for how MDCR_EL2.TDE follows the guest.
#pragma once

#include <cstdint>

#include "vhv/common/esr.h"
#include "vhv/common/vcpu_state.h"
#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;

// Puts this CPU's debug registers in their reset state for a vCPU that
// starts (no breakpoint or watchpoint enabled, MDSCR_EL1 zero, the OS lock as
// the CPU came out of reset) and programs MDCR_EL2 to match.
void debug_reset_this_cpu(unsigned cpu);

// True when `s` names a register of the debug register space (op0 == 2)
// the guest owns and the lowvisor carries out on the real register.
bool is_guest_debug_register(const SysRegIss& s);

// A trapped access to one of those (EC 0x18): performed on the real
// register; a write of MDSCR_EL1 switches the routing of debug exceptions.
ExitAction guest_debug_register_access(Vm& vm, const ExitInfo& exit, const SysRegIss& s);

// An access the lowvisor is about to carry out for the guest (MMIO, a load
// from an execute-only page, a store into the page of the storing
// instruction): stage 2 stopped it before the CPU's watchpoint check, so
// the lowvisor checks the guest's watchpoints itself. True when one matched:
// the access is not done and *action says what happens instead (the
// watchpoint exception delivered to the guest, or the VM stopped when it
// has no vector for it).
bool guest_watchpoint_hit(Vm& vm, const ExitInfo& exit, unsigned bytes, bool write,
                          ExitAction* action);

// This CPU's debug registers (the guest's own), into a vCPU state.
void debug_capture(VcpuState::Debug* out);
// The reverse: a vCPU's debug registers and OS lock onto this CPU, and the
// debug exception routing that follows from them.
void debug_restore(const VcpuState::Debug& in);

// True while this CPU's guest has breakpoints/watchpoints (MDSCR_EL1.MDE) or
// software step (MDSCR_EL1.SS) enabled, i.e. MDCR_EL2.TDE is clear.
bool guest_self_debug_active();

}  // namespace nestlab
