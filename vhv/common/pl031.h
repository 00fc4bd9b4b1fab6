// The guest's PL031 real-time clock as a register model (Arm PrimeCell
// Real Time Clock PL031 TRM, DDI 0224B, 3.2 "Summary of RTC registers"):
// a 32-bit seconds counter (RTCDR) that the guest sets through RTCLR, a
// match register (RTCMR) whose match raises the one interrupt (RTCINTR)
// through RTCIMSC/RTCRIS/RTCMIS/RTCICR, and the PrimeCell ID registers.
//
// The counter is not a register of its own: it is the time of an RtcBackend
// (the VM's wall clock, which moves with guest time) plus an offset that
// RTCLR writes move, so it needs no tick while nobody looks. A pending
// match is a deadline on that clock: the backend calls alarm_expired()
// when it passes (the lowvisor's EL2 timer), and every register access
// looks at it too.
//
// As QEMU's pl031: RTCCR reads as 1 (the clock cannot be stopped) and
// ignores writes; writing RTCMR or RTCLR re-arms the match, and a match
// that equals the counter at that moment raises the interrupt at once.
// Unlike QEMU, RTCLR reads back the last value written (TRM 3.3.3).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "vhv/common/device.h"

namespace nestlab {

// What the RTC is connected to: the clock it counts, an alarm on that
// clock, and its interrupt line.
class RtcBackend {
 public:
  // Wall-clock time in nanoseconds since the Unix epoch, as this VM sees it.
  // Never goes backwards.
  virtual uint64_t now_ns() = 0;
  // Call the device's alarm_expired() once now_ns() >= at_ns (soon after,
  // not before); 0 cancels. One alarm: a new one replaces the old.
  virtual void set_alarm(uint64_t at_ns) = 0;
  // The level of RTCINTR, reported on every change.
  virtual void set_irq_level(bool high) = 0;

 protected:
  RtcBackend() = default;
  ~RtcBackend() = default;
};

class Pl031 final : public Device {
 public:
  static const DeviceDescriptor kDescriptor;  // pl031_device.cpp
  static constexpr uint64_t kSize = 0x1000;

  // Register offsets (DDI 0224B table 3-1).
  static constexpr uint64_t kDr = 0x000, kMr = 0x004, kLr = 0x008, kCr = 0x00c, kImsc = 0x010,
                            kRis = 0x014, kMis = 0x018, kIcr = 0x01c, kPeriphId0 = 0xfe0;
  static constexpr uint32_t kIntMatch = 1;  // the one interrupt bit (3.3.5-3.3.8)

  // The snapshot payload (pl031_device.cpp): offset, MR, LR, IMSC, RIS as
  // u32, then the pending match's second on the backend's clock as u64
  // (0: none).
  static constexpr uint32_t kSnapshotMagic = snapshot_magic("PL31");
  static constexpr uint16_t kSnapshotVersion = 1;
  static constexpr size_t kSnapshotPayload = 5 * 4 + 8;

  // backend: Not owned; may be null (a clock standing at 0, no line).
  explicit Pl031(RtcBackend* backend) : m_backend(backend) {}
  explicit Pl031(const DeviceWiring& w) : Pl031(w.rtc) {}

  const char* name() const override { return "pl031"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  // The backend's alarm: the match time has come.
  void alarm_expired() { sync(); }
  // RTCDR as the guest would read it now.
  uint32_t count() { return counter(now_s()); }
  bool irq_pending() const { return (m_ris & m_imsc) != 0; }

  // The device contract (device.h).
  const DeviceDescriptor& descriptor() const override { return kDescriptor; }
  void reset() override;
  size_t snapshot_size() const override { return kSnapshotHeaderBytes + kSnapshotPayload; }
  Result<size_t, SnapshotError> save(uint8_t* out, size_t len) const override;
  Result<void, SnapshotError> restore(const uint8_t* data, size_t len) override;

 private:
  uint64_t now_s() const;
  uint32_t counter(uint64_t s) const { return static_cast<uint32_t>(s + m_offset); }
  uint32_t reg(uint64_t offset);
  // A match whose time has passed raises RIS.
  void sync();
  // After RTCMR or RTCLR changed: the next second the counter equals RTCMR.
  void arm();
  void tell_alarm() const;
  void update_irq_line();

  RtcBackend* m_backend;  // Not owned.
  uint32_t m_offset = 0;  // RTCDR = clock seconds + this (mod 2^32); RTCLR writes move it
  uint32_t m_mr = 0, m_lr = 0, m_imsc = 0, m_ris = 0;
  // The clock second at which the counter reaches RTCMR, 0 when no match
  // is pending. Invariant: 0, or counter(m_alarm_s) == m_mr and it lies
  // less than 2^32 s after the moment it was armed.
  uint64_t m_alarm_s = 0;
  bool m_irq_level = false;  // last level told to the backend
};

}  // namespace nestlab
