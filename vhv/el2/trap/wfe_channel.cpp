// The WFE channel and its watchdog (S14), reached from a WFE site patched by
// wfe_patch.cpp. The watchdog counts guest virtual time (CNTVCT_EL0 =
// CNTPCT_EL0 - CNTVOFF_EL2), so time the VM spends stopped does not count.
// Its deadline is checked at every exit of the VM and, through the
// scheduler's EL2 timer (watchdog_timer.h), whatever the guest does.
#include "vhv/common/wfe_channel.h"
#include "vhv/common/backdoor.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/channel/channel.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/trap/status.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/trap/watchdog_timer.h"
#include "vhv/el2/trap/wfe_patch.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

using wfe_channel::Action;
using wfe_channel::Op;

uint64_t virtual_count() { return read_sysreg(cntpct_el0) - read_sysreg(cntvoff_el2); }
uint64_t frequency() { return read_sysreg(cntfrq_el0); }
uint64_t ns_to_ticks(uint64_t ns) {
  return (ns / 1'000'000'000ull) * frequency() +
         (ns % 1'000'000'000ull) * frequency() / 1'000'000'000ull;
}
uint64_t ticks_to_ns(uint64_t t) {
  return (t / frequency()) * 1'000'000'000ull + (t % frequency()) * 1'000'000'000ull / frequency();
}
uint64_t ns_left(const Watchdog& watchdog) {
  const uint64_t now = virtual_count();
  return watchdog.armed && watchdog.deadline > now ? ticks_to_ns(watchdog.deadline - now) : 0;
}

int64_t serve(VcpuContext& ctx, Watchdog& watchdog) {
  switch (static_cast<Op>(ctx.x[16])) {
    case Op::Ping: ctx.x[0] += 1; return 0;
    case Op::Arm: {
      if (ctx.x[0] < wfe_channel::kMinTimeoutNs || ctx.x[0] > wfe_channel::kMaxTimeoutNs ||
          ctx.x[1] > uint64_t(Action::Reset))
        return int64_t(backdoor::Error::BadArgument);
      watchdog.armed = true;
      watchdog.timeout_ticks = ns_to_ticks(ctx.x[0]);
      watchdog.deadline = virtual_count() + watchdog.timeout_ticks;
      watchdog.action = static_cast<Action>(ctx.x[1]);
      ctx.x[0] = 0;
      return 0;
    }
    case Op::Pet:
      if (!watchdog.armed) return int64_t(backdoor::Error::NotFound);
      ctx.x[0] = ns_left(watchdog);
      watchdog.deadline = virtual_count() + watchdog.timeout_ticks;
      return 0;
    case Op::Disarm:
      watchdog.armed = false;
      ctx.x[0] = 0;
      return 0;
    case Op::Status: ctx.x[0] = ns_left(watchdog); return 0;
  }
  return int64_t(backdoor::Error::UnknownService);
}

}  // namespace

ExitAction handle_wfe_channel(Vm& vm, const ExitInfo& /*exit*/) {
  VcpuContext& ctx = vm.ctx();
  if (ctx.x[17] != wfe_channel::kRequestMagic) return sched_yield_on_wfe(vm);  // a plain WFE
  trace::TrapStats& stats = TraceWriter::stats();
  count(stats.wfe_calls);
  TraceWriter::set_detail(static_cast<uint16_t>(ctx.x[16] > 0xfffe ? 0xffff : ctx.x[16]));
  const int64_t status = serve(ctx, vm.watchdog());
  if (status != 0) count(stats.bad_requests);
  ctx.x[16] = static_cast<uint64_t>(status);
  ctx.x[17] = wfe_channel::kReplyMagic;
  return ExitAction::Advance;
}

namespace {

// Disarms the expired watchdog and says what happens to the VM.
ExitAction watchdog_expired(Vm& vm, unsigned long long pc, uint64_t guest_now, const ExitInfo* exit,
                            ExitAction action) {
  Watchdog& watchdog = vm.watchdog();
  watchdog.armed = false;
  const unsigned long long late_us =
      guest_now > watchdog.deadline ? ticks_to_ns(guest_now - watchdog.deadline) / 1000 : 0;
  count(TraceWriter::stats_of(vm.id()).watchdog_fired);
  StatusWriter::count_watchdog(vm.id());
  switch (watchdog.action) {
    case Action::Report:
      Channel::log("watchdog: vm %u missed its deadline (pc 0x%llx); it keeps running",
                   unsigned(vm.id()), pc);
      return action;
    case Action::Stop:
      vm.stop(channel::VmExitReason::Fault, 0, exit,
              "the guest's watchdog expired (it was not petted in time); stopped at pc 0x%llx, "
              "%llu us after the deadline",
              pc, late_us);
      return ExitAction::Stop;
    case Action::Reset:
      Channel::log("watchdog: vm %u missed its deadline (pc 0x%llx); resetting it",
                   unsigned(vm.id()), pc);
      return ExitAction::Reboot;
  }
  return action;
}

}  // namespace

ExitAction watchdog_check(Vm& vm, const ExitInfo& exit, ExitAction action) {
  Watchdog& watchdog = vm.watchdog();
  if (!watchdog.armed || action == ExitAction::Stop || virtual_count() < watchdog.deadline)
    return action;
  return watchdog_expired(vm, exit.pc, virtual_count(), &exit, action);
}

void watchdog_timer_expired(Vm& vm) {
  // The pc of the vCPU that armed it is not at hand (it may be running on
  // another CPU): vCPU 0's last known one is reported.
  const unsigned long long pc = vm.vcpu(0).ctx.elr;
  const ExitAction a =
      watchdog_expired(vm, pc, read_sysreg(cntpct_el0) - vm.cntvoff(), nullptr, ExitAction::Resume);
  if (a == ExitAction::Reboot) vm.request_reboot();
  if (a != ExitAction::Resume) vm.wake_all();
}

}  // namespace nestlab
