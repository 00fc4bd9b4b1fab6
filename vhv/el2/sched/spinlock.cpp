#include "vhv/el2/sched/spinlock.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/channel/gic.h"

namespace nestlab {

void Spinlock::sleep_until_turn(uint32_t me) {
  const uint32_t bit = 1u << (this_cpu() % 32);
  __atomic_fetch_or(&m_sleepers, bit, __ATOMIC_SEQ_CST);
  // WFI wakes for a pending interrupt even while IRQs are masked (Arm ARM
  // D1.16.2): the unlock's kick, sent if it saw the bit, or any other. The
  // kick stays pending and is handled with the CPU's next interrupts.
  if (__atomic_load_n(&m_owner, __ATOMIC_SEQ_CST) != me) arch::wfi();
  __atomic_fetch_and(&m_sleepers, ~bit, __ATOMIC_SEQ_CST);
}

void Spinlock::wake_sleepers() {
  const uint32_t sleepers = __atomic_load_n(&m_sleepers, __ATOMIC_SEQ_CST);
  const unsigned self = this_cpu();
  for (unsigned c = 0; c < kMaxCpus; ++c)
    if ((sleepers >> c) & 1 && c != self) PhysicalGic::send_sgi(c, PhysicalGic::kKickSgi);
}

}  // namespace nestlab
