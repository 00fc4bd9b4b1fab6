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

  static void init();
  static void enable_spi(uint32_t intid);
  // Acknowledge (ICC_IAR1_EL1); kSpurious when nothing is pending.
  static uint32_t acknowledge();
  static void end_of_interrupt(uint32_t intid);
};

}  // namespace nestlab
