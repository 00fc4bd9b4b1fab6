// Instruction aborts from the guest (EC 0x20). A stage-2 permission fault on
// guest RAM is the first execution of a page since it was last written (S15,
// see stage2.h): make the instruction stream coherent with the data the
// guest (or the loader) wrote there, then let the page execute. Arm ARM
// D7.5.9 gives the sequence for self-modifying code on a PoU-coherent
// system: DC CVAU over the lines, DSB ISH, IC IVAU over the lines, DSB ISH,
// ISB. A fetch from outside RAM has nothing to run and stops the VM.
#include "vhv/common/exception_inject.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/inject.h"
#include "vhv/el2/trap/interrupt_security.h"
#include "vhv/el2/trap/stage2_error.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/trap/wfe_patch.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

using ull = unsigned long long;

// IFSC permission fault, levels 1..3 (D17.2.37).
bool permission_fault(uint32_t iss) {
  const uint32_t fsc = iss & 0x3f;
  return fsc >= 0x0d && fsc <= 0x0f;
}

void sync_icache_for_page(uint64_t pa) {
  const uint64_t ctr = read_sysreg(ctr_el0);
  const uint64_t dline = 4ull << ((ctr >> 16) & 0xf);
  const uint64_t iline = 4ull << (ctr & 0xf);
  for (uint64_t a = pa; a < pa + Stage2::kPage; a += dline)
    asm volatile("dc cvau, %0" ::"r"(a) : "memory");
  arch::dsb_ish();
  for (uint64_t a = pa; a < pa + Stage2::kPage; a += iline)
    asm volatile("ic ivau, %0" ::"r"(a) : "memory");
  arch::dsb_ish();
  arch::isb();
}

// Whether the context that fetched `va` may read it at stage 1 (AT S1E1R or
// S1E0R, Arm ARM C5.5): a patched WFE site is a load of its own word, which
// must reach stage 2 rather than fault in the guest's tables (an
// execute-only mapping). The guest's PAR_EL1 is kept.
bool fetcher_can_read(Vm& vm, uint64_t va) {
  if ((read_sysreg(sctlr_el1) & 1) == 0) return true;  // stage 1 off
  const uint64_t saved_par = read_sysreg(par_el1);
  if (guest_at_el1(vm.ctx().spsr))
    asm volatile("at s1e1r, %0" ::"r"(va) : "memory");
  else
    asm volatile("at s1e0r, %0" ::"r"(va) : "memory");
  arch::isb();
  const bool readable = (read_sysreg(par_el1) & 1) == 0;
  write_sysreg(par_el1, saved_par);
  return readable;
}

}  // namespace

ExitAction handle_instruction_abort_low(Vm& vm, const ExitInfo& exit) {
  const Ipa page_ipa = Ipa(exit.ipa).align_down(Stage2::kPage);
  if (isec_on_exec_fault(vm, exit.pc)) return ExitAction::Resume;  // S24: secret restored
  if (permission_fault(exit.iss) && vm.stage2().state(page_ipa) == PageState::Data) {
    trace::TrapStats& stats = TraceWriter::stats();
    count(stats.exec_faults);
    const uint64_t pa = vm.stage2().pa_of(page_ipa).value();
    // WFE sites are patched before the page becomes executable (S14); a
    // patched page is execute-only so that reads still see the original.
    const bool patched = fetcher_can_read(vm, exit.far) && vm.wfe_patcher().patch_page(pa);
    sync_icache_for_page(pa);
    auto made = vm.stage2().make_executable(page_ipa,
                                            patched ? PageState::ExecOnly : PageState::Executable);
    if (made.is_error()) return stop_on_stage2_error(vm, &exit, made.error(), page_ipa);
    count(stats.icache_syncs);
    return ExitAction::Resume;  // re-fetch the faulting instruction
  }
  // SMP: another vCPU made the page executable between this fault and the
  // lock (sched/); the fetch will succeed now.
  // Or this CPU still held an entry from before a relaxation: drop it.
  if (permission_fault(exit.iss) && vm.stage2().state(page_ipa) != PageState::Data &&
      vm.stage2().state(page_ipa) != PageState::NotRam) {
    vm.stage2().drop_stale_here(page_ipa);
    return ExitAction::Resume;
  }
  // SMP: another CPU was splitting or remapping the block (its entry was
  // briefly invalid); it is whole again.
  if (vm.stage2().raced_with_update(page_ipa, exit.iss & 0x3f)) return ExitAction::Resume;
  // A fetch from an address nothing backs is a synchronous external abort
  // for the guest, as on QEMU -M virt (kvm-unit-tests selftest checks it).
  const ExceptionClass ec =
      guest_at_el1(vm.ctx().spsr) ? ExceptionClass::IABT_CUR : ExceptionClass::IABT_LOW;
  uint64_t vbar = 0;
  if (inject_sync_exception(vm, make_esr(ec, true, kDfscSyncExternal), exit.far, exit.pc, &vbar) ==
      InjectResult::Delivered)
    return ExitAction::Resume;
  vm.stop(channel::VmExitReason::Fault, 0, &exit,
          "guest tried to execute from ipa 0x%llx (pc 0x%llx, iss 0x%x), outside guest RAM; only "
          "RAM is executable, and there is no exception vector to report it to (VBAR_EL1 0x%llx)",
          ull(exit.ipa), ull(exit.pc), exit.iss, ull(vbar));
  return ExitAction::Stop;
}

}  // namespace nestlab
