// Scheduling of the VM's vCPUs on the lowvisor's physical CPUs. The policy
// is one vCPU per physical CPU (vCPU n on CPU n, like one vCPU thread
// pinned per host CPU): the vCPU's EL1 and GIC CPU-interface state stay in
// its CPU's registers, and a vCPU that waits (WFI, powered off) puts its CPU
// to sleep in WFI until an interrupt is due.
//
// Exit handling on every CPU runs under one lock (sched_lock()): devices,
// the virtual GIC model, the channel and the StatusPage have a single
// writer at a time. It is released only while a guest runs or a CPU sleeps.
#pragma once

#include <cstdint>

#include "vhv/el2/sched/spinlock.h"
#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;

Spinlock& sched_lock();

// A secondary CPU's life after it checked in (boot/smp.cpp): wait for a VM,
// run its vCPU while the VM runs, repeat.
[[noreturn]] void sched_secondary_loop(unsigned cpu);

// Makes CPU `cpu` leave the guest or wake from WFI and look at its vCPU.
void sched_kick(unsigned cpu);

// Handles every physical interrupt pending at this CPU (channel UART,
// virtual timer, kicks). Lock held.
void sched_handle_physical_irqs(Vm& vm);

// WFI of the guest on this CPU (lock held): returns once an interrupt is
// deliverable to the vCPU, or the vCPU/VM must stop. Arm ARM D1.16.2.
ExitAction sched_block_on_wfi(Vm& vm);

// Sleeps this CPU (lock released meanwhile) until some interrupt arrives,
// then handles it. Lock held on entry and return.
void sched_sleep(Vm& vm);

}  // namespace nestlab
