// One guest VM with its vCPUs: its parameters, memory, devices and the run
// loop that enters the guest and carries out what the trap handlers decide.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/boot_params.h"
#include "vhv/common/channel.h"
#include "vhv/common/device_map.h"
#include "vhv/common/elf_loader.h"
#include "vhv/common/mmio_map.h"
#include "vhv/common/pl011.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/devices/guest_console.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/timer/guest_time.h"
#include "vhv/el2/trap/context.h"
#include "vhv/el2/trap/exit_action.h"
#include "vhv/el2/trap/interrupt_security.h"
#include "vhv/el2/trap/watchdog.h"
#include "vhv/el2/trap/wfe_patch.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/vcpu.h"

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
  // Runs until the VM stops (boot CPU; the other vCPUs run on their own
  // CPUs meanwhile); returns with stop_info() filled in.
  void run();
  // The loop of one vCPU on its own CPU (vm/vcpu_run.cpp), sched_lock()
  // held; returns when the VM ends.
  void run_vcpu(unsigned cpu);
  bool active() const { return m_active && !m_stopped; }

  // --- vCPUs (PSCI, vgic, sched) ---
  unsigned vcpu_count() const { return m_vcpu_count; }
  uint64_t cntvoff() const { return m_cntvoff; }   // guest time = host count - this
  void set_cntvoff(uint64_t v) { m_cntvoff = v; }  // S10: timer/guest_time.h
  GuestTime& guest_time() { return m_guest_time; }
  Vcpu& vcpu(unsigned i) { return m_vcpus[i % kMaxCpus]; }
  // PSCI CPU_ON: the vCPU starts at entry with x0 = context_id.
  void power_on(unsigned target, uint64_t entry, uint64_t context_id);

  // --- for trap handlers ---
  // The vCPU of the CPU running the trap handler.
  VcpuContext& ctx() { return m_vcpus[this_cpu() % kMaxCpus].ctx; }
  MmioMap& mmio() { return m_mmio; }
  GuestConsole& console() { return m_console; }
  Pl011& uart() { return m_uart; }
  Vgic& vgic() { return m_vgic; }
  Stage2& stage2() { return m_stage2; }
  const Stage2& stage2() const { return m_stage2; }
  const GuestMemoryMap& memory() const { return m_map; }
  bool ipa_in_ram(uint64_t ipa, uint64_t size = 1) const {
    return ipa >= m_map.ram_ipa && ipa - m_map.ram_ipa < m_map.ram_size &&
           size <= m_map.ram_ipa + m_map.ram_size - ipa;
  }
  // Ends the VM after the current exit; the message is a full sentence.
  void stop(channel::VmExitReason reason, uint8_t code, const ExitInfo* exit, const char* fmt, ...)
      __attribute__((format(printf, 5, 6)));
  void request_stop() { m_stop_requested = true; }
  bool stop_requested() const { return m_stop_requested; }
  const StopInfo& stop_info() const { return m_stop; }
  uint8_t id() const { return m_params.vm_id & 0xff; }

  // --- per-VM state of the trap mechanisms (trap/) ---
  Watchdog& watchdog() { return m_watchdog; }                // S14, wfe_channel.cpp
  WfePatcher& wfe_patcher() { return m_wfe_patcher; }        // S14, wfe_patch.cpp
  SecretRegion& secret_region() { return m_secret_region; }  // S24, interrupt_security.cpp

 private:
  bool load_image(char* why, size_t why_len);
  // S9: copies and parses the highvisor's device map block, if any.
  bool read_device_map(char* why, size_t why_len);
  void reset_vcpu(uint64_t entry, uint64_t fdt_ipa);
  // This CPU's EL2 configuration and EL1 reset state for vCPU `index`.
  void reset_this_cpu(unsigned index);
  void reboot(unsigned cpu, const ExitInfo& info);
  void write_mailboxes();
  // Kicks every other CPU and waits (lock released meanwhile) until each
  // has left the VM (leave_vm) or just put its vCPU's state away.
  void wait_for_other_cpus(unsigned cpu, bool leave_vm);
  void handle_irq();
  uint64_t pa_of(uint64_t ipa) const { return m_params.guest_ram_pa + (ipa - m_map.ram_ipa); }

  BootParams m_params{};  // private copy: the shared page may change under us
  GuestMemoryMap m_map{};
  Vcpu m_vcpus[kMaxCpus];
  unsigned m_vcpu_count = 1;
  volatile bool m_active = false;    // the vCPU loops should run
  device_map::Table m_device_map{};  // S9: passed to the guest in its device tree
  uint64_t m_mailbox = 0;            // S18 mailbox region IPA, 0 when PSCI boots the secondaries
  uint64_t m_cntvoff = 0;            // guest virtual time = physical count - this
  GuestTime m_guest_time{};          // S10: pause debt, offsets loaded per vCPU
  uint64_t m_vtcr = 0, m_vttbr = 0;  // stage 2, for the secondary CPUs
  Stage2 m_stage2;                   // its tables; VTTBR_EL2 points at them
  static constexpr size_t kFdtMax = 64 * 1024;
  alignas(8) uint8_t m_fdt[kFdtMax];  // the guest's device tree, built here, then copied to RAM
  GuestConsole m_console;
  Pl011 m_uart;
  MmioMap m_mmio;
  Vgic m_vgic;  // reset with the VM (vgic_reset), its frames in m_mmio
  StopInfo m_stop{};
  bool m_stopped = false;
  bool m_stop_requested = false;
  Watchdog m_watchdog{};           // disarmed at every image load (trap_on_image_load)
  WfePatcher m_wfe_patcher;        // emptied at every image load
  SecretRegion m_secret_region{};  // cleared at every image load
};

}  // namespace nestlab
