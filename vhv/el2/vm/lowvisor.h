// The lowvisor's top level: says Ready, then every CPU runs the scheduler
// (sched/). Frames from the highvisor arrive on the boot CPU from the
// channel interrupt, whether it runs a guest or sleeps: RunVm starts a VM in
// the slot it names (up to layout::kMaxVms at once), StopVm, ConsoleIn and
// ResumeTime go to the VM they name, and a VM that ended is reported with
// VmExit once all its vCPUs are off their CPUs (reap).
#pragma once

#include <cstdint>

#include "vhv/common/layout.h"
#include "vhv/el2/channel/channel.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

class Lowvisor final : public FrameListener {
 public:
  Lowvisor();
  static Lowvisor& instance();

  [[noreturn]] void main_loop();
  // sched_lock() held.
  void on_frame(channel::FrameType type, const uint8_t* payload, uint16_t len) override;
  // Sends VmExit for every VM that ended and has left every CPU, and frees
  // its slot. sched_lock() held.
  void reap();

  void set_vhv_ram_end(uint64_t end) { m_vhv_ram_end = end; }
  Vm& vm(unsigned slot) { return m_vms[slot % layout::kMaxVms]; }

 private:
  void start_vm(uint8_t slot);
  // Another VM in use already has RAM in [pa, pa + size).
  bool overlaps_other_vm(unsigned slot, uint64_t pa, uint64_t size) const;

  Vm m_vms[layout::kMaxVms];
  uint64_t m_vhv_ram_end = 0;
};

}  // namespace nestlab
