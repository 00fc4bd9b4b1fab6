// FP/SIMD state is switched lazily, the way KVM and Zircon do it: when a vCPU
// is loaded on a CPU its state stays in its Vcpu and CPTR_EL2.TFP (Arm ARM
// D17.2.31) traps the first FP/SIMD instruction of EL0/EL1 (EC 0x07); only
// then are V0-V31, FPCR and FPSR loaded, and TFP cleared so the guest runs
// FP at full speed. When the vCPU leaves the CPU (powered off, VM stopped)
// its registers are saved back, so the Vcpu always holds the state a
// checkpoint needs once the vCPU is not running, and nothing of one guest's
// FP state survives into the next guest on that CPU. The guest's own
// CPACR_EL1.FPEN trap is checked by the CPU before TFP and goes to the
// guest (D1.11.1 "Synchronous exception prioritization").
#include "vhv/el2/vm/fp_switch.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

constexpr uint64_t kCptrEl2Res1 = 0x33ff;  // RES1 bits of CPTR_EL2 (E2H = 0)
constexpr uint64_t kCptrTfp = 1ull << 10;  // trap FP/SIMD at EL0, EL1 and EL2

void trap_fp(bool trap) {
  write_sysreg(cptr_el2, kCptrEl2Res1 | (trap ? kCptrTfp : 0));
  arch::isb();
}

}  // namespace

void fp_reset(Vcpu& v) {
  v.state.fp = FpState{};
  v.fp_loaded = false;
  trap_fp(true);
}

void fp_put(Vcpu& v) {
  if (v.fp_loaded) {
    trap_fp(false);  // the save itself must not trap
    fp_save_registers(&v.state.fp);
    v.fp_loaded = false;
  }
  trap_fp(true);
}

void fp_load(Vcpu& v) {
  v.fp_loaded = false;
  trap_fp(true);
}

ExitAction handle_fp_access(Vm& vm, const ExitInfo& /*exit*/) {
  Vcpu& v = vm.vcpu(vm.here());
  trap_fp(false);
  if (!v.fp_loaded) {
    fp_restore_registers(&v.state.fp);
    v.fp_loaded = true;
  }
  return ExitAction::Resume;  // the instruction runs again, now untrapped
}

}  // namespace nestlab
