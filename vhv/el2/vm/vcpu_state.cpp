// The world-switch state of a vCPU, gathered in one place. While a vCPU runs
// its EL1, debug, timer and GIC state lives in its CPU's registers; when it
// leaves the CPU (end of a time slice, WFI, CPU_OFF, the VM ends) this
// copies all of it into the vCPU's VcpuState, which then holds the complete
// state DESIGN.md lists (and what a checkpoint will write); the next CPU to
// run it loads it back from there.
#include "vhv/el2/vm/vcpu_state.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/trap/self_hosted_debug.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

void vcpu_capture(Vm& vm, unsigned index) {
  Vcpu& v = vm.vcpu(index);
  VcpuState& s = v.state;
  s.magic = VcpuState::kMagic;
  s.version = VcpuState::kVersion;
  s.size = sizeof(VcpuState);
  for (unsigned i = 0; i < 31; ++i) s.x[i] = v.ctx.x[i];
  s.pc = v.ctx.elr;
  s.pstate = v.ctx.spsr;

  VcpuState::El1& e = s.el1;
  e.sctlr = read_sysreg(sctlr_el1);
  e.cpacr = read_sysreg(cpacr_el1);
  e.ttbr0 = read_sysreg(ttbr0_el1);
  e.ttbr1 = read_sysreg(ttbr1_el1);
  e.tcr = read_sysreg(tcr_el1);
  e.mair = read_sysreg(mair_el1);
  e.amair = read_sysreg(amair_el1);
  e.vbar = read_sysreg(vbar_el1);
  e.contextidr = read_sysreg(contextidr_el1);
  e.tpidr_el0 = read_sysreg(tpidr_el0);
  e.tpidrro_el0 = read_sysreg(tpidrro_el0);
  e.tpidr_el1 = read_sysreg(tpidr_el1);
  e.esr = read_sysreg(esr_el1);
  e.far = read_sysreg(far_el1);
  e.afsr0 = read_sysreg(afsr0_el1);
  e.afsr1 = read_sysreg(afsr1_el1);
  e.par = read_sysreg(par_el1);
  e.cntkctl = read_sysreg(cntkctl_el1);
  e.csselr = read_sysreg(csselr_el1);
  e.sp_el0 = read_sysreg(sp_el0);
  e.sp_el1 = read_sysreg(sp_el1);
  e.elr = read_sysreg(elr_el1);
  e.spsr = read_sysreg(spsr_el1);

  debug_capture(&s.debug);
  // FP/SIMD: lazily switched (vm/fp_switch.cpp); fp_put, which the caller
  // runs next, brings the registers back into s.fp if the vCPU used them.

  s.timers.cntv_ctl = read_sysreg(cntv_ctl_el0);
  s.timers.cntv_cval = read_sysreg(cntv_cval_el0);
  s.timers.cntvoff = vm.cntvoff();
  s.timers.cntp_ctl = v.phys_timer.ctl;
  s.timers.cntp_cval = v.phys_timer.cval;

  vgic_capture(&s.gic, &s.list_registers);
}

void vcpu_restore(Vm& vm, unsigned index) {
  const VcpuState& s = vm.vcpu(index).state;
  const VcpuState::El1& e = s.el1;
  write_sysreg(sctlr_el1, e.sctlr);
  write_sysreg(cpacr_el1, e.cpacr);
  write_sysreg(ttbr0_el1, e.ttbr0);
  write_sysreg(ttbr1_el1, e.ttbr1);
  write_sysreg(tcr_el1, e.tcr);
  write_sysreg(mair_el1, e.mair);
  write_sysreg(amair_el1, e.amair);
  write_sysreg(vbar_el1, e.vbar);
  write_sysreg(contextidr_el1, e.contextidr);
  write_sysreg(tpidr_el0, e.tpidr_el0);
  write_sysreg(tpidrro_el0, e.tpidrro_el0);
  write_sysreg(tpidr_el1, e.tpidr_el1);
  write_sysreg(esr_el1, e.esr);
  write_sysreg(far_el1, e.far);
  write_sysreg(afsr0_el1, e.afsr0);
  write_sysreg(afsr1_el1, e.afsr1);
  write_sysreg(par_el1, e.par);
  write_sysreg(cntkctl_el1, e.cntkctl);
  write_sysreg(csselr_el1, e.csselr);
  write_sysreg(sp_el0, e.sp_el0);
  write_sysreg(sp_el1, e.sp_el1);
  write_sysreg(elr_el1, e.elr);
  write_sysreg(spsr_el1, e.spsr);

  debug_restore(s.debug);
  write_sysreg(cntvoff_el2, vm.cntvoff());
  write_sysreg(cntv_cval_el0, s.timers.cntv_cval);
  write_sysreg(cntv_ctl_el0, s.timers.cntv_ctl);
  arch::isb();
  vgic_restore(vm, index, s.gic);
}

}  // namespace nestlab
