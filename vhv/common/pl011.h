// The guest's PL011 UART as a register model (Arm PrimeCell UART PL011 TRM,
// DDI 0183G, 3.2 "Summary of registers"). Transmit goes to a ConsoleSink;
// receive comes from push_rx() and, as the guest empties the receive FIFO,
// from a ConsoleSource holding the backlog (ConsoleIn frames, pasted text).
// No baud-rate timing: transmit completes at once, so the TX FIFO is always
// empty and never full, as a virtual UART should look.
//
// Modelled for drivers: the 32-entry receive FIFO (1 entry with
// LCR_H.FEN = 0, character mode, 3.3.7), FR flags, RX/RX-timeout/TX
// interrupts with IFLS trigger levels, IMSC/RIS/MIS/ICR (3.3.12-3.3.16),
// overrun on a full FIFO, loopback (CR.LBE) and the PrimeCell ID registers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "vhv/common/device.h"

namespace nestlab {

// Where the UART's outputs go: transmitted bytes and the level of its
// combined interrupt line (UARTINTR), reported on every change.
class ConsoleSink {
 public:
  virtual void put(uint8_t byte) = 0;
  virtual void set_irq_level(bool /*high*/) {}

 protected:
  ConsoleSink() = default;
  ~ConsoleSink() = default;
};

// Bytes waiting for room in the receive FIFO. take() returns -1 when empty.
class ConsoleSource {
 public:
  virtual int take() = 0;

 protected:
  ConsoleSource() = default;
  ~ConsoleSource() = default;
};

class Pl011 final : public Device {
 public:
  static const DeviceDescriptor kDescriptor;  // pl011_device.cpp
  static constexpr uint64_t kSize = 0x1000;
  static constexpr size_t kRxFifo = 32;

  // Register offsets (DDI 0183G table 3-1).
  static constexpr uint64_t kDr = 0x000, kRsr = 0x004, kFr = 0x018, kIlpr = 0x020, kIbrd = 0x024,
                            kFbrd = 0x028, kLcrH = 0x02c, kCr = 0x030, kIfls = 0x034, kImsc = 0x038,
                            kRis = 0x03c, kMis = 0x040, kIcr = 0x044, kDmacr = 0x048,
                            kPeriphId0 = 0xfe0;
  // FR bits (3.3.3).
  static constexpr uint32_t kFrBusy = 1u << 3, kFrRxfe = 1u << 4, kFrTxff = 1u << 5,
                            kFrRxff = 1u << 6, kFrTxfe = 1u << 7;
  // DR/RSR overrun error (3.3.1, 3.3.2).
  static constexpr uint32_t kDrOe = 1u << 11, kRsrOe = 1u << 3;
  // LCR_H.FEN (3.3.7); CR.UARTEN, CR.LBE, CR.TXE, CR.RXE (3.3.8).
  static constexpr uint32_t kLcrHFen = 1u << 4;
  static constexpr uint32_t kCrUarten = 1u << 0, kCrLbe = 1u << 7, kCrTxe = 1u << 8,
                            kCrRxe = 1u << 9;
  // Interrupt bits (3.3.12): RX 4, TX 5, RX timeout 6, overrun 10.
  static constexpr uint32_t kIntRx = 1u << 4, kIntTx = 1u << 5, kIntRt = 1u << 6, kIntOe = 1u << 10,
                            kIntAll = 0x7ff;

  // The snapshot payload (pl011_device.cpp): ten registers, the FIFO
  // level and the FIFO's bytes oldest first, zero beyond the level.
  static constexpr uint32_t kSnapshotMagic = snapshot_magic("PL11");
  static constexpr uint16_t kSnapshotVersion = 1;
  static constexpr size_t kSnapshotPayload = 11 * 4 + kRxFifo;

  // sink, source: Not owned; either may be null.
  explicit Pl011(ConsoleSink* sink, ConsoleSource* source = nullptr);
  explicit Pl011(const DeviceWiring& w) : Pl011(w.console_sink, w.console_source) {}

  const char* name() const override { return "pl011"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  // Bytes for the guest; returns how many fit (the rest stay with the caller).
  size_t push_rx(const uint8_t* data, size_t len);
  // Moves bytes from the source into the FIFO while there is room.
  void refill();
  // Receive FIFO depth in the current mode (LCR_H.FEN).
  size_t rx_depth() const { return (m_lcr_h & kLcrHFen) ? kRxFifo : 1; }
  size_t rx_level() const { return m_rx_count; }
  // Level of the UART's combined interrupt line (UARTINTR), for the GIC.
  bool irq_pending() const { return (m_ris & m_imsc) != 0; }

  // The device contract (device.h).
  const DeviceDescriptor& descriptor() const override { return kDescriptor; }
  void reset() override;
  size_t snapshot_size() const override { return kSnapshotHeaderBytes + kSnapshotPayload; }
  Result<size_t, SnapshotError> save(uint8_t* out, size_t len) const override;
  Result<void, SnapshotError> restore(const uint8_t* data, size_t len) override;

 private:
  uint32_t pop_rx();
  void update_irq_line();
  void receive(uint8_t byte);
  size_t rx_trigger() const;
  void update_rx_interrupts();

  ConsoleSink* m_sink;      // Not owned.
  ConsoleSource* m_source;  // Not owned.
  // Reset values from 3.3 (CR = TXE | RXE, IFLS = 1/2 full both ways).
  uint32_t m_ibrd = 0, m_fbrd = 0, m_lcr_h = 0, m_cr = kCrTxe | kCrRxe, m_ifls = 0x12, m_imsc = 0,
           m_ris = 0, m_dmacr = 0, m_ilpr = 0, m_rsr = 0;
  uint8_t m_rx[kRxFifo] = {};
  size_t m_rx_head = 0;      // index of the oldest byte
  size_t m_rx_count = 0;     // invariant: <= rx_depth() after any register access
  bool m_irq_level = false;  // last level told to the sink; == irq_pending() between calls
};

}  // namespace nestlab
