#include "vhv/el2/vm/lowvisor.h"

#include "vhv/common/format.h"
#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/sched/sched.h"
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

Lowvisor::Lowvisor() {
  for (unsigned i = 0; i < layout::kMaxVms; ++i) m_vms[i].set_slot(i);
}

void Lowvisor::on_frame(channel::FrameType type, const uint8_t* payload, uint16_t len) {
  const uint8_t vm_id = len > 0 ? payload[0] : 0;
  Vm* vm = vm_id < layout::kMaxVms && m_vms[vm_id].active() ? &m_vms[vm_id] : nullptr;
  switch (type) {
    case channel::FrameType::RunVm: start_vm(vm_id); return;
    case channel::FrameType::ConsoleIn:
      if (vm && len > 1) {
        size_t taken = vm->console().queue_input(payload + 1, len - 1);
        vm->uart().refill();
        if (taken < size_t(len - 1))
          Channel::log("console: vm %u is not reading its UART; dropped %u input bytes",
                       unsigned(vm_id), unsigned(len - 1 - taken));
      }
      return;
    case channel::FrameType::StopVm:
      if (vm) vm->request_stop();
      reap();
      return;
    case channel::FrameType::ResumeTime:  // S10: timer/guest_time.h
      if (vm && len >= sizeof(channel::ResumeTimePayload)) {
        channel::ResumeTimePayload p;
        __builtin_memcpy(&p, payload, sizeof(p));
        guest_time_resumed(*vm, p.policy, p.paused_ns);
      }
      return;
    case channel::FrameType::VirtioInterrupt:
      if (vm && len >= sizeof(channel::VirtioInterruptPayload)) {
        channel::VirtioInterruptPayload p;
        __builtin_memcpy(&p, payload, sizeof(p));
        vm->virtio().on_interrupt(p);
      }
      return;
    default:
      Channel::log("channel: ignored frame type 0x%02x from the highvisor", unsigned(type));
      return;
  }
}

bool Lowvisor::overlaps_other_vm(unsigned slot, uint64_t pa, uint64_t size) const {
  for (unsigned i = 0; i < layout::kMaxVms; ++i) {
    if (i == slot || !m_vms[i].in_use()) continue;
    const uint64_t other = m_vms[i].ram_pa(), other_size = m_vms[i].memory().ram_size;
    if (pa < other + other_size && other < pa + size) return true;
  }
  return false;
}

void Lowvisor::start_vm(uint8_t slot) {
  char why[384];
  if (slot >= layout::kMaxVms) {
    format(why, sizeof(why), "there is no VM slot %u (a VHV runs VMs 0 to %u)", unsigned(slot),
           layout::kMaxVms - 1);
    Channel::send2(channel::FrameType::RunFailed, &slot, 1, why, bounded_length(why, sizeof(why)));
    return;
  }
  Vm& vm = m_vms[slot];
  if (vm.in_use()) {
    const char text[] = "that VM slot is still running a guest; stop it first";
    Channel::send2(channel::FrameType::RunFailed, &slot, 1, text, sizeof(text) - 1);
    return;
  }
  // Copy once: the shared page may be rewritten while we use it.
  BootParams params;
  const auto* shared = reinterpret_cast<const volatile uint8_t*>(layout::boot_params_pa(slot));
  auto* copy = reinterpret_cast<uint8_t*>(&params);
  for (size_t i = 0; i < sizeof(params); ++i) copy[i] = shared[i];

  StatusWriter::set_state(slot, VmState::Loading);
  bool ok = check_boot_params(params, slot, m_vhv_ram_end, why, sizeof(why));
  if (ok && overlaps_other_vm(slot, params.guest_ram_pa, params.guest_ram_size)) {
    format(why, sizeof(why), "the guest RAM at 0x%llx overlaps the RAM of another running VM",
           static_cast<unsigned long long>(params.guest_ram_pa));
    ok = false;
  }
  if (!ok || !vm.start(params, why, sizeof(why))) {
    StatusWriter::set_state(slot, VmState::Idle);
    Channel::send2(channel::FrameType::RunFailed, &slot, 1, why, bounded_length(why, sizeof(why)));
    return;
  }
  StatusWriter::reset_counters(slot, vm.vcpu_count(), vm.weight());
  StatusWriter::set_state(slot, VmState::Running);
  Channel::send(channel::FrameType::VmStarted, &slot, 1);
  Channel::log("vm %u: running \"%s\" entry 0x%llx, %u vCPU%s, weight %u", unsigned(slot),
               params.vm_name, static_cast<unsigned long long>(vm.vcpu(0).boot_entry),
               vm.vcpu_count(), vm.vcpu_count() == 1 ? "" : "s", unsigned(vm.weight()));
  vm.activate();
}

void Lowvisor::reap() {
  for (Vm& vm : m_vms) {
    if (!vm.ready_to_report()) continue;
    vm.console().flush();
    StatusWriter::set_state(vm.id(), VmState::Stopped);
    const StopInfo& s = vm.stop_info();
    Channel::send2(channel::FrameType::VmExit, &s.payload, sizeof(s.payload), s.message,
                   s.message_len);
    vm.mark_reported();
  }
}

void Lowvisor::main_loop() { sched_cpu_loop(); }

}  // namespace nestlab
