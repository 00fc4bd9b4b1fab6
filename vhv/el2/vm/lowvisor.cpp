#include "vhv/el2/vm/lowvisor.h"

#include "vhv/common/format.h"
#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/timer/guest_time.h"
#include "vhv/el2/trap/status.h"
#include "vhv/el2/vm/boot_params_check.h"

namespace nestlab {
namespace {
size_t bounded_length(const char* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n]) ++n;
  return n;
}
}  // namespace

// Constructed by the init_array walk of boot/main.cpp, on the boot CPU before
// any other CPU starts. It used to be a function-local static, built on
// first use: with -fno-threadsafe-statics that first use is unguarded, and a
// secondary CPU whose first call (sched_secondary_loop) raced the boot CPU's
// constructed the object a second time, over a VM the boot CPU was already
// starting; the VM's MMIO map came out empty, every device access of the
// guest was answered with an external abort, and the guest hung before its
// first line of output (about one multi-vCPU run in a hundred, under load).
namespace {
Lowvisor g_lowvisor;
}  // namespace

Lowvisor& Lowvisor::instance() { return g_lowvisor; }

void Lowvisor::on_frame(channel::FrameType type, const uint8_t* payload, uint16_t len) {
  const uint8_t vm_id = len > 0 ? payload[0] : 0;
  switch (type) {
    case channel::FrameType::RunVm:
      if (m_running || m_run_pending) {
        const char text[] = "a VM is already running in this VHV; stop it first";
        Channel::send2(channel::FrameType::RunFailed, &vm_id, 1, text, sizeof(text) - 1);
        return;
      }
      m_run_pending = true;
      m_run_vm_id = vm_id;
      return;
    case channel::FrameType::ConsoleIn:
      if (m_running && vm_id == m_vm.id() && len > 1) {
        size_t taken = m_vm.console().queue_input(payload + 1, len - 1);
        m_vm.uart().refill();
        if (taken < size_t(len - 1))
          Channel::log("console: the guest is not reading its UART; dropped %u input bytes",
                       unsigned(len - 1 - taken));
      }
      return;
    case channel::FrameType::StopVm:
      if (m_running && vm_id == m_vm.id()) m_vm.request_stop();
      return;
    case channel::FrameType::ResumeTime:  // S10: timer/guest_time.h
      if (m_running && vm_id == m_vm.id() && len >= sizeof(channel::ResumeTimePayload)) {
        channel::ResumeTimePayload p;
        __builtin_memcpy(&p, payload, sizeof(p));
        guest_time_resumed(m_vm, p.policy, p.paused_ns);
      }
      return;
    default:
      Channel::log("channel: ignored frame type 0x%02x from the highvisor", unsigned(type));
      return;
  }
}

void Lowvisor::run_vm(uint8_t vm_id) {
  char why[384];
  // Copy once: the shared page may be rewritten while we use it.
  BootParams params;
  const auto* shared = reinterpret_cast<const volatile uint8_t*>(layout::kBootParamsPa);
  auto* copy = reinterpret_cast<uint8_t*>(&params);
  for (size_t i = 0; i < sizeof(params); ++i) copy[i] = shared[i];

  StatusWriter::set_state(VmState::Loading);
  if (!check_boot_params(params, vm_id, m_vhv_ram_end, why, sizeof(why)) ||
      !m_vm.start(params, why, sizeof(why))) {
    StatusWriter::set_state(VmState::Idle);
    Channel::send2(channel::FrameType::RunFailed, &vm_id, 1, why, bounded_length(why, sizeof(why)));
    return;
  }
  StatusWriter::reset_counters();
  m_running = true;
  Channel::log("vm %u: running \"%s\" entry 0x%llx", unsigned(vm_id), params.vm_name,
               static_cast<unsigned long long>(m_vm.vcpu(0).boot_entry));
  m_vm.run();
  m_running = false;
  const StopInfo& s = m_vm.stop_info();
  Channel::send2(channel::FrameType::VmExit, &s.payload, sizeof(s.payload), s.message,
                 s.message_len);
}

void Lowvisor::main_loop() {
  for (;;) {
    Channel::drain(*this);
    if (m_run_pending) {
      m_run_pending = false;
      run_vm(m_run_vm_id);
      continue;
    }
    // Sleep until the UART raises INTID 33. IRQs stay masked at EL2: a
    // pending interrupt still ends WFI (Arm ARM D1.16.2), and the UART
    // drops its line once drained, so nothing needs acknowledging here.
    arch::wfi();
  }
}

}  // namespace nestlab
