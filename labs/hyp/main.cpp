// The skeleton's main loop: find the guest in the device tree, make its
// vCPU, then enter it and handle its exits until one powers the machine off
// (KVM/ARM's run loop in miniature: world switch, exit, dispatch by class).
#include "hyp.h"

namespace hyp {

namespace {

constexpr uint64_t kDtb = 0x4000'0000;  // docs/hypervisor.md, "The machine"
// HCR_EL2 (Arm ARM D17.2.48): RW, EL1 is AArch64; TSC, the guest's SMCs
// trap here rather than reach the firmware, so only the hypervisor can
// power the machine off. No VM bit: lab 1 has no stage 2.
constexpr uint64_t kHcrRw = 1ull << 31;
constexpr uint64_t kHcrTsc = 1ull << 19;
// SPSR_EL2 for the guest's first entry: EL1h (M = 0b0101), D, A, I, F masked.
constexpr uint64_t kSpsrEl1hMasked = 0x3c5;

uint64_t current_el() {
  uint64_t el;
  asm volatile("mrs %0, CurrentEL" : "=r"(el));
  return (el >> 2) & 3;
}

const char* class_name(ExceptionClass ec) {
  switch (ec) {
    case ExceptionClass::Unknown: return "UNKNOWN";
    case ExceptionClass::Wfx: return "WFx";
    case ExceptionClass::Hvc64: return "HVC64";
    case ExceptionClass::Smc64: return "SMC64";
    case ExceptionClass::Sys64: return "SYS64";
    case ExceptionClass::InstAbortLow: return "IABT_LOW";
    case ExceptionClass::DataAbortLow: return "DABT_LOW";
  }
  return "?";
}

// The one dispatch point: every exit goes through here, and an exit nobody
// handles is reported with its class before the machine powers off.
ExitAction handle_exit(Vcpu& vcpu) {
  if (vcpu.exit_kind != 8)  // synchronous from AArch64 EL1 (Arm ARM D1.10.2)
    return ExitAction::Unhandled;
  switch (exception_class(vcpu.esr)) {
    case ExceptionClass::Hvc64: return handle_hvc(vcpu);
    default: return ExitAction::Unhandled;
  }
}

}  // namespace

extern "C" [[noreturn]] void hyp_panic(uint64_t kind, uint64_t esr, uint64_t elr) {
  puts("nestlab-hyp: exception at EL2 (vector ");
  put_dec(kind);
  puts(", ESR_EL2 0x");
  put_hex(esr);
  puts(", ELR_EL2 0x");
  put_hex(elr);
  puts(")\n");
  system_off(2);
}

extern "C" [[noreturn]] void hyp_main() {
  puts("nestlab-hyp: EL");
  put_dec(current_el());
  puts(", teaching hypervisor skeleton\n");
  GuestImage guest;
  if (!find_guest(kDtb, guest)) {
    puts("nestlab-hyp: no /nestlab/guest@ node in the device tree\n");
    system_off(1);
  }
  if (guest.load != guest.base) {
    // Without a stage 2 the guest runs where nestlab put it.
    puts("nestlab-hyp: the guest is not linked at 0x");
    put_hex(guest.base);
    puts(" and lab 1 has no stage 2\n");
    system_off(1);
  }
  puts("nestlab-hyp: guest ");
  puts(guest.name);
  puts(" at 0x");
  put_hex(guest.base);
  puts(", entry 0x");
  put_hex(guest.entry);
  puts("\n");

  auto* vcpu = static_cast<Vcpu*>(alloc(sizeof(Vcpu)));
  vcpu->elr = guest.entry;
  vcpu->spsr = kSpsrEl1hMasked;
  vcpu->x[0] = 0;
  asm volatile("msr hcr_el2, %0\n isb" : : "r"(kHcrRw | kHcrTsc));

  for (;;) {
    guest_enter(vcpu);
    ExitAction action = handle_exit(*vcpu);
    if (action == ExitAction::Advance) {
      vcpu->elr += 4;
    } else if (action == ExitAction::PowerOff) {
      puts("nestlab-hyp: the guest powered off, exit code ");
      put_dec(vcpu->x[1] & 0xff);
      puts("\n");
      system_off(vcpu->x[1]);
    } else if (action == ExitAction::Unhandled) {
      puts("nestlab-hyp: unhandled exit: ");
      puts(class_name(exception_class(vcpu->esr)));
      puts(" ESR_EL2 0x");
      put_hex(vcpu->esr);
      puts(" at 0x");
      put_hex(vcpu->elr);
      puts("\n");
      system_off(3);
    }
  }
}

}  // namespace hyp
