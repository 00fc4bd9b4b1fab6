// Lab 05, timers and interrupts (your file): a 100 Hz tick from the EL1
// virtual timer, delivered as PPI 27 through the GICv3, with the CPU asleep
// in WFI between ticks. See README.md.
#include "lab.h"

namespace {

constexpr uint64_t kTicks = 20, kHz = 100;

volatile uint64_t g_ticks;  // written by the interrupt handler
uint64_t g_period;          // timer counts per tick

// TODO: helpers for the virtual timer registers CNTV_CVAL_EL0 (the
// deadline, in CNTVCT_EL0 counts) and CNTV_CTL_EL0 (bit 0 ENABLE, bit 1
// IMASK, bit 2 ISTATUS).

}  // namespace

extern "C" void lab_exception(lab::Frame* frame, unsigned kind) {
  // TODO: handle the IRQ (kind 5): acknowledge it at the GIC, count a tick
  // if it is the virtual timer, set the next deadline (or stop the timer
  // after the last tick), end the interrupt.
  lab::printf("unexpected exception: vector %u, ESR_EL1 0x%llx at 0x%llx\n", kind,
              static_cast<unsigned long long>(frame->esr),
              static_cast<unsigned long long>(frame->elr));
  lab::system_off(lab::kExitCrash);
}

extern "C" int lab_main(uint64_t) {
  lab::install_vectors();
  lab::gic_init();
  lab::gic_enable_ppi(lab::kVirtualTimerIntid, 0xa0);

  g_period = lab::frequency() / kHz;
  const uint64_t start = lab::counter();
  // TODO: set the first deadline, unmask IRQs, and sleep in WFI until
  // kTicks ticks have happened, counting the wake-ups.
  uint64_t wakeups = 0;

  const uint64_t elapsed_ms = (lab::counter() - start) * 1000 / lab::frequency();
  lab::printf("ticks: %llu in %llu ms, %llu wake-ups\n", static_cast<unsigned long long>(g_ticks),
              static_cast<unsigned long long>(elapsed_ms),
              static_cast<unsigned long long>(wakeups));
  if (g_ticks == kTicks && elapsed_ms >= kTicks * 1000 / kHz) lab::mark("timer");
  return 0;
}
