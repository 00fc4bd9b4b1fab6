// The least of the VHV's physical GICv3 the lowvisor needs: the UART's
// receive interrupt (INTID 33) as Group 1, routed to CPU 0, so WFI in the
// idle loop sleeps until the highvisor sends something, and an exit happens
// when it does while a guest runs. (GICv3 architecture spec IHI 0069.)
#pragma once

#include <cstdint>

namespace nestlab {

class PhysicalGic {
 public:
  static constexpr uint32_t kSpurious = 1023;

  static constexpr uint32_t kKickSgi = 0;       // wakes / exits another CPU
  static constexpr uint32_t kVtimerPpi = 27;    // EL1 virtual timer (CNTV)
  static constexpr uint32_t kHypTimerPpi = 26;  // EL2 physical timer (CNTHP)

  // Distributor (once), then init_cpu(0).
  static void init();
  // This CPU's redistributor and CPU interface (every CPU, boot/smp.cpp).
  static void init_cpu(unsigned cpu);
  static void enable_spi(uint32_t intid);
  // Acknowledge (ICC_IAR1_EL1); kSpurious when nothing is pending.
  static uint32_t acknowledge();
  // Priority drop and deactivation (EOImode 1 splits the two).
  static void end_of_interrupt(uint32_t intid);
  static void priority_drop(uint32_t intid);
  static void deactivate(uint32_t intid);
  // Marks this CPU's PPI `intid` active (GICR_ISACTIVER0, IHI 0069
  // 12.11.12) without an acknowledge: a vCPU that moved here while its
  // timer interrupt was active in the guest keeps it from firing again
  // until the guest deactivates it through the hardware list register.
  static void set_ppi_active(uint32_t intid);
  // Physical SGI to one CPU (Aff0 = cpu).
  static void send_sgi(unsigned cpu, uint32_t intid);
};

}  // namespace nestlab
