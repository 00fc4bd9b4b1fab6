// Stage-2 data aborts (EC 0x24): guest RAM is fully mapped, so these are
// accesses to the MMIO space. An access to an emulated device is carried
// out through the ISS (ISV: size, register, direction, sign extension);
// an access to nothing becomes a synchronous external abort in the guest,
// which is what a real bus error looks like (Arm ARM D17.2.37 DFSC 0x10).
#include "vhv/common/esr.h"
#include "vhv/common/exception_inject.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/inject.h"
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

}  // namespace

ExitAction handle_data_abort_low(Vm& vm, const ExitInfo& exit) {
  const DataAbortIss iss(exit.iss);
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
