// PL031 real-time clock guest (QEMU virt's RTC at 0x0901_0000, SPI 2): what
// a user of the guest's clock notices. It prints RTCDR ("rtc: start N", the
// host's wall-clock seconds), waits 3 s of its own time (CNTVCT) and checks
// that RTCDR moved by exactly 3, then sets a match 2 s ahead with the
// interrupt unmasked and sleeps in WFI until the match interrupt arrives
// (a virtual-timer backstop after 5 s ends the wait if it never does). In
// the handler RTCRIS and RTCMIS read 1 and RTCICR clears both. Exits 0
// when every check held.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

constexpr uint64_t kRtc = 0x0901'0000;
constexpr uint64_t kDr = 0x00, kMr = 0x04, kImsc = 0x10, kRis = 0x14, kMis = 0x18, kIcr = 0x1c;
constexpr uint32_t kRtcIntid = 32 + 2;

uint32_t rtc_read(uint64_t off) { return *reinterpret_cast<volatile uint32_t*>(kRtc + off); }
void rtc_write(uint64_t off, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(kRtc + off) = v; }
void gicd_write32(uint64_t off, uint32_t v) {
  *reinterpret_cast<volatile uint32_t*>(guest::kGicd + off) = v;
}

// Written by the handler: on a page of its own (S15: W^X).
struct alignas(4096) State {
  volatile uint64_t fired_at;  // CNTVCT when the match interrupt was taken
  volatile uint32_t ris, mis, ris_after, mis_after;
  volatile bool fired, backstop;
};
State g_state;

// SPI `intid` enabled, Group 1, routed to CPU 0 (GICv3 with ARE).
void enable_spi(uint32_t intid) {
  const uint32_t bit = 1u << (intid % 32);
  gicd_write32(0x080 + 4 * (intid / 32), bit);  // GICD_IGROUPR<n>: the only group-1 SPI here
  *reinterpret_cast<volatile uint8_t*>(guest::kGicd + 0x400 + intid) = 0xa0;     // GICD_IPRIORITYR
  *reinterpret_cast<volatile uint64_t*>(guest::kGicd + 0x6000 + 8 * intid) = 0;  // GICD_IROUTER
  gicd_write32(0x100 + 4 * (intid / 32), bit);                                   // GICD_ISENABLER
}

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame* f, uint64_t kind) {
  guest::expect_irq(f, kind);
  const uint32_t intid = guest::gic_ack();
  if (intid == kRtcIntid) {
    g_state.fired_at = guest::counter();
    g_state.ris = rtc_read(kRis);
    g_state.mis = rtc_read(kMis);
    rtc_write(kIcr, 1);  // lowers the level before the EOI
    g_state.ris_after = rtc_read(kRis);
    g_state.mis_after = rtc_read(kMis);
    g_state.fired = true;
  } else if (intid == guest::kVtimerIntid) {
    guest::timer_disarm();
    g_state.backstop = true;
  }
  if (intid < 1020) guest::gic_eoi(intid);
}

extern "C" int guest_main(uint64_t) {
  const uint64_t hz = guest::frequency();
  int failures = 0;
  guest::install_vectors();
  guest::gic_init_distributor();
  guest::gic_init_cpu();
  guest::gic_enable_private(guest::kVtimerIntid, 0xa0);
  enable_spi(kRtcIntid);

  const uint32_t start = rtc_read(kDr);
  guest::printf("rtc: start %u\n", start);
  // The RTC moves with guest time: 3 s of CNTVCT are 3 s of RTCDR.
  const uint64_t t0 = guest::counter();
  const uint32_t dr0 = rtc_read(kDr);
  while (guest::counter() - t0 < 3 * hz) {
  }
  const uint32_t moved = rtc_read(kDr) - dr0;
  guest::printf("rtc: 3 s of guest time moved RTCDR by %u\n", moved);
  if (moved != 3) ++failures;

  // A match 2 s ahead (1 to 2 s from now, as the counter is part-way into
  // a second), taken while the CPU sleeps in WFI.
  rtc_write(kImsc, 1);
  const uint64_t armed = guest::counter();
  rtc_write(kMr, rtc_read(kDr) + 2);
  guest::timer_arm_at(armed + 5 * hz);
  guest::irq_enable();
  guest::wait_until([] { return g_state.fired || g_state.backstop; });
  guest::timer_disarm();
  if (!g_state.fired) {
    guest::printf("rtc: no match interrupt within 5 s (RIS %u MIS %u)\n", rtc_read(kRis),
                  rtc_read(kMis));
    ++failures;
  } else {
    const uint64_t ms = (g_state.fired_at - armed) * 1000 / hz;
    const bool cleared = g_state.ris_after == 0 && g_state.mis_after == 0;
    guest::printf("rtc: match interrupt after %llu ms in WFI, RIS %u MIS %u, cleared: %s\n",
                  static_cast<unsigned long long>(ms), g_state.ris, g_state.mis,
                  cleared ? "yes" : "no");
    if (ms < 900 || ms > 2100 || g_state.ris != 1 || g_state.mis != 1 || !cleared) ++failures;
  }
  guest::printf("rtc: %d failures\n", failures);
  return failures;
}
