#include "vhv/el2/trap/guest_memory.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kSctlrM = 1;
constexpr uint64_t kParPaMask = 0x000f'ffff'ffff'f000ull;

}  // namespace

bool guest_va_to_pa(const Vm& vm, uint64_t va, GuestAccess access, uint64_t* pa) {
  uint64_t ipa = va;
  if (read_sysreg(sctlr_el1) & kSctlrM) {
    // AT writes PAR_EL1, which is the guest's register: put its value back.
    const uint64_t guest_par = read_sysreg(par_el1);
    if (access == GuestAccess::Write)
      asm volatile("at s1e1w, %0" ::"r"(va) : "memory");
    else
      asm volatile("at s1e1r, %0" ::"r"(va) : "memory");
    arch::isb();
    const uint64_t par = read_sysreg(par_el1);
    write_sysreg(par_el1, guest_par);
    if (par & 1) return false;  // PAR_EL1.F: stage 1 (or its walk) faulted
    ipa = (par & kParPaMask) | (va & (kPage - 1));
  }
  if (!vm.ipa_in_ram(ipa, 1)) return false;
  *pa = vm.stage2().pa_of(Ipa(ipa)).value();
  return true;
}

backdoor::Error copy_from_guest(const Vm& vm, uint64_t va, void* dst, size_t len) {
  auto* out = static_cast<uint8_t*>(dst);
  while (len > 0) {
    uint64_t pa = 0;
    if (!guest_va_to_pa(vm, va, GuestAccess::Read, &pa)) return backdoor::Error::BadAddress;
    const size_t chunk = static_cast<size_t>(
        (kPage - (va & (kPage - 1))) < len ? (kPage - (va & (kPage - 1))) : len);
    const auto* src = reinterpret_cast<const volatile uint8_t*>(pa);
    for (size_t i = 0; i < chunk; ++i) out[i] = src[i];
    out += chunk;
    va += chunk;
    len -= chunk;
  }
  return backdoor::Error::Ok;
}

backdoor::Error copy_to_guest(Vm& vm, uint64_t va, const void* src, size_t len) {
  const auto* in = static_cast<const uint8_t*>(src);
  if (len == 0) return backdoor::Error::Ok;
  // A range that wraps past the top of the address space is no buffer (and
  // would end the check below before it started).
  if (va + (len - 1) < va) return backdoor::Error::BadAddress;
  // Check the whole range first so that a failing copy changes nothing.
  const uint64_t last_page = (va + (len - 1)) & ~(kPage - 1);
  for (uint64_t a = va & ~(kPage - 1);; a += kPage) {
    uint64_t pa = 0;
    if (!guest_va_to_pa(vm, a < va ? va : a, GuestAccess::Write, &pa))
      return backdoor::Error::BadAddress;
    if (a == last_page) break;
  }
  while (len > 0) {
    // Translated again page by page: another vCPU may have changed its
    // stage 1 since the check. A page that no longer translates ends the
    // copy with an error (what was copied stays copied), never a write
    // through an address that was not translated.
    uint64_t pa = 0;
    if (!guest_va_to_pa(vm, va, GuestAccess::Write, &pa)) return backdoor::Error::BadAddress;
    const size_t chunk = static_cast<size_t>(
        (kPage - (va & (kPage - 1))) < len ? (kPage - (va & (kPage - 1))) : len);
    // A write by the lowvisor is a write to the page like the guest's own:
    // if the page was executable it must be synchronised again (S15).
    vm.stage2().revoke_execute(vm.stage2().ipa_of(Pa(pa)));
    auto* dst = reinterpret_cast<volatile uint8_t*>(pa);
    for (size_t i = 0; i < chunk; ++i) dst[i] = in[i];
    in += chunk;
    va += chunk;
    len -= chunk;
  }
  return backdoor::Error::Ok;
}

backdoor::Error read_guest_string(const Vm& vm, uint64_t va, char* buf, size_t max, size_t* len) {
  uint64_t pa = 0;
  for (size_t i = 0; i <= max; ++i, ++pa) {
    if (i == 0 || ((va + i) & (kPage - 1)) == 0) {
      if (!guest_va_to_pa(vm, va + i, GuestAccess::Read, &pa)) return backdoor::Error::BadAddress;
    }
    const char c = *reinterpret_cast<const volatile char*>(pa);
    buf[i] = c;
    if (c == '\0') {
      *len = i;
      return backdoor::Error::Ok;
    }
  }
  buf[max] = '\0';
  return backdoor::Error::BadString;
}

}  // namespace nestlab
