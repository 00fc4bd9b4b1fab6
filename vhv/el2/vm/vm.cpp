#include "vhv/el2/vm/vm.h"

#include "vhv/common/format.h"
#include "vhv/common/guest_fdt.h"
#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/channel/channel.h"
#include "vhv/el2/channel/gic.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/status.h"
#include "vhv/el2/vm/lowvisor.h"

extern "C" void* memcpy(void*, const void*, size_t);
extern "C" void* memset(void*, int, size_t);

namespace nestlab {
namespace {

// HCR_EL2 (Arm ARM D17.2.48): AArch64 EL1 (RW), stage 2 on (VM), SMC traps
// (TSC), WFI traps (TWI), physical IRQ/FIQ/SError to EL2 (IMO/FMO/AMO).
// Left for later issues: TDE-style debug traps (BRK, DCC via MDCR_EL2) and
// the virtual interrupt bits (VI/VF) once there is a virtual GIC.
constexpr uint64_t kHcrVm = 1ull << 0, kHcrFmo = 1ull << 3, kHcrImo = 1ull << 4,
                   kHcrAmo = 1ull << 5, kHcrTwi = 1ull << 13, kHcrTsc = 1ull << 19,
                   kHcrRw = 1ull << 31;
constexpr uint64_t kHcr = kHcrRw | kHcrVm | kHcrTsc | kHcrTwi | kHcrImo | kHcrFmo | kHcrAmo;

// SCTLR_EL1 as QEMU resets a Cortex-A72 (target/arm/cpu64.c reset_sctlr):
// MMU and caches off.
constexpr uint64_t kSctlrEl1Reset = 0x00c5'0838;
constexpr uint64_t kCpacrFpen = 3ull << 20;   // FP/SIMD usable at EL0/EL1, like a direct QEMU boot
constexpr uint64_t kCptrEl2Res1 = 0x33ff;     // RES1 bits; TFP (bit 10) clear: FP not trapped
constexpr uint64_t kCnthctlEl1Access = 0b11;  // EL1PCTEN | EL1PCEN: counters and timer for EL1
constexpr uint64_t kMpidrRes1 = 1ull << 31;
constexpr size_t kFdtMax = 64 * 1024;

alignas(8) uint8_t g_fdt[kFdtMax];

}  // namespace

Vm::Vm() : m_uart(&m_console) {}

bool Vm::start(const BootParams& params, char* why, size_t why_len) {
  m_params = params;
  m_map = GuestMemoryMap{params.guest_ram_ipa, params.guest_ram_size};
  m_stop = StopInfo{};
  m_stopped = false;
  m_stop_requested = false;
  m_console.set_vm_id(id());
  m_uart = Pl011(&m_console);
  m_mmio.clear();
  (void)m_mmio.add(layout::kGuestPl011Ipa, Pl011::kSize, &m_uart);
  Stage2::map_guest_ram(m_map.ram_ipa, params.guest_ram_pa, params.guest_ram_size);
  return load_image(why, why_len);
}

bool Vm::load_image(char* why, size_t why_len) {
  const auto* image = reinterpret_cast<const uint8_t*>(m_params.image_pa);
  auto planned = m_params.image_kind == ImageKind::Elf ? plan_elf(image, m_params.image_size, m_map)
                                                       : plan_raw(m_params.image_size, m_map);
  if (planned.is_error()) {
    describe_image_error(planned.error(), why, why_len);
    return false;
  }
  const ImagePlan& plan = planned.value();
  for (uint32_t i = 0; i < plan.segment_count; ++i) {
    const LoadSegment& s = plan.segments[i];
    auto* dst = reinterpret_cast<uint8_t*>(pa_of(s.ipa));
    memcpy(dst, image + s.file_offset, s.file_size);
    memset(dst + s.file_size, 0, s.mem_size - s.file_size);
    arch::clean_dcache_range(reinterpret_cast<uint64_t>(dst), s.mem_size);
  }

  auto fdt = build_guest_fdt(g_fdt, sizeof(g_fdt),
                             GuestFdtConfig{m_map.ram_ipa, m_map.ram_size, 1, m_params.bootargs});
  if (fdt.is_error()) {
    format(why, why_len, "cannot build the guest device tree: %s", fdt_error_name(fdt.error()));
    return false;
  }
  const uint64_t fdt_ipa = place_device_tree(plan, m_map, fdt.value());
  if (fdt_ipa == 0) {
    format(why, why_len,
           "no room for the %u-byte device tree in guest RAM next to the image; give the VM more "
           "memory",
           fdt.value());
    return false;
  }
  memcpy(reinterpret_cast<void*>(pa_of(fdt_ipa)), g_fdt, fdt.value());
  arch::clean_dcache_range(pa_of(fdt_ipa), fdt.value());
  arch::invalidate_icache_all();
  reset_vcpu(plan.entry, fdt_ipa);
  return true;
}

void Vm::reset_vcpu(uint64_t entry, uint64_t fdt_ipa) {
  m_ctx = VcpuContext{};
  // Linux arm64 boot protocol register state, as QEMU gives it to a
  // directly booted image: x0 = device tree, EL1h, DAIF masked.
  m_ctx.x[0] = fdt_ipa;
  m_ctx.elr = entry;
  m_ctx.spsr = 0x3c5;

  write_sysreg(hcr_el2, kHcr);
  write_sysreg(cptr_el2, kCptrEl2Res1);
  write_sysreg(vpidr_el2, read_sysreg(midr_el1));
  write_sysreg(vmpidr_el2, kMpidrRes1 | 0);  // vCPU 0
  write_sysreg(cnthctl_el2, kCnthctlEl1Access);
  // Guest virtual time starts near 0; kept as an offset so that it can be
  // moved later (pause, checkpoint, migration).
  write_sysreg(cntvoff_el2, read_sysreg(cntpct_el0));

  write_sysreg(sctlr_el1, kSctlrEl1Reset);
  write_sysreg(cpacr_el1, kCpacrFpen);
  write_sysreg(vbar_el1, 0);
  write_sysreg(tcr_el1, 0);
  write_sysreg(mair_el1, 0);
  write_sysreg(ttbr0_el1, 0);
  write_sysreg(ttbr1_el1, 0);
  write_sysreg(esr_el1, 0);
  write_sysreg(far_el1, 0);
  write_sysreg(elr_el1, 0);
  write_sysreg(spsr_el1, 0);
  write_sysreg(sp_el0, 0);
  write_sysreg(sp_el1, 0);
  write_sysreg(tpidr_el0, 0);
  write_sysreg(tpidr_el1, 0);
  write_sysreg(tpidrro_el0, 0);
  write_sysreg(contextidr_el1, 0);
  write_sysreg(cntkctl_el1, 0);
  write_sysreg(cntv_ctl_el0, 0);
  write_sysreg(cntp_ctl_el0, 0);
  arch::isb();
}

void Vm::stop(channel::VmExitReason reason, uint8_t code, const ExitInfo* exit, const char* fmt,
              ...) {
  if (m_stopped) return;  // the first reason wins
  m_stopped = true;
  m_stop.payload = channel::VmExitPayload{id(), reason, code, 0, 0, m_ctx.elr, 0};
  if (exit) {
    m_stop.payload.ec = static_cast<uint8_t>(exit->ec);
    m_stop.payload.iss = exit->iss;
    m_stop.payload.pc = exit->pc;
    // FAR only means something for a fault: the IPA for stage-2 aborts.
    if (reason == channel::VmExitReason::Fault)
      m_stop.payload.far = exit->ipa ? exit->ipa : exit->far;
  }
  va_list args;
  va_start(args, fmt);
  m_stop.message_len = vformat(m_stop.message, sizeof(m_stop.message), fmt, args);
  va_end(args);
}

void Vm::handle_irq() {
  const uint32_t intid = PhysicalGic::acknowledge();
  if (intid == PhysicalGic::kSpurious) return;
  if (intid == layout::kVhvPl011Intid)
    Channel::drain(Lowvisor::instance());
  else
    Channel::log("irq: unexpected physical interrupt %u while a guest ran", intid);
  PhysicalGic::end_of_interrupt(intid);
}

void Vm::run() {
  StatusWriter::set_state(VmState::Running);
  while (!m_stopped) {
    if (m_stop_requested) {
      stop(channel::VmExitReason::Stopped, 0, nullptr, "the VM was stopped on request (StopVm)");
      break;
    }
    StatusWriter::count_entry();
    const ExitKind kind = enter_guest(&m_ctx);
    if (kind == ExitKind::Irq || kind == ExitKind::Fiq) {
      m_console.flush();
      handle_irq();
      continue;
    }
    if (kind != ExitKind::Sync) {
      ExitInfo info{ExceptionClass::SERROR, read_sysreg(esr_el2), 0, m_ctx.elr, 0, 0};
      stop(channel::VmExitReason::Fault, 0, &info,
           kind == ExitKind::SError
               ? "the guest caused an SError at pc 0x%llx; the VM cannot continue"
               : "the guest entered AArch32 state at pc 0x%llx, which is not supported",
           static_cast<unsigned long long>(m_ctx.elr));
      break;
    }
    const uint64_t esr = read_sysreg(esr_el2);
    ExitInfo info{esr_class(esr), esr, esr_iss(esr), m_ctx.elr, read_sysreg(far_el2), 0};
    if (info.ec == ExceptionClass::DABT_LOW || info.ec == ExceptionClass::IABT_LOW)
      info.ipa =
          ((read_sysreg(hpfar_el2) >> 4) << 12) | (info.far & 0xfff);  // D17.2.56 HPFAR_EL2.FIPA
    StatusWriter::count_exit(info.ec);
    if (info.ec != ExceptionClass::DABT_LOW) m_console.flush();

    switch (dispatch_exit(*this, info)) {
      case ExitAction::Advance: m_ctx.elr += 4; break;
      case ExitAction::Resume: break;
      case ExitAction::Reboot: {
        m_console.flush();
        char why[256];
        Channel::log("vm %u: rebooting (PSCI SYSTEM_RESET)", unsigned(id()));
        StatusWriter::set_state(VmState::Loading);
        m_uart = Pl011(&m_console);  // a reset resets the devices too
        if (!load_image(why, sizeof(why))) {
          stop(channel::VmExitReason::Reset, 0, &info,
               "the guest asked for a reset but reloading failed: %s", why);
          break;
        }
        StatusWriter::set_state(VmState::Running);
        break;
      }
      case ExitAction::Stop: break;
    }
  }
  m_console.flush();
  StatusWriter::set_state(VmState::Stopped);
}

}  // namespace nestlab
