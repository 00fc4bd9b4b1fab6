// One guest VM with one vCPU: its parameters, memory, devices and the run
// loop that enters the guest and carries out what the trap handlers decide.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/boot_params.h"
#include "vhv/common/channel.h"
#include "vhv/common/elf_loader.h"
#include "vhv/common/mmio_map.h"
#include "vhv/common/pl011.h"
#include "vhv/el2/devices/guest_console.h"
#include "vhv/el2/trap/context.h"
#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

struct StopInfo {
  channel::VmExitPayload payload;
  char message[384];
  size_t message_len;
};

class Vm {
 public:
  Vm();

  // Copies and keeps `params` (already checked), loads the image and
  // prepares the vCPU. On failure writes the reason into `why`.
  bool start(const BootParams& params, char* why, size_t why_len);
  // Runs until the VM stops; returns with stop_info() filled in.
  void run();

  // --- for trap handlers ---
  VcpuContext& ctx() { return m_ctx; }
  MmioMap& mmio() { return m_mmio; }
  GuestConsole& console() { return m_console; }
  Pl011& uart() { return m_uart; }
  const GuestMemoryMap& memory() const { return m_map; }
  bool ipa_in_ram(uint64_t ipa, uint64_t size = 1) const {
    return ipa >= m_map.ram_ipa && ipa - m_map.ram_ipa < m_map.ram_size &&
           size <= m_map.ram_ipa + m_map.ram_size - ipa;
  }
  // Ends the VM after the current exit; the message is a full sentence.
  void stop(channel::VmExitReason reason, uint8_t code, const ExitInfo* exit, const char* fmt, ...)
      __attribute__((format(printf, 5, 6)));
  void request_stop() { m_stop_requested = true; }
  const StopInfo& stop_info() const { return m_stop; }
  uint8_t id() const { return m_params.vm_id & 0xff; }

 private:
  bool load_image(char* why, size_t why_len);
  void reset_vcpu(uint64_t entry, uint64_t fdt_ipa);
  void handle_irq();
  uint64_t pa_of(uint64_t ipa) const { return m_params.guest_ram_pa + (ipa - m_map.ram_ipa); }

  BootParams m_params{};  // private copy: the shared page may change under us
  GuestMemoryMap m_map{};
  VcpuContext m_ctx{};
  GuestConsole m_console;
  Pl011 m_uart;
  MmioMap m_mmio;
  StopInfo m_stop{};
  bool m_stopped = false;
  bool m_stop_requested = false;
};

}  // namespace nestlab
