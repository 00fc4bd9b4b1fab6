// The lowvisor's top level: says Ready, waits (WFI, woken by the channel
// interrupt) for RunVm, starts and runs the VM, reports how it ended, and
// waits for the next RunVm. Frames from the highvisor arrive here both in
// the idle loop and, while a guest runs, from the IRQ exit path.
#pragma once

#include <cstdint>

#include "vhv/el2/channel/channel.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

class Lowvisor final : public FrameListener {
 public:
  static Lowvisor& instance();

  [[noreturn]] void main_loop();
  void on_frame(channel::FrameType type, const uint8_t* payload, uint16_t len) override;

  void set_vhv_ram_end(uint64_t end) { m_vhv_ram_end = end; }
  Vm& vm() { return m_vm; }  // the secondary CPUs' way to their vCPUs (sched/)

 private:
  void run_vm(uint8_t vm_id);

  Vm m_vm;
  bool m_running = false;  // a guest is loaded and running
  bool m_run_pending = false;
  uint8_t m_run_vm_id = 0;
  uint64_t m_vhv_ram_end = 0;
};

}  // namespace nestlab
