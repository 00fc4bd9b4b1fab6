#include "vhv/el2/trap/interrupt_security.h"

#include "vhv/common/backdoor.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/trap/guest_memory.h"
#include "vhv/el2/trap/stage2_error.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kPstateI = 1ull << 7;
constexpr uint64_t kMaxRegion = 64 * kPage;

bool in_region(const SecretRegion& region, uint64_t pc) {
  return pc >= region.start && pc < region.end;
}

// ICH_ELRSR_EL2 (Arm ARM D17.5.x): bit n set = list register n is empty. Any
// occupied list register means a virtual interrupt is pending (or active).
bool virtual_interrupt_pending() {
  uint64_t elrsr;
  asm volatile("mrs %0, s3_4_c12_c11_5" : "=r"(elrsr));
  uint64_t vtr;
  asm volatile("mrs %0, s3_4_c12_c11_1" : "=r"(vtr));  // ICH_VTR_EL2.ListRegs
  const unsigned lrs = static_cast<unsigned>(vtr & 0x1f) + 1;
  const uint64_t mask = lrs >= 64 ? ~0ull : (1ull << lrs) - 1;
  return (elrsr & mask) != mask;
}

void set_region_executable(Vm& vm, bool executable) {
  const SecretRegion& region = vm.secret_region();
  for (uint64_t va = region.start & ~(kPage - 1); va < region.end; va += kPage) {
    uint64_t pa = 0;
    if (!guest_va_to_pa(vm, va, GuestAccess::Read, &pa)) continue;
    const Ipa ipa = vm.stage2().ipa_of(Pa(pa).align_down(kPage));
    if (!executable) {
      vm.stage2().revoke_execute(ipa);
      continue;
    }
    // The region ran before, so its blocks are split already; should one
    // not be, the VM stops rather than run its code without the check.
    if (auto r = vm.stage2().make_executable(ipa); r.is_error()) {
      (void)stop_on_stage2_error(vm, nullptr, r.error(), ipa);
      return;
    }
  }
}

}  // namespace

int64_t isec_declare(Vm& vm, uint64_t reg, uint64_t start, uint64_t end) {
  SecretRegion& region = vm.secret_region();
  if (reg == 31) {
    if (region.scrubbed) return int64_t(backdoor::Error::Busy);
    region = SecretRegion{};
    return 0;
  }
  if (reg > 30 || start >= end || end - start > kMaxRegion)
    return int64_t(backdoor::Error::BadArgument);
  if (region.declared) return int64_t(backdoor::Error::Busy);  // one region at a time
  region = SecretRegion{true, false, static_cast<unsigned>(reg), start, end, 0};
  return 0;
}

void isec_before_entry(Vm& vm, VcpuContext& ctx) {
  SecretRegion& region = vm.secret_region();
  if (!region.declared || region.scrubbed || !in_region(region, ctx.elr)) return;
  if ((ctx.spsr & kPstateI) || !virtual_interrupt_pending()) return;
  region.secret = ctx.x[region.reg];
  ctx.x[region.reg] = backdoor::kScrubbedValue;
  region.scrubbed = true;
  set_region_executable(vm, false);
}

bool isec_on_exec_fault(Vm& vm, uint64_t pc) {
  SecretRegion& region = vm.secret_region();
  if (!region.scrubbed || !in_region(region, pc)) return false;
  // The handler returned into the region: its frame restored the scrubbed
  // value, so the secret goes back now, before the region runs on.
  vm.ctx().x[region.reg] = region.secret;
  region.secret = 0;
  region.scrubbed = false;
  set_region_executable(vm, true);
  return true;
}

}  // namespace nestlab
