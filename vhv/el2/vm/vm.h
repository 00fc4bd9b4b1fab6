// One guest VM with its vCPUs: its parameters, memory, devices and the run
// loop that enters one of its vCPUs and carries out what the trap handlers
// decide. The lowvisor holds layout::kMaxVms of them (vm/lowvisor.h); the
// scheduler (sched/) runs their vCPUs on the physical CPUs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/boot_params.h"
#include "vhv/common/channel.h"
#include "vhv/common/device_map.h"
#include "vhv/common/elf_loader.h"
#include "vhv/common/guest_devices.h"
#include "vhv/common/mmio_map.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/devices/guest_console.h"
#include "vhv/el2/devices/guest_rtc.h"
#include "vhv/el2/devices/virtio_doorbell.h"
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

  // Its slot in the lowvisor (= its id, its VMID - 1); once, at boot.
  void set_slot(unsigned slot);
  // Copies and keeps `params` (already checked), loads the image and
  // prepares vCPU 0. On failure writes the reason into `why`.
  bool start(const BootParams& params, char* why, size_t why_len);
  // Loads vCPU `index` on this CPU and runs it until it should leave the
  // CPU (its slice ended and another vCPU waits, it waits in WFI, turned
  // off, or the VM ended), then puts its state away (vm/vcpu_run.cpp).
  // sched_lock() held.
  void run_vcpu(unsigned index);
  // The slot holds a VM that has not been reported as ended yet.
  bool in_use() const { return m_active; }
  bool active() const { return m_active && !m_stopped; }
  // Stopped and none of its vCPUs on a CPU: the VmExit can be sent
  // (Lowvisor::reap), after which the slot is free.
  bool ready_to_report() const;
  void mark_reported() {
    m_active = false;
    m_stage2.release();  // its RAM may go to another VM now
  }
  // After a successful start: its vCPUs may be scheduled.
  void activate() {
    m_active = true;
    wake_all();
  }
  uint32_t weight() const { return m_weight; }

  // --- vCPUs (PSCI, vgic, sched) ---
  unsigned vcpu_count() const { return m_vcpu_count; }
  uint64_t cntvoff() const { return m_cntvoff; }   // guest time = host count - this
  void set_cntvoff(uint64_t v) { m_cntvoff = v; }  // S10: timer/guest_time.h
  GuestTime& guest_time() { return m_guest_time; }
  Vcpu& vcpu(unsigned i) { return m_vcpus[i % kMaxCpus]; }
  // PSCI CPU_ON: the vCPU starts at entry with x0 = context_id.
  void power_on(unsigned target, uint64_t entry, uint64_t context_id);

  // --- for trap handlers ---
  // The number of this VM's vCPU that this CPU runs (0 if it runs none of
  // them: a handler of a channel frame, say).
  unsigned here() const;
  // That vCPU's registers.
  VcpuContext& ctx() { return m_vcpus[here() % kMaxCpus].ctx; }
  MmioMap& mmio() { return m_mmio; }
  GuestConsole& console() { return m_console; }
  VirtioDoorbell& virtio() { return m_virtio; }
  GuestRtc& rtc() { return m_rtc; }  // the PL031's clock and alarm (sched/)
  Pl011& uart() { return m_devices.pl011(); }
  GuestDevices& devices() { return m_devices; }
  Vgic& vgic() { return m_vgic; }
  Stage2& stage2() { return m_stage2; }
  const Stage2& stage2() const { return m_stage2; }
  const GuestMemoryMap& memory() const { return m_map; }
  uint64_t ram_pa() const { return m_params.guest_ram_pa; }
  bool ipa_in_ram(uint64_t ipa, uint64_t size = 1) const {
    return ipa >= m_map.ram_ipa && ipa - m_map.ram_ipa < m_map.ram_size &&
           size <= m_map.ram_ipa + m_map.ram_size - ipa;
  }
  // Ends the VM after the current exit; the message is a full sentence.
  void stop(channel::VmExitReason reason, uint8_t code, const ExitInfo* exit, const char* fmt, ...)
      __attribute__((format(printf, 5, 6)));
  // The highvisor's StopVm: ends the VM wherever its vCPUs are.
  void request_stop();
  // A reset decided outside a vCPU's exit (the watchdog's timer): the next
  // of its vCPUs to run carries it out.
  void request_reboot() { m_reboot_pending = true; }
  bool reboot_pending() const { return m_reboot_pending; }
  // Every vCPU looks at the VM again (its CPU kicked, or woken from WFI).
  void wake_all();
  const StopInfo& stop_info() const { return m_stop; }
  uint8_t id() const { return m_slot; }

  // --- per-VM state of the trap mechanisms (trap/) ---
  Watchdog& watchdog() { return m_watchdog; }                // S14, wfe_channel.cpp
  WfePatcher& wfe_patcher() { return m_wfe_patcher; }        // S14, wfe_patch.cpp
  SecretRegion& secret_region() { return m_secret_region; }  // S24, interrupt_security.cpp

 private:
  bool load_image(char* why, size_t why_len);
  // S9: copies and parses the highvisor's device map block, if any.
  bool read_device_map(char* why, size_t why_len);
  void reset_vcpu(uint64_t entry, uint64_t fdt_ipa);
  // This CPU's EL2 configuration for vCPU `index` (stage 2, traps, IDs).
  void configure_this_cpu(unsigned index);
  // That plus the EL1 reset state of a vCPU that starts.
  void reset_this_cpu(unsigned index);
  // A vCPU that ran before: its saved state onto this CPU, and back.
  void load_this_cpu(unsigned index);
  void put_this_cpu(unsigned index);
  void reboot(unsigned index, const ExitInfo& info);
  void write_mailboxes();
  // Kicks the CPUs of the other loaded vCPUs and waits (lock released
  // meanwhile) until each has put its vCPU's state away.
  void wait_for_other_vcpus(unsigned index);
  uint64_t pa_of(uint64_t ipa) const { return m_params.guest_ram_pa + (ipa - m_map.ram_ipa); }

  BootParams m_params{};  // private copy: the shared page may change under us
  GuestMemoryMap m_map{};
  Vcpu m_vcpus[kMaxCpus];
  unsigned m_vcpu_count = 1;
  volatile bool m_active = false;  // started and not yet reported as ended
  uint8_t m_slot = 0;
  uint32_t m_weight = 1;  // vhv/common/vcpu_sched.h
  bool m_reboot_pending = false;
  device_map::Table m_device_map{};  // S9: passed to the guest in its device tree
  uint64_t m_mailbox = 0;            // S18 mailbox region IPA, 0 when PSCI boots the secondaries
  uint64_t m_cntvoff = 0;            // guest virtual time = physical count - this
  GuestTime m_guest_time{};          // S10: pause debt, offsets loaded per vCPU
  Stage2 m_stage2;                   // its tables; VTTBR_EL2 points at them
  static constexpr size_t kFdtMax = 64 * 1024;
  alignas(8) uint8_t m_fdt[kFdtMax];  // the guest's device tree, built here, then copied to RAM
  GuestConsole m_console;
  GuestRtc m_rtc;  // started with the VM's guest time base (start)
  MmioMap m_mmio;
  Vgic m_vgic;  // reset with the VM (vgic_reset)
  VirtioDoorbell m_virtio;
  // Every emulated MMIO device (guest_devices.h), in m_mmio; wired to
  // m_console, m_rtc, m_vgic and m_virtio, so declared after them.
  GuestDevices m_devices;
  StopInfo m_stop{};
  volatile bool m_stopped = false;
  Watchdog m_watchdog{};           // disarmed at every image load (trap_on_image_load)
  WfePatcher m_wfe_patcher;        // emptied at every image load
  SecretRegion m_secret_region{};  // cleared at every image load
};

}  // namespace nestlab
