#include "vhv/el2/trap/inject.h"

#include "vhv/common/exception_inject.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

constexpr uint64_t kSctlrM = 1;

// The IPA the guest's vector address translates to, or ~0 if it does not.
uint64_t vector_ipa(uint64_t va) {
  if ((read_sysreg(sctlr_el1) & kSctlrM) == 0) return va;
  // Stage 1 only (AT S1E1R, Arm ARM C5.5.8); PAR_EL1.F set means a fault.
  // PAR_EL1 is the guest's register: its value is put back.
  const uint64_t guest_par = read_sysreg(par_el1);
  asm volatile("at s1e1r, %0" ::"r"(va));
  arch::isb();
  const uint64_t par = read_sysreg(par_el1);
  write_sysreg(par_el1, guest_par);
  if (par & 1) return ~0ull;
  return (par & 0x000f'ffff'ffff'f000ull) | (va & 0xfff);
}

}  // namespace

InjectResult inject_sync_exception(Vm& vm, uint64_t esr, uint64_t far, uint64_t pc,
                                   uint64_t* vbar) {
  VcpuContext& ctx = vm.ctx();
  *vbar = read_sysreg(vbar_el1);
  const uint64_t target = *vbar + static_cast<uint64_t>(sync_vector_offset(ctx.spsr));
  if (*vbar == 0 || !vm.ipa_in_ram(vector_ipa(target), 4)) return InjectResult::NoVector;
  write_sysreg(esr_el1, esr);
  write_sysreg(far_el1, far);
  write_sysreg(elr_el1, pc);
  write_sysreg(spsr_el1, ctx.spsr);
  ctx.elr = target;
  ctx.spsr = pstate_on_exception_entry(ctx.spsr);
  return InjectResult::Delivered;
}

}  // namespace nestlab
