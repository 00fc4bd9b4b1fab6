#include "vhv/el2/runtime/panic.h"

#include "vhv/common/format.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/channel/uart.h"

namespace nestlab {

void panic(const char* fmt, ...) {
  asm volatile("msr daifset, #0xf");
  char text[256];
  va_list args;
  va_start(args, fmt);
  size_t n = vformat(text, sizeof(text), fmt, args);
  va_end(args);
  VhvUart::write_raw("\r\nlowvisor panic: ", 18);
  VhvUart::write_raw(text, n);
  VhvUart::write_raw("\r\n", 2);
  for (;;) arch::wfi();
}

// Exceptions taken at EL2 itself (vectors.S): always a lowvisor bug.
extern "C" [[noreturn]] void el2_self_exception(uint64_t kind) {
  panic("exception at EL2 (vector %llu): ESR_EL2 0x%llx ELR_EL2 0x%llx FAR_EL2 0x%llx",
        static_cast<unsigned long long>(kind),
        static_cast<unsigned long long>(read_sysreg(esr_el2)),
        static_cast<unsigned long long>(read_sysreg(elr_el2)),
        static_cast<unsigned long long>(read_sysreg(far_el2)));
}

}  // namespace nestlab
