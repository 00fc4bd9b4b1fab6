// Lab 05, timers and interrupts (reference solution): a 100 Hz tick from the
// EL1 virtual timer, delivered as PPI 27 through the GICv3, with the CPU
// asleep in WFI between ticks. In a VHV each WFI is a trap (WFx) that
// blocks the vCPU until the next interrupt is due.
#include "lab.h"

namespace {

constexpr uint64_t kTicks = 20, kHz = 100;

volatile uint64_t g_ticks;  // written by the interrupt handler
uint64_t g_period;          // timer counts per tick

void timer_set(uint64_t cval) {
  asm volatile("msr cntv_cval_el0, %0" ::"r"(cval));
  asm volatile("msr cntv_ctl_el0, %0; isb" ::"r"(uint64_t(1)));  // ENABLE, interrupt not masked
}

void timer_stop() { asm volatile("msr cntv_ctl_el0, %0; isb" ::"r"(uint64_t(0))); }

uint64_t timer_cval() {
  uint64_t v;
  asm volatile("mrs %0, cntv_cval_el0" : "=r"(v));
  return v;
}

}  // namespace

extern "C" void lab_exception(lab::Frame* frame, unsigned kind) {
  if (kind != 5) {  // 5: IRQ taken at EL1
    lab::printf("unexpected exception: vector %u, ESR_EL1 0x%llx at 0x%llx\n", kind,
                static_cast<unsigned long long>(frame->esr),
                static_cast<unsigned long long>(frame->elr));
    lab::system_off(lab::kExitCrash);
  }
  const uint32_t intid = lab::gic_ack();
  if (intid == lab::kVirtualTimerIntid) {
    g_ticks = g_ticks + 1;
    // The timer's output is a level: it stays asserted while CVAL <= count,
    // so move the deadline (or stop the timer) before the EOI.
    if (g_ticks < kTicks)
      timer_set(timer_cval() + g_period);
    else
      timer_stop();
  }
  if (intid < 1020) lab::gic_eoi(intid);  // 1020..1023: no interrupt
}

extern "C" int lab_main(uint64_t) {
  lab::install_vectors();
  lab::gic_init();
  lab::gic_enable_ppi(lab::kVirtualTimerIntid, 0xa0);

  g_period = lab::frequency() / kHz;
  const uint64_t start = lab::counter();
  timer_set(start + g_period);
  lab::irq_enable();

  uint64_t wakeups = 0;
  while (g_ticks < kTicks) {
    asm volatile("wfi");
    ++wakeups;
  }
  lab::irq_disable();
  const uint64_t elapsed_ms = (lab::counter() - start) * 1000 / lab::frequency();
  lab::printf("ticks: %llu in %llu ms, %llu wake-ups\n", static_cast<unsigned long long>(g_ticks),
              static_cast<unsigned long long>(elapsed_ms),
              static_cast<unsigned long long>(wakeups));
  if (g_ticks == kTicks && elapsed_ms >= kTicks * 1000 / kHz) lab::mark("timer");
  return 0;
}
