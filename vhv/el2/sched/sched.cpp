#include "vhv/el2/sched/sched.h"

#include "vhv/common/layout.h"
#include "vhv/common/vcpu_sched.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/channel/channel.h"
#include "vhv/el2/channel/gic.h"
#include "vhv/el2/runtime/current_vm.h"
#include "vhv/el2/sched/task.h"
#include "vhv/el2/timer/phys_timer.h"
#include "vhv/el2/trap/status.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/trap/watchdog_timer.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/lowvisor.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

using vcpu_sched::earliest;
using vcpu_sched::host_deadline;

constexpr uint64_t kCtlEnable = 1, kCtlImask = 2;

Spinlock g_lock;
uint64_t g_slice = 0;  // ticks; set from CNTFRQ_EL0 on first use

// This CPU's record, through the PRDA window (sched/cpu_record.h); another
// CPU's, through its home address.
SchedCpu& here() { return this_prda().sched; }
SchedCpu& record_of(unsigned cpu) { return prda_home(cpu).sched; }

uint64_t now() {
  arch::isb();
  return read_sysreg(cntpct_el0);
}

uint64_t ticks_to_ns(uint64_t t) {
  const uint64_t f = read_sysreg(cntfrq_el0) ? read_sysreg(cntfrq_el0) : 1;
  return (t / f) * 1'000'000'000ull + (t % f) * 1'000'000'000ull / f;
}

template <typename F>
void for_each_vm(F&& f) {
  Lowvisor& lv = Lowvisor::instance();
  for (unsigned s = 0; s < layout::kMaxVms; ++s)
    if (lv.vm(s).active()) f(lv.vm(s));
}

// Could run now, on any CPU: powered on, not waiting, not loaded.
bool runnable(Vm& vm, const Vcpu& v) {
  return vm.active() && v.index < vm.vcpu_count() && v.cpu < 0 && !v.blocked &&
         (v.power == PowerState::On || v.power == PowerState::OnPending);
}

// When a vCPU that is not loaded must be woken for its own timers.
uint64_t wake_deadline(Vm& vm, const Vcpu& v) {
  uint64_t d = 0;
  const VcpuState::Timers& t = v.state.timers;
  if ((t.cntv_ctl & (kCtlEnable | kCtlImask)) == kCtlEnable)
    d = earliest(d, host_deadline(t.cntv_cval, vm.cntvoff()));
  if ((v.phys_timer.ctl & (kCtlEnable | kCtlImask)) == kCtlEnable && !v.phys_timer.fired)
    d = earliest(d, host_deadline(v.phys_timer.cval, vm.cntvoff()));
  return d;
}

uint64_t least_vruntime(bool* any) {
  uint64_t least = ~0ull;
  *any = false;
  for_each_vm([&](Vm& vm) {
    for (unsigned i = 0; i < vm.vcpu_count(); ++i) {
      const Vcpu& v = vm.vcpu(i);
      if (v.cpu >= 0 || runnable(vm, v)) {
        *any = true;
        if (v.vruntime < least) least = v.vruntime;
      }
    }
  });
  return least;
}

// The best runnable vCPU for this CPU, or false. A vCPU asked to move to
// another CPU (vcpu_migrate) is left for that CPU. One that gave its CPU
// away in a WFE is taken only when no other wants the CPU; once another
// was taken instead, every such vCPU competes as usual again.
bool pick(unsigned cpu, Vm** out_vm, unsigned* out_vcpu) {
  // A vCPU that last ran here is preferred when it is within a tenth of a
  // slice of the best: its caches and TLB entries are here.
  const uint64_t margin = vcpu_sched::virtual_delta(g_slice / 10, vcpu_sched::kMaxWeight);
  struct Choice {
    Vm* vm = nullptr;
    unsigned vcpu = 0;
    uint64_t key = ~0ull;
  } fresh, yielded;
  for_each_vm([&](Vm& vm) {
    for (unsigned i = 0; i < vm.vcpu_count(); ++i) {
      const Vcpu& v = vm.vcpu(i);
      if (!runnable(vm, v)) continue;
      if (v.move_to != kNoCpu && unsigned(v.move_to) != cpu) continue;
      const bool warm = v.ever_ran && v.last_cpu == cpu;
      const uint64_t key = warm && v.vruntime > margin ? v.vruntime - margin : v.vruntime;
      Choice& c = v.yielded ? yielded : fresh;
      if (!c.vm || key < c.key) c = Choice{&vm, i, key};
    }
  });
  const Choice& best = fresh.vm ? fresh : yielded;
  if (fresh.vm)
    for_each_vm([](Vm& vm) {
      for (unsigned i = 0; i < vm.vcpu_count(); ++i) vm.vcpu(i).yielded = false;
    });
  *out_vm = best.vm;
  *out_vcpu = best.vcpu;
  return best.vm != nullptr;
}

bool someone_waiting(uint64_t* least) {
  bool any = false;
  *least = ~0ull;
  for_each_vm([&](Vm& vm) {
    for (unsigned i = 0; i < vm.vcpu_count(); ++i) {
      const Vcpu& v = vm.vcpu(i);
      if (!runnable(vm, v)) continue;
      any = true;
      if (v.vruntime < *least) *least = v.vruntime;
    }
  });
  return any;
}

// Runnable vCPUs that no idle CPU is about to take: more of them waiting
// than other CPUs asleep.
bool waiting_unserved() {
  unsigned waiting = 0, idle = 0;
  for_each_vm([&](Vm& vm) {
    for (unsigned i = 0; i < vm.vcpu_count(); ++i) waiting += runnable(vm, vm.vcpu(i)) ? 1 : 0;
  });
  const unsigned self = this_cpu();
  for (unsigned c = 0; c < cpu_count(); ++c) idle += (c != self && record_of(c).free) ? 1 : 0;
  return waiting > idle;
}

// A CPU with nothing loaded first; else one whose vCPU waits in WFI (it
// gives its CPU away, sched_block_on_wfi). The kicked CPU is no longer
// counted as free or idle from here on (its own flags say so once it runs
// again), so that a second wake-up before it runs kicks another CPU: two
// vCPUs made runnable in a row (CPU_ON of two secondaries) otherwise kicked
// the same CPU twice, it took one, and the other waited on a runnable
// queue that no CPU had been told about, while a third CPU slept.
void kick_an_idle_cpu() {
  const unsigned self = this_cpu();
  for (unsigned c = 0; c < cpu_count(); ++c)
    if (c != self && record_of(c).free) {
      record_of(c).free = false;
      sched_kick(c);
      return;
    }
  for (unsigned c = 0; c < cpu_count(); ++c)
    if (c != self && record_of(c).idle) {
      record_of(c).idle = false;
      sched_kick(c);
      return;
    }
}

// The EL2 physical timer of this CPU for the earliest deadline it watches:
// its vCPU's slice and physical timer, every VM's watchdog and the timers
// of the vCPUs that wait in WFI off any CPU, and every VM's RTC match.
// Every CPU watches the VM-wide ones; whichever fires first acts.
void program_timer() {
  SchedCpu& c = here();
  uint64_t d = 0;
  if (c.vm) {
    d = c.slice_end;
    const Vcpu& v = c.vm->vcpu(c.vcpu);
    if ((v.phys_timer.ctl & (kCtlEnable | kCtlImask)) == kCtlEnable && !v.phys_timer.fired)
      d = earliest(d, host_deadline(v.phys_timer.cval, c.vm->cntvoff()));
  }
  for_each_vm([&](Vm& vm) {
    if (vm.watchdog().armed) d = earliest(d, host_deadline(vm.watchdog().deadline, vm.cntvoff()));
    d = earliest(d, vm.rtc().host_deadline());
    for (unsigned i = 0; i < vm.vcpu_count(); ++i) {
      const Vcpu& v = vm.vcpu(i);
      if (v.cpu < 0 && v.blocked && v.power == PowerState::On)
        d = earliest(d, wake_deadline(vm, v));
    }
  });
  if (d) {
    write_sysreg(cnthp_cval_el2, d);
    write_sysreg(cnthp_ctl_el2, kCtlEnable);
  } else {
    write_sysreg(cnthp_ctl_el2, 0);
  }
  arch::isb();
}

// PPI 26: whatever of the deadlines above has passed.
void on_hyp_timer() {
  SchedCpu& c = here();
  const uint64_t t = now();
  if (c.vm) {
    phys_timer_check(*c.vm, c.vcpu);
    if (t >= c.slice_end) {
      // The run loop decides at its next turn (sched_should_yield); the
      // next slice end is set now, so that a deadline in the past never
      // keeps PPI 26 pending (it would win every acknowledge over the
      // virtual timer's PPI 27 and starve it).
      c.resched = true;
      c.slice_end = t + sched_slice_ticks();
    }
  }
  for_each_vm([&](Vm& vm) {
    if (vm.watchdog().armed && t >= host_deadline(vm.watchdog().deadline, vm.cntvoff()))
      watchdog_timer_expired(vm);
    vm.rtc().check(t);
    for (unsigned i = 0; i < vm.vcpu_count(); ++i) {
      const Vcpu& v = vm.vcpu(i);
      if (v.cpu < 0 && v.blocked && v.power == PowerState::On) {
        const uint64_t d = wake_deadline(vm, v);
        if (d && t >= d) sched_wake(vm, i, true);
      }
    }
  });
  program_timer();
}

void handle_one(uint32_t intid) {
  SchedCpu& c = here();
  if (intid == PhysicalGic::kVtimerPpi && c.vm && c.vm->vcpu(c.vcpu).power == PowerState::On) {
    // Stays active until the guest deactivates it (ICH_LR.HW, vgic/).
    PhysicalGic::priority_drop(intid);
    vgic_timer_fired(*c.vm, c.vcpu);
    return;
  }
  if (intid == PhysicalGic::kHypTimerPpi)
    on_hyp_timer();
  else if (intid == layout::kVhvPl011Intid)
    Channel::drain(Lowvisor::instance());
  else if (intid != PhysicalGic::kKickSgi && intid != PhysicalGic::kVtimerPpi)
    Channel::log("irq: unexpected physical interrupt %u on CPU %u", intid, this_cpu());
  PhysicalGic::end_of_interrupt(intid);
}

void handle_all() {
  for (unsigned n = 0; n < 64; ++n) {
    const uint32_t intid = PhysicalGic::acknowledge();
    if (intid >= PhysicalGic::kSpurious) break;
    handle_one(intid);
  }
  // Lowvisor tasks that moved here (S13) came with a kick.
  sched_run_queued_tasks();
}

// The vCPU's run time on this CPU since it was loaded (or since the last
// call), less the time the CPU slept with it in WFI, into its figures and
// its virtual time; the next stretch starts at `t`.
void account_run(SchedCpu& c, Vm& vm, Vcpu& v, uint64_t t) {
  const uint64_t ran = t - c.loaded_at > c.idle_ticks ? t - c.loaded_at - c.idle_ticks : 0;
  v.run_ticks += ran;
  v.vruntime += vcpu_sched::virtual_delta(ran, vm.weight());
  c.loaded_at = t;
  c.idle_ticks = 0;
}

void publish(Vm& vm, const Vcpu& v) {
  StatusWriter::set_vcpu_stats(vm.id(), v.index,
                               VcpuSchedStats{ticks_to_ns(v.run_ticks), ticks_to_ns(v.wait_ticks),
                                              v.migrations, v.last_cpu});
}

}  // namespace

Spinlock& sched_lock() { return g_lock; }

uint64_t sched_slice_ticks() {
  if (g_slice == 0) g_slice = read_sysreg(cntfrq_el0) / 100;
  return g_slice;
}

Vm* sched_current_vm() { return here().vm; }
unsigned sched_current_vcpu() { return here().vcpu; }

void sched_kick(unsigned cpu) {
  if (cpu < cpu_count()) PhysicalGic::send_sgi(cpu, PhysicalGic::kKickSgi);
}

void sched_wake(Vm& vm, unsigned vcpu, bool force) {
  if (vcpu >= vm.vcpu_count()) return;
  Vcpu& v = vm.vcpu(vcpu);
  if (v.cpu >= 0) {
    if (unsigned(v.cpu) != this_cpu()) sched_kick(unsigned(v.cpu));
    return;
  }
  if (!vm.active()) return;
  if (v.blocked) {
    if (!force && !vgic_wakeup_pending(vm, vcpu)) return;
    v.blocked = false;
    bool any = false;
    const uint64_t least = least_vruntime(&any);
    if (any)
      v.vruntime = vcpu_sched::placed_on_wakeup(
          v.vruntime, least, vcpu_sched::virtual_delta(sched_slice_ticks(), vm.weight()));
    v.since = now();
  } else if (v.power == PowerState::Off) {
    return;
  }
  kick_an_idle_cpu();
}

void sched_handle_physical_irqs() { handle_all(); }

void sched_timer_changed() { program_timer(); }

void sched_on_load(Vm& vm, Vcpu& v) {
  SchedCpu& c = here();
  const unsigned cpu = this_cpu();
  const uint64_t t = now();
  if (v.ever_ran && v.last_cpu != cpu) ++v.migrations;
  if (v.since && t > v.since) v.wait_ticks += t - v.since;
  v.cpu = int(cpu);
  v.last_cpu = cpu;
  v.ever_ran = true;
  c.vm = &vm;
  c.vcpu = v.index;
  if (v.move_to == int(cpu)) v.move_to = kNoCpu;
  c.loaded_at = t;
  c.idle_ticks = 0;
  c.slice_end = t + sched_slice_ticks();
  c.resched = false;
  set_current_vm_slot(vm.id());
  publish(vm, v);  // its CPU and migrations show at once
}

void sched_on_put(Vm& vm, Vcpu& v) {
  SchedCpu& c = here();
  const uint64_t t = now();
  account_run(c, vm, v, t);
  v.since = t;
  v.cpu = -1;
  c.vm = nullptr;
  c.yield_now = false;
  publish(vm, v);
  program_timer();
  if (v.move_to != kNoCpu) sched_kick(unsigned(v.move_to));  // only that CPU takes it
}

void vcpu_migrate(Vcpu& v, unsigned cpu) {
  if (cpu < cpu_count()) v.move_to = int(cpu);
}

ExitAction sched_yield_on_wfe(Vm& vm) {
  // WFE may complete at once (Arm ARM D1.16.1), so when nobody waits for a
  // CPU it does; otherwise the vCPU, likely spinning on a lock whose holder
  // waits for a CPU, gives its CPU away and resumes after its WFE.
  if (!waiting_unserved()) return ExitAction::Advance;
  vm.vcpu(vm.here()).yielded = true;
  here().yield_now = true;
  count(TraceWriter::stats().wfe_yields);
  return ExitAction::Advance;
}

bool sched_should_yield(Vm& vm, Vcpu& v) {
  SchedCpu& c = here();
  // S13: a vCPU code path asked to continue on another CPU. The move waits
  // while a NoPreempt section is open on this CPU (sched/prda.h).
  switch (decide_at_preempt_point(v.move_to, this_cpu(), this_prda().preempt_off)) {
    case PreemptDecision::Migrate: return true;
    case PreemptDecision::Defer: break;
    case PreemptDecision::Continue: v.move_to = kNoCpu; break;
  }
  if (c.yield_now) {
    c.yield_now = false;
    return true;
  }
  if (!c.resched) return false;
  c.resched = false;
  const uint64_t t = now();
  // Bring the figures up to date at every slice end, so `vm stats` moves
  // while a vCPU keeps its CPU.
  account_run(c, vm, v, t);
  publish(vm, v);
  uint64_t least = 0;
  const bool waiting = someone_waiting(&least);
  if (vcpu_sched::should_preempt(v.vruntime, waiting, least, 0)) return true;
  c.slice_end = t + sched_slice_ticks();
  program_timer();
  return false;
}

ExitAction sched_block_on_wfi(Vm& vm) {
  SchedCpu& c = here();
  const unsigned index = vm.here();
  Vcpu& v = vm.vcpu(index);
  for (;;) {
    if (!vm.active() || v.power != PowerState::On || vgic_wakeup_pending(vm, index) ||
        vm.reboot_pending())
      return ExitAction::Advance;
    if (waiting_unserved()) {
      // Give the CPU away; an interrupt or a timer makes it runnable again
      // (sched_wake), and it resumes after its WFI.
      v.blocked = true;
      return ExitAction::Advance;
    }
    // Nobody else wants the CPU: sleep with the vCPU loaded, so that its
    // virtual timer fires right here.
    c.idle = true;
    const uint64_t t0 = now();
    g_lock.unlock();
    arch::wfi();
    g_lock.lock();
    c.idle = false;
    c.idle_ticks += now() - t0;
    handle_all();
  }
}

[[noreturn]] void sched_cpu_loop() {
  g_lock.lock();
  const unsigned cpu = this_cpu();
  Lowvisor& lowvisor = Lowvisor::instance();
  for (;;) {
    handle_all();
    lowvisor.reap();
    Vm* vm = nullptr;
    unsigned vcpu = 0;
    if (pick(cpu, &vm, &vcpu)) {
      vm->run_vcpu(vcpu);
      continue;
    }
    program_timer();
    SchedCpu& c = here();
    c.idle = true;
    c.free = true;
    g_lock.unlock();
    arch::wfi();
    g_lock.lock();
    c.idle = false;
    c.free = false;
  }
}

}  // namespace nestlab
