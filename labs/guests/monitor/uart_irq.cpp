#include "labs/guests/monitor/uart_irq.h"

#include <cstdint>

#include "tests/guests/lib/guest.h"

namespace monitor {
namespace {

// QEMU virt GICv3 (IHI 0069: 12.9 distributor, 12.11 redistributor).
constexpr uint64_t kGicd = 0x0800'0000, kGicr = 0x080A'0000;
constexpr uint32_t kUartIntid = 33;
constexpr uint64_t kUartImsc = 0x038, kUartFr = 0x018;
constexpr uint32_t kImscRx = 1u << 4, kImscRt = 1u << 6, kFrRxfe = 1u << 4;

volatile uint32_t& reg32(uint64_t addr) { return *reinterpret_cast<volatile uint32_t*>(addr); }
volatile uint64_t& reg64(uint64_t addr) { return *reinterpret_cast<volatile uint64_t*>(addr); }

}  // namespace

bool gicv3_present() {
  uint64_t pfr0;
  asm volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
  return ((pfr0 >> 24) & 0xf) != 0;
}

void enable_uart_irq() {
  // Distributor: affinity routing, group 1 on (GICD_CTLR.ARE | EnableGrp1).
  reg32(kGicd + 0x0000) = (1u << 4) | (1u << 1) | 1u;
  const uint64_t word = (kUartIntid / 32) * 4;
  const uint32_t bit = 1u << (kUartIntid % 32);
  reg32(kGicd + 0x0080 + word) = reg32(kGicd + 0x0080 + word) | bit;  // GICD_IGROUPR: group 1
  *reinterpret_cast<volatile uint8_t*>(kGicd + 0x0400 + kUartIntid) = 0x80;  // priority
  reg64(kGicd + 0x6000 + kUartIntid * 8) = 0;                                // GICD_IROUTER: CPU 0
  reg32(kGicd + 0x0100 + word) = bit;                                        // GICD_ISENABLER
  // Redistributor awake (GICR_WAKER.ProcessorSleep = 0).
  reg32(kGicr + 0x0014) = reg32(kGicr + 0x0014) & ~(1u << 1);
  while (reg32(kGicr + 0x0014) & (1u << 2)) {
  }
  // CPU interface: system registers on, every priority, group 1 on.
  uint64_t sre;
  asm volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));  // ICC_SRE_EL1
  asm volatile("msr S3_0_C12_C12_5, %0; isb" ::"r"(sre | 1));
  asm volatile("msr S3_0_C4_C6_0, %0" ::"r"(uint64_t{0xff}));      // ICC_PMR_EL1
  asm volatile("msr S3_0_C12_C12_7, %0; isb" ::"r"(uint64_t{1}));  // ICC_IGRPEN1_EL1
  reg32(guest::kUart + kUartImsc) = kImscRx | kImscRt;
}

void wait_for_key() {
  while (reg32(guest::kUart + kUartFr) & kFrRxfe) asm volatile("wfi");
}

}  // namespace monitor
