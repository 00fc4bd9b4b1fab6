// Where the guest PL011's transmitted bytes go: Console frames to the
// highvisor. Bytes are batched per line (or 240 bytes) to keep the frame
// overhead low; the run loop flushes at every exit that is not a UART
// access, so partial lines (prompts) appear as soon as the guest does
// anything else, and when the VM stops.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/pl011.h"

namespace nestlab {

class GuestConsole final : public ConsoleSink {
 public:
  void set_vm_id(uint8_t id) { m_vm_id = id; }
  void put(uint8_t byte) override;
  void flush();

 private:
  static constexpr size_t kBatch = 240;
  uint8_t m_vm_id = 0;
  uint8_t m_buf[kBatch] = {};
  size_t m_len = 0;  // invariant: < kBatch between calls
};

}  // namespace nestlab
