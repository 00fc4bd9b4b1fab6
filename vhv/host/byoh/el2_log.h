// QEMU's own record of the exceptions a student's hypervisor takes
// (`-d int`), read without trusting the hypervisor: the highvisor feeds the
// log stream here as it arrives, and the parser counts every exception taken
// to EL2 by class and keeps the latest ones, as the lowvisor's exit counters
// and trace ring do for its guests.
//
// A record in QEMU 7.2 (target/arm/helper.c, arm_log_exception and
// arm_cpu_do_interrupt_aarch64) is a line "Taking exception N [name] on CPU
// C" followed by "...from ELa to ELb", "...with ESR 0xEC/0xESR", optionally
// "...with FAR 0x..", "...with ELR 0x..", and "...to ELb PC 0x.. PSTATE
// 0x..", which ends it; "...handled as PSCI call" ends one that QEMU's
// firmware served. "Exception return from AArch64 ELa to AArch64 ELb PC 0x.."
// is an ERET. Anything else is ignored; lines longer than kMaxLine are
// dropped and counted. Memory stays bounded whatever the stream holds.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace nestlab::vhv {

struct El2Exception {
  uint64_t seq = 0;      // 1, 2, ... in the order taken
  uint64_t time_ns = 0;  // the caller's clock when the record completed
  uint32_t cpu = 0;
  uint32_t from_el = 0;
  // The ESR_EL2 class for a synchronous exception; for IRQ, FIQ and SError,
  // whose syndrome QEMU does not set, kAsyncIrq / kAsyncFiq / kAsyncSError.
  uint32_t ec = 0;
  uint64_t esr = 0;
  uint64_t elr = 0;
  uint64_t vector_pc = 0;  // where EL2 was entered
};

class El2LogParser {
 public:
  static constexpr size_t kMaxLine = 256;
  static constexpr size_t kMaxRecent = 1024;
  static constexpr uint32_t kAsyncIrq = 0x100;
  static constexpr uint32_t kAsyncFiq = 0x101;
  static constexpr uint32_t kAsyncSError = 0x102;

  // `now_ns` stamps the records that complete in these bytes.
  void feed(std::string_view bytes, uint64_t now_ns);

  // Counts per ESR class (index = EC), of exceptions taken to EL2.
  const std::array<uint64_t, 64>& by_class() const { return m_by_class; }
  uint64_t irqs() const { return m_irqs; }
  uint64_t fiqs() const { return m_fiqs; }
  uint64_t serrors() const { return m_serrors; }
  uint64_t total() const { return m_total; }  // every exception taken to EL2
  uint64_t from_el2() const { return m_from_el2; }
  uint64_t psci_calls() const { return m_psci_calls; }  // served by QEMU's firmware
  uint64_t erets_to_lower() const { return m_erets_to_lower; }
  uint64_t lines_dropped() const { return m_lines_dropped; }
  uint64_t bytes() const { return m_bytes; }
  // The latest records, oldest first; seq numbers have no gaps.
  const std::deque<El2Exception>& recent() const { return m_recent; }

  // "HVC64", "DABT_LOW", ... for ec < 64, "IRQ", "FIQ", "SERROR".
  static std::string class_name(uint32_t ec);

 private:
  void line(std::string_view text, uint64_t now_ns);
  void complete(uint64_t now_ns);

  std::string m_line;
  bool m_overlong = false;      // skipping the rest of a line past kMaxLine
  bool m_pending = false;       // a "Taking exception" is open
  uint32_t m_pending_kind = 0;  // 0 synchronous, else an kAsync* value
  uint32_t m_to_el = 0;
  El2Exception m_current;
  std::array<uint64_t, 64> m_by_class{};
  uint64_t m_irqs = 0, m_fiqs = 0, m_serrors = 0;
  uint64_t m_total = 0, m_from_el2 = 0, m_psci_calls = 0, m_erets_to_lower = 0;
  uint64_t m_lines_dropped = 0, m_bytes = 0;
  std::deque<El2Exception> m_recent;  // invariant: size() <= kMaxRecent
};

}  // namespace nestlab::vhv
