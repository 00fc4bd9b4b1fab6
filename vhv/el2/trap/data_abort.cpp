// Stage-2 data aborts (EC 0x24): guest RAM is fully mapped, so these are
// accesses to the MMIO space. An access to an emulated device is carried
// out through the ISS (ISV: size, register, direction, sign extension);
// an access to nothing becomes a synchronous external abort in the guest,
// which is what a real bus error looks like (Arm ARM D17.2.37 DFSC 0x10).
#include "vhv/common/esr.h"
#include "vhv/common/exception_inject.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/guest_memory.h"
#include "vhv/el2/trap/inject.h"
#include "vhv/el2/trap/self_hosted_debug.h"
#include "vhv/el2/trap/stage2_error.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/trap/wfe_patch.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

using ull = unsigned long long;

uint64_t sign_extend(uint64_t v, unsigned bytes) {
  const unsigned shift = 64 - 8 * bytes;
  return static_cast<uint64_t>(static_cast<int64_t>(v << shift) >> shift);
}

ExitAction emulate_mmio(Vm& vm, const MmioRegion& region, const ExitInfo& exit,
                        const DataAbortIss& iss) {
  const unsigned bytes = iss.access_bytes();
  const uint64_t offset = exit.ipa - region.base;
  const uint64_t mask = bytes == 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
  // The trace record says which register was accessed (its offset into the
  // device), so a host observer such as the lab grader can tell the PL011's
  // data register from its ID registers.
  TraceWriter::set_detail(static_cast<uint16_t>(offset > 0xffff ? 0xffff : offset));
  if (iss.wnr) {
    region.device->write(offset, bytes, vm.ctx().reg(iss.srt) & mask);
  } else {
    uint64_t v = region.device->read(offset, bytes) & mask;
    if (iss.sse && bytes < 8) v = sign_extend(v, bytes);
    if (!iss.sf) v &= 0xffff'ffffull;
    vm.ctx().set_reg(iss.srt, v);
    // Reading the UART means the guest waits for input: show its prompt.
    vm.console().flush();
  }
  return ExitAction::Advance;
}

// A load from an execute-only page with patched WFE sites (S14), carried out
// on the guest's original bytes.
ExitAction emulate_exec_only_read(Vm& vm, const ExitInfo& exit, const DataAbortIss& iss) {
  const unsigned bytes = iss.access_bytes();
  const uint64_t pa = vm.stage2().pa_of(Ipa(exit.ipa)).value();
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i)
    v |= uint64_t(vm.wfe_patcher().original_byte(pa + i)) << (8 * i);
  if (iss.sse && bytes < 8) v = sign_extend(v, bytes);
  if (!iss.sf) v &= 0xffff'ffffull;
  vm.ctx().set_reg(iss.srt, v);
  return ExitAction::Advance;
}

// The lines a store of `bytes` at pa wrote, coherent for instruction fetch
// (DC CVAU, IC IVAU; Arm ARM D7.5.9).
void sync_icache_for_store(uint64_t pa, unsigned bytes) {
  for (uint64_t a : {pa, pa + bytes - 1}) asm volatile("dc cvau, %0" ::"r"(a) : "memory");
  arch::dsb_ish();
  for (uint64_t a : {pa, pa + bytes - 1}) asm volatile("ic ivau, %0" ::"r"(a) : "memory");
  arch::dsb_ish();
  arch::isb();
}

// A store the lowvisor carries out for the guest into an executable page
// that holds the storing instruction itself (S15): taking execute permission
// away would fault on the next fetch of that same instruction, forever. The
// written line is made coherent at once instead (DC CVAU, IC IVAU).
void emulate_store_to_own_page(Vm& vm, const ExitInfo& exit, const DataAbortIss& iss) {
  const unsigned bytes = iss.access_bytes();
  const uint64_t pa = vm.stage2().pa_of(Ipa(exit.ipa)).value();
  const uint64_t v = vm.ctx().reg(iss.srt);
  for (unsigned i = 0; i < bytes; ++i)
    *reinterpret_cast<volatile uint8_t*>(pa + i) = static_cast<uint8_t>(v >> (8 * i));
  sync_icache_for_store(pa, bytes);
}

// The same into an execute-only page with patched WFE sites (S14): the store
// goes to the guest's view of the words and the page stays patched, so a WFE
// loop whose variables share its page keeps reaching the WFE channel.
void emulate_store_to_patched_page(Vm& vm, const ExitInfo& exit, const DataAbortIss& iss) {
  const unsigned bytes = iss.access_bytes();
  const uint64_t pa = vm.stage2().pa_of(Ipa(exit.ipa)).value();
  vm.wfe_patcher().store(pa, bytes, vm.ctx().reg(iss.srt));
  sync_icache_for_store(pa, bytes);
}

// A stage-2 permission fault on guest RAM: a write to a page that is
// executable (S15: it loses execute permission and must be synchronised again
// before it next runs), or any data access to an execute-only page whose WFE
// sites are patched (S14: put the guest's own bytes back first). When the
// access comes from the page itself, flipping would fault again on the next
// fetch: syndrome stores are emulated (a patched page stays patched, so its
// WFE sites stay sites), anything else leaves the page read/write/execute
// from then on (counted as exec_revoked too). A write to
// a clean page (write-protected for the dirty log) marks it dirty.
enum class RamFault : uint8_t { NotMine, Retry, Done, Stopped };

RamFault handle_ram_permission_fault(Vm& vm, const ExitInfo& exit, const DataAbortIss& iss) {
  const bool permission = iss.dfsc >= 0x0d && iss.dfsc <= 0x0f;
  const Ipa page_ipa = Ipa(exit.ipa).align_down(Stage2::kPage);
  // SMP: another CPU was splitting or remapping the block (its entry was
  // briefly invalid); it is whole again.
  if (vm.stage2().raced_with_update(page_ipa, iss.dfsc)) return RamFault::Retry;
  if (!permission) return RamFault::NotMine;
  const PageState state = vm.stage2().state(page_ipa);
  if (state == PageState::Data && iss.wnr && vm.stage2().log_write(page_ipa))
    return RamFault::Retry;  // the first write since the page was cleaned
  // SMP: another vCPU revoked execute permission between this fault and the
  // lock (sched/); the access will succeed now.
  if (state == PageState::Data) {
    vm.stage2().drop_stale_here(page_ipa);  // or a stale entry of this CPU's
    return RamFault::Retry;
  }
  if (state == PageState::NotRam) return RamFault::NotMine;
  if (state == PageState::Executable && !iss.wnr) return RamFault::NotMine;
  uint64_t pc_pa = 0;
  const bool own_page = guest_va_to_pa(vm, exit.pc, GuestAccess::Read, &pc_pa) &&
                        vm.stage2().ipa_of(Pa(pc_pa).align_down(Stage2::kPage)) == page_ipa;
  // Loads with a syndrome from an execute-only page by its own code (a
  // literal pool) are answered from the original bytes
  // (emulate_exec_only_read) and the page stays patched. Loads from other
  // code treat the page as data from now on, like stores: put back, read
  // natively, patched again at its next execution. Emulating every one kept
  // a page that is read as data (a page-cache page of a binary, text the
  // kernel inspects) trapping on each load: half the exits of a Linux boot.
  if (state == PageState::ExecOnly && iss.isv && !iss.wnr && !iss.s1ptw && own_page)
    return RamFault::NotMine;
  count(TraceWriter::stats().exec_revoked);
  if (own_page && iss.isv && iss.wnr && state == PageState::Executable) {
    emulate_store_to_own_page(vm, exit, iss);
    return RamFault::Done;
  }
  if (own_page && iss.isv && iss.wnr && state == PageState::ExecOnly) {
    emulate_store_to_patched_page(vm, exit, iss);
    return RamFault::Done;
  }
  if (state == PageState::ExecOnly)
    vm.wfe_patcher().unpatch_page(vm.stage2().pa_of(page_ipa).value());
  if (!own_page) {
    vm.stage2().revoke_execute(page_ipa);  // Executable or ExecOnly: this VM's RAM
    return RamFault::Retry;
  }
  auto untracked = vm.stage2().make_untracked(page_ipa);
  if (untracked.is_ok()) return RamFault::Retry;
  (void)stop_on_stage2_error(vm, &exit, untracked.error(), page_ipa);
  return RamFault::Stopped;
}

}  // namespace

ExitAction handle_data_abort_low(Vm& vm, const ExitInfo& exit) {
  const DataAbortIss iss(exit.iss);
  // A patched WFE site (S14): the WFE channel, not a load of the guest's.
  if (vm.wfe_patcher().is_site_load(vm, exit)) return handle_wfe_channel(vm, exit);
  // The guest's own watchpoints see the accesses the lowvisor carries out
  // (an access that runs again natively meets them by itself).
  if (iss.isv && !iss.s1ptw) {
    ExitAction action = ExitAction::Resume;
    if (guest_watchpoint_hit(vm, exit, iss.access_bytes(), iss.wnr, &action)) return action;
  }
  switch (handle_ram_permission_fault(vm, exit, iss)) {
    case RamFault::Retry: return ExitAction::Resume;  // the access runs again
    case RamFault::Done: return ExitAction::Advance;
    case RamFault::Stopped: return ExitAction::Stop;
    case RamFault::NotMine: break;
  }
  if (iss.isv && !iss.wnr && vm.stage2().state(Ipa(exit.ipa)) == PageState::ExecOnly)
    return emulate_exec_only_read(vm, exit, iss);
  const MmioRegion* region =
      iss.s1ptw ? nullptr : vm.mmio().find(exit.ipa, iss.isv ? iss.access_bytes() : 1);
  if (region && iss.isv) return emulate_mmio(vm, *region, exit, iss);
  if (region) {
    vm.stop(channel::VmExitReason::Fault, 0, &exit,
            "guest accessed the %s at ipa 0x%llx from pc 0x%llx with an instruction the lowvisor "
            "cannot emulate "
            "(no syndrome: ISV=0, iss 0x%x); use single LDR/STR accesses for device registers",
            region->device->name(), ull(exit.ipa), ull(exit.pc), exit.iss);
    return ExitAction::Stop;
  }
  uint64_t vbar = 0;
  const uint64_t esr = external_data_abort_esr(vm.ctx().spsr, iss.wnr);
  if (inject_sync_exception(vm, esr, exit.far, exit.pc, &vbar) == InjectResult::Delivered)
    return ExitAction::Resume;
  vm.stop(channel::VmExitReason::Fault, 0, &exit,
          "guest took a data abort (DABT_LOW) at pc 0x%llx, iss 0x%x, ipa 0x%llx: nothing is "
          "mapped there; "
          "VBAR_EL1 is 0x%llx, so there is no vector to deliver it to",
          ull(exit.pc), exit.iss, ull(exit.ipa), ull(vbar));
  return ExitAction::Stop;
}

}  // namespace nestlab
