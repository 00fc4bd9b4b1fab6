// The guest side of the interrupt and SMP platform of QEMU -M virt (and of
// a VHV): GICv3 distributor/redistributor at their virt addresses with the
// system-register CPU interface, the EL1 virtual timer, PSCI CPU_ON/OFF and
// AFFINITY_INFO, secondary CPU entry with a stack each, a print lock.
#pragma once

#include <cstdint>

namespace guest {

inline constexpr uint64_t kGicd = 0x0800'0000;
inline constexpr uint64_t kGicr = 0x080A'0000;  // + 0x20000 per CPU
inline constexpr uint32_t kVtimerIntid = 27;
inline constexpr unsigned kMaxCpus = 8;

inline constexpr uint64_t kPsciCpuOn = 0xC400'0003;
inline constexpr uint64_t kPsciCpuOff = 0x8400'0002;
inline constexpr uint64_t kPsciAffinityInfo = 0xC400'0004;
inline constexpr uint64_t kPsciSystemReset = 0x8400'0009;

// This CPU's MPIDR_EL1.Aff0.
unsigned cpu_index();
// Number of cpu@ nodes under /cpus in the device tree at `dtb`.
unsigned dt_cpu_count(uint64_t dtb);

// Distributor: affinity routing and Group 1 on (once, by the boot CPU).
void gic_init_distributor();
// This CPU's redistributor awake, its CPU interface on (PMR 0xff).
void gic_init_cpu();
// SGI/PPI of this CPU enabled at a priority, Group 1.
void gic_enable_private(uint32_t intid, uint8_t priority);
// An SPI (INTID 32 and up) enabled at a priority, Group 1, routed to CPU 0,
// edge-triggered or level-sensitive as its device-tree node says.
void gic_enable_spi(uint32_t intid, uint8_t priority, bool edge);
uint32_t gic_ack();            // ICC_IAR1_EL1; 1023 when nothing
void gic_eoi(uint32_t intid);  // ICC_EOIR1_EL1 (EOImode 0: drop + deactivate)
void gic_send_sgi(unsigned cpu, uint32_t intid);
void gic_send_sgi_others(uint32_t intid);
uint32_t gic_private_pending();  // this CPU's GICR_ISPENDR0
uint32_t gic_private_active();   // this CPU's GICR_ISACTIVER0

inline void irq_enable() { asm volatile("msr daifclr, #2" ::: "memory"); }
inline void irq_disable() { asm volatile("msr daifset, #2" ::: "memory"); }

// Sleeps in WFI until done() holds. `while (!done()) wfi` with IRQs unmasked
// loses wake-ups: an interrupt taken between the check and the WFI runs its
// handler there (which is what makes done() true), and the WFI then waits
// for the next interrupt, maybe forever. Checking with IRQs masked closes
// that window: WFI still wakes for a pending masked interrupt (Arm ARM
// D1.6.2, "Wait for Interrupt"), and the handler runs once they are
// unmasked again (the ISB makes the unmasking take effect before the check).
template <typename Done>
void wait_until(Done&& done) {
  for (;;) {
    irq_disable();
    if (done()) break;
    asm volatile("wfi" ::: "memory");
    asm volatile("msr daifclr, #2; isb" ::: "memory");
  }
  asm volatile("msr daifclr, #2; isb" ::: "memory");
}

uint64_t counter();    // CNTVCT_EL0
uint64_t frequency();  // CNTFRQ_EL0
void timer_arm_at(uint64_t cval);
void timer_disarm();

// PSCI CPU_ON of `cpu`: it runs guest_secondary_main(cpu) on its own stack
// with this CPU's VBAR_EL1, then turns itself off when that returns.
int64_t start_cpu(unsigned cpu);
int64_t affinity_info(unsigned cpu);
// The cpu-release-addr of cpu@N in the device tree (enable-method
// "spin-table"), 0 when it has none.
uint64_t dt_cpu_release_addr(uint64_t dtb, unsigned cpu);
// Releases `cpu` through its spin-table address: it runs
// guest_secondary_main(cpu) like a CPU started by start_cpu().
void release_cpu(uint64_t release_addr);

// Whole-line printing from several CPUs.
void print_lock();
void print_unlock();

}  // namespace guest

extern "C" void guest_secondary_main(unsigned cpu);
