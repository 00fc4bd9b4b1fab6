// C++ entry from start.S: MMU, channel, interrupt controller, status page,
// then the Lowvisor's loop.
#include "vhv/common/channel.h"
#include "vhv/common/fdt_reader.h"
#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/mmu.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/channel/channel.h"
#include "vhv/el2/channel/gic.h"
#include "vhv/el2/channel/uart.h"
#include "vhv/el2/sched/prda.h"
#include "vhv/el2/trap/status.h"
#include "vhv/el2/vm/lowvisor.h"

extern "C" {
using InitFunction = void (*)();
extern InitFunction __init_array_start[];
extern InitFunction __init_array_end[];
}

namespace nestlab {
namespace {

// QEMU leaves its own device tree at the RAM base (see lowvisor.ld); its
// /memory node tells us how much VHV RAM there is. 0 if not found.
uint64_t find_vhv_ram_end() {
  MemoryRange ram{};
  if (!fdt_find_memory(reinterpret_cast<const void*>(layout::kVhvRamBase), 2u << 20, &ram))
    return 0;
  return ram.base + ram.size;
}

}  // namespace
}  // namespace nestlab

extern "C" [[noreturn]] void lowvisor_main() {
  using namespace nestlab;
  for (InitFunction* f = __init_array_start; f != __init_array_end; ++f) (*f)();
  mmu_enable(0, prda_home_pa(0));
  prda_init(0);
  VhvUart::init();
  PhysicalGic::init();
  PhysicalGic::enable_spi(layout::kVhvPl011Intid);
  const unsigned cpus = smp_boot();  // the other CPUs wait in sched/
  StatusWriter::init();

  Lowvisor& lowvisor = Lowvisor::instance();
  const uint64_t ram_end = find_vhv_ram_end();
  lowvisor.set_vhv_ram_end(ram_end);

  const channel::ReadyPayload ready{channel::kProtocolVersion, cpus};
  Channel::send(channel::FrameType::Ready, &ready, sizeof(ready));
  if (ram_end == 0)
    Channel::log("boot: QEMU's device tree not found at 0x%llx; VHV RAM size unknown",
                 static_cast<unsigned long long>(layout::kVhvRamBase));
  else
    Channel::log("boot: lowvisor up, VHV RAM ends at 0x%llx",
                 static_cast<unsigned long long>(ram_end));
  lowvisor.main_loop();
}
