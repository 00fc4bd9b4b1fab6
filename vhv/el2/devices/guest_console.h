// The guest console object of the lowvisor: both ends of the guest PL011.
//
// Transmit: bytes go to the highvisor as Console frames, batched per line
// (or 240 bytes) to keep the frame overhead low; the run loop flushes at
// every exit that is not a UART access, so partial lines (prompts) appear
// as soon as the guest does anything else, and when the VM stops.
//
// Receive: ConsoleIn frames land in a 4 KiB backlog that the PL011 pulls
// from whenever its receive FIFO has room (ConsoleSource), so a pasted
// line longer than the 32-byte FIFO reaches a polling guest intact. When
// the backlog is full the excess is dropped and reported once per frame.
//
// Interrupts: the PL011's combined line follows its RIS & IMSC and reaches
// the guest through the virtual GIC, so interrupt-driven drivers (Linux's
// amba-pl011) work as well as polling ones. Called with sched_lock() held
// (MMIO traps and the IRQ exit path both hold it).
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/pl011.h"

namespace nestlab {

class Vm;

class GuestConsole final : public ConsoleSink, public ConsoleSource {
 public:
  void set_vm_id(uint8_t id) { m_vm_id = id; }
  void set_owner(Vm* vm) { m_owner = vm; }  // whose vGIC takes the UART interrupt
  void put(uint8_t byte) override;
  void flush();
  // The PL011's UARTINTR, wired to the guest's virtual GIC as the line
  // its descriptor names (SPI 1, INTID 33), level-sensitive, as the
  // guest device tree says.
  void set_irq_level(bool high) override;

  // Host input for the guest; returns how many bytes were kept.
  size_t queue_input(const uint8_t* data, size_t len);
  int take() override;
  void clear_input() { m_in_head = m_in_count = 0; }

 private:
  static constexpr size_t kBatch = 240;
  static constexpr size_t kInput = 4096;
  uint8_t m_vm_id = 0;
  Vm* m_owner = nullptr;  // Not owned.
  uint8_t m_buf[kBatch] = {};
  size_t m_len = 0;  // invariant: < kBatch between calls
  uint8_t m_in[kInput] = {};
  size_t m_in_head = 0;   // oldest queued input byte
  size_t m_in_count = 0;  // invariant: <= kInput
};

}  // namespace nestlab
