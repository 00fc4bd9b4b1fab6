// The guest's PL011 UART as a register model (Arm PrimeCell UART PL011 TRM,
// DDI 0183G, 3.2 "Summary of registers"). Transmit goes to a ConsoleSink;
// receive comes from push_rx() (ConsoleIn frames). No baud-rate timing: TX is
// always empty and never full, as a virtual UART should look.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/mmio_device.h"
#include "vhv/common/result.h"

namespace nestlab {

class ConsoleSink {
 public:
  virtual void put(uint8_t byte) = 0;

 protected:
  ConsoleSink() = default;
  ~ConsoleSink() = default;
};

enum class SnapshotError : uint8_t { WrongVersion, Corrupt };

class Pl011 final : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr size_t kRxFifo = 32;

  // Register offsets (DDI 0183G table 3-1).
  static constexpr uint64_t kDr = 0x000, kRsr = 0x004, kFr = 0x018, kIlpr = 0x020, kIbrd = 0x024,
                            kFbrd = 0x028, kLcrH = 0x02c, kCr = 0x030, kIfls = 0x034, kImsc = 0x038,
                            kRis = 0x03c, kMis = 0x040, kIcr = 0x044, kDmacr = 0x048,
                            kPeriphId0 = 0xfe0;
  // FR bits (3.3.3).
  static constexpr uint32_t kFrRxfe = 1u << 4, kFrTxff = 1u << 5, kFrRxff = 1u << 6,
                            kFrTxfe = 1u << 7;
  // Interrupt bits (3.3.12): RX 4, TX 5.
  static constexpr uint32_t kIntRx = 1u << 4, kIntTx = 1u << 5;

  struct Snapshot {
    static constexpr uint32_t kVersion = 1;
    uint32_t version;
    uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr, ilpr, rsr;
    uint32_t rx_count;
    uint8_t rx[kRxFifo];  // rx[0..rx_count) oldest first
    bool operator==(const Snapshot&) const = default;
  };

  explicit Pl011(ConsoleSink* sink);  // sink: Not owned.

  const char* name() const override { return "pl011"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  // Bytes for the guest; returns how many fit.
  size_t push_rx(const uint8_t* data, size_t len);
  // Level of the UART's interrupt line (for the virtual GIC, later).
  bool irq_pending() const { return (m_ris & m_imsc) != 0; }

  Snapshot save() const;
  static Result<Pl011, SnapshotError> restore(const Snapshot& s, ConsoleSink* sink);

 private:
  uint8_t pop_rx();
  void update_ris();

  ConsoleSink* m_sink;  // Not owned.
  uint32_t m_ibrd = 0, m_fbrd = 0, m_lcr_h = 0, m_cr = 0x300, m_ifls = 0x12, m_imsc = 0, m_ris = 0,
           m_dmacr = 0, m_ilpr = 0, m_rsr = 0;
  uint8_t m_rx[kRxFifo] = {};
  size_t m_rx_head = 0;   // index of the oldest byte
  size_t m_rx_count = 0;  // invariant: <= kRxFifo
};

}  // namespace nestlab
