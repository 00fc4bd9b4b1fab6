#include "vhv/el2/vm/vm.h"

#include "vhv/common/format.h"
#include "vhv/common/guest_fdt.h"
#include "vhv/common/guestinfo.h"
#include "vhv/common/layout.h"
#include "vhv/common/linux_image.h"
#include "vhv/common/mailbox.h"
#include "vhv/common/vcpu_sched.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/channel/channel.h"
#include "vhv/el2/channel/gic.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/timer/guest_time.h"
#include "vhv/el2/timer/phys_timer.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/status.h"
#include "vhv/el2/trap/trap_setup.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/fp_switch.h"
#include "vhv/el2/vm/lowvisor.h"
#include "vhv/el2/vm/vcpu_state.h"

extern "C" void* memcpy(void*, const void*, size_t);
extern "C" void* memset(void*, int, size_t);

namespace nestlab {
namespace {

// HCR_EL2 (Arm ARM D17.2.48): AArch64 EL1 (RW), stage 2 on (VM), SMC traps
// (TSC), WFI traps (TWI), physical IRQ/FIQ/SError to EL2 (IMO/FMO/AMO).
// The debug traps live in MDCR_EL2 (trap/trap_setup.h).
constexpr uint64_t kHcrVm = 1ull << 0, kHcrFmo = 1ull << 3, kHcrImo = 1ull << 4,
                   kHcrAmo = 1ull << 5, kHcrTwi = 1ull << 13, kHcrTsc = 1ull << 19,
                   kHcrRw = 1ull << 31;
constexpr uint64_t kHcr = kHcrRw | kHcrVm | kHcrTsc | kHcrTwi | kHcrImo | kHcrFmo | kHcrAmo;

// SCTLR_EL1 as QEMU resets a Cortex-A72 (target/arm/cpu64.c reset_sctlr):
// MMU and caches off.
constexpr uint64_t kSctlrEl1Reset = 0x00c5'0838;
constexpr uint64_t kCpacrFpen = 3ull << 20;  // FP/SIMD usable at EL0/EL1, like a direct QEMU boot
constexpr uint64_t kMpidrRes1 = 1ull << 31;

// Where this run's PL011 is: QEMU virt's place unless the BootParams move it
// (the lab grader does; check_boot_params has checked the address).
uint64_t pl011_ipa(const BootParams& params) {
  return params.pl011_ipa ? params.pl011_ipa : layout::kGuestPl011Ipa;
}

}  // namespace

Vm::Vm()
    : m_vgic(this),
      m_devices(DeviceWiring{&m_console, &m_console, &m_vgic.model(), &m_vgic, &m_virtio, &m_rtc}) {
  m_console.set_owner(this);
  m_virtio.set_owner(this);
  m_rtc.set_owner(this);
}

void Vm::set_slot(unsigned slot) {
  m_slot = static_cast<uint8_t>(slot);
  m_stage2.set_vmid(static_cast<uint16_t>(slot + 1));
}

unsigned Vm::here() const { return sched_current_vm() == this ? sched_current_vcpu() : 0; }

bool Vm::ready_to_report() const {
  if (!m_active || !m_stopped) return false;
  for (unsigned i = 0; i < kMaxCpus; ++i)
    if (m_vcpus[i].cpu >= 0) return false;
  return true;
}

void Vm::request_stop() {
  stop(channel::VmExitReason::Stopped, 0, nullptr, "the VM was stopped on request (StopVm)");
  wake_all();
}

void Vm::wake_all() {
  for (unsigned i = 0; i < m_vcpu_count; ++i) sched_wake(*this, i, true);
}

bool Vm::start(const BootParams& params, char* why, size_t why_len) {
  m_params = params;
  m_map = GuestMemoryMap{params.guest_ram_ipa, params.guest_ram_size};
  m_stop = StopInfo{};
  m_stopped = false;
  m_reboot_pending = false;
  m_weight = vcpu_sched::clamp_weight(params.weight);
  for (unsigned i = 0; i < kMaxCpus; ++i) {
    Vcpu& v = m_vcpus[i];
    v.index = i;
    v.cpu = -1;
    v.blocked = false;
    v.ever_ran = false;
    v.vruntime = 0;
    v.since = 0;
    v.run_ticks = v.wait_ticks = v.migrations = 0;
    v.last_cpu = 0;
    v.loaded = false;
  }
  m_console.set_vm_id(id());
  m_console.clear_input();
  m_vcpu_count = params.smp < 1 ? 1 : (params.smp > kMaxCpus ? kMaxCpus : params.smp);
  vgic_reset(*this, m_vcpu_count);
  m_devices.virtio().configure_disks(params.disks, params.disk_count);
  m_devices.virtio().configure_net(params.net_count ? &params.net : nullptr, params.disk_count);
  m_devices.reset();
  m_mmio.clear();
  auto mapped = m_devices.register_mmio(m_mmio, DevicePlacement::qemu_virt(pl011_ipa(params)));
  if (mapped.is_error()) {
    format(why, why_len, "cannot place the %s in the guest's MMIO space",
           device_descriptor(mapped.error().device).name);
    return false;
  }
  if (auto r = m_stage2.map_guest_ram(Ipa(m_map.ram_ipa), Pa(params.guest_ram_pa),
                                      params.guest_ram_size);
      r.is_error()) {
    format(why, why_len, "cannot map guest RAM at 0x%llx at stage 2: %s",
           static_cast<unsigned long long>(params.guest_ram_pa), stage2_error_text(r.error()));
    return false;
  }
  // Guest virtual time starts near 0; kept as an offset so that it can be
  // moved later (pause, checkpoint, migration). Same on every vCPU.
  m_cntvoff = read_sysreg(cntpct_el0);
  m_guest_time = GuestTime{};  // S10: no pause debt from a previous guest
  // The guest's RTC starts at the host's wall-clock time of this run (the
  // highvisor's stamp, as for the HostTimeNs service) and then follows
  // guest time.
  m_rtc.start(reinterpret_cast<const volatile guestinfo::Page*>(layout::guest_info_pa(id()))
                  ->host_realtime_ns);
  if (read_device_map(why, why_len) && load_image(why, why_len)) return true;
  m_stage2.release();  // never started: its RAM is nobody's again
  return false;
}

bool Vm::read_device_map(char* why, size_t why_len) {
  using device_map::DeviceMapBlock;
  m_device_map.count = 0;
  static DeviceMapBlock copy;  // the shared block may change under us
  const auto* shared = reinterpret_cast<const volatile uint8_t*>(layout::device_map_pa(id()));
  auto* bytes = reinterpret_cast<uint8_t*>(&copy);
  for (size_t i = 0; i < offsetof(DeviceMapBlock, text); ++i) bytes[i] = shared[i];
  if (copy.magic != DeviceMapBlock::kMagic) return true;  // no map for this run
  if (copy.length > sizeof(copy.text)) {
    format(why, why_len, "the device map block is corrupt (length %u)", unsigned(copy.length));
    return false;
  }
  for (size_t i = 0; i < copy.length; ++i)
    copy.text[i] = shared[offsetof(DeviceMapBlock, text) + i];
  if (fnv1a32(copy.text, copy.length) != copy.checksum) {
    format(why, why_len, "the device map block is corrupt (checksum)");
    return false;
  }
  device_map::ParseError error;
  if (!device_map::parse(copy.text, copy.length, &m_device_map, &error)) {
    device_map::describe(error, why, why_len);
    m_device_map.count = 0;
    return false;
  }
  return true;
}

bool Vm::load_image(char* why, size_t why_len) {
  const auto* image = reinterpret_cast<const uint8_t*>(m_params.image_pa);
  auto planned = plan_image_as(m_params.image_kind, image, m_params.image_size, m_map);
  if (planned.is_error()) {
    describe_image_error(planned.error(), why, why_len);
    return false;
  }
  ImagePlan& plan = planned.value();
  // S18: the mailbox region at the top of RAM, when the VM boots its
  // secondaries that way; it counts as taken when the tree is placed.
  m_mailbox = 0;
  if ((m_params.flags & BootParams::kFlagMailboxBoot) && m_vcpu_count > 1) {
    m_mailbox = mailbox::region_ipa(m_map.ram_ipa, m_map.ram_size);
    if (plan.highest_ipa > m_mailbox || plan.segment_count >= ImagePlan::kMaxSegments) {
      format(why, why_len,
             "the image reaches into the mailbox region [0x%llx, 0x%llx) at the top of guest RAM; "
             "give the VM more memory",
             static_cast<unsigned long long>(m_mailbox),
             static_cast<unsigned long long>(m_mailbox + mailbox::kRegionSize));
      return false;
    }
  }
  for (uint32_t i = 0; i < plan.segment_count; ++i) {
    const LoadSegment& s = plan.segments[i];
    auto* dst = reinterpret_cast<uint8_t*>(pa_of(s.ipa));
    // The lowvisor writes the code itself, never the highvisor through its
    // mapping of the RAM: QEMU's TCG drops its translations of a page only
    // when the emulated CPU writes it, so code the host put there behind
    // its back would run as the previous VM's (tried: the VM after hello.elf
    // in the same slot ran hello.elf again).
    memcpy(dst, image + s.file_offset, s.file_size);
    memset(dst + s.file_size, 0, s.mem_size - s.file_size);
    arch::clean_dcache_range(reinterpret_cast<uint64_t>(dst), s.mem_size);
  }

  // A Linux-style image (raw or arm64 Image) gets its initrd and tree
  // where QEMU puts them for one (linux_image.h plan_linux_boot), above the
  // image and its BSS (kvm-unit-tests checks).
  uint64_t fdt_ipa = 0;
  uint64_t initrd_ipa = 0;
  if (m_params.image_kind != ImageKind::Elf) {
    const uint64_t usable_end = m_mailbox ? m_mailbox : m_map.ram_ipa + m_map.ram_size;
    auto boot = plan_linux_boot(plan, m_map, usable_end, m_params.initrd_size, sizeof(m_fdt));
    if (boot.is_error() && m_params.initrd_size != 0) {
      describe_image_error(boot.error(), why, why_len);
      return false;
    }
    if (boot.is_ok()) {
      fdt_ipa = boot.value().fdt_ipa;
      initrd_ipa = boot.value().initrd_ipa;
    }
  } else if (m_params.initrd_size != 0) {
    format(why, why_len, "an initrd needs a Linux kernel Image (or raw image), not an ELF file");
    return false;
  }
  if (m_params.initrd_size != 0) {
    auto* dst = reinterpret_cast<uint8_t*>(pa_of(initrd_ipa));
    memcpy(dst, reinterpret_cast<const uint8_t*>(m_params.initrd_pa), m_params.initrd_size);
    arch::clean_dcache_range(reinterpret_cast<uint64_t>(dst), m_params.initrd_size);
  }
  GuestFdtConfig config{
      m_map.ram_ipa, m_map.ram_size,     m_vcpu_count, m_params.bootargs, m_mailbox, nullptr, 0,
      &m_device_map, pl011_ipa(m_params)};
  config.initrd_start = initrd_ipa;
  config.initrd_end = initrd_ipa + m_params.initrd_size;
  auto fdt = build_guest_fdt(m_fdt, sizeof(m_fdt), config);
  if (fdt.is_error()) {
    format(why, why_len, "cannot build the guest device tree: %s", fdt_error_name(fdt.error()));
    return false;
  }
  if (m_mailbox) {
    plan.segments[plan.segment_count++] = LoadSegment{m_mailbox, 0, 0, mailbox::kRegionSize, 0};
    write_mailboxes();
  }
  if (fdt_ipa == 0) fdt_ipa = place_device_tree(plan, m_map, fdt.value());
  if (fdt_ipa == 0) {
    format(why, why_len,
           "no room for the %u-byte device tree in guest RAM next to the image; give the VM more "
           "memory",
           fdt.value());
    return false;
  }
  memcpy(reinterpret_cast<void*>(pa_of(fdt_ipa)), m_fdt, fdt.value());
  arch::clean_dcache_range(pa_of(fdt_ipa), fdt.value());
  arch::invalidate_icache_all();
  if (!trap_on_image_load(*this)) {  // nothing executable or patched yet
    format(why, why_len, "cannot reset the guest's stage-2 permissions");
    return false;
  }
  reset_vcpu(plan.entry, fdt_ipa);
  return true;
}

void Vm::reset_vcpu(uint64_t entry, uint64_t fdt_ipa) {
  // vCPU 0 boots the image; the others wait for PSCI CPU_ON. Each vCPU's
  // registers are reset on its own CPU when it starts (reset_this_cpu).
  for (unsigned i = 0; i < kMaxCpus; ++i) {
    m_vcpus[i].power = PowerState::Off;
    m_vcpus[i].blocked = false;
  }
  m_vcpus[0].boot_entry = entry;
  m_vcpus[0].boot_x0 = fdt_ipa;
  m_vcpus[0].power = PowerState::OnPending;
  // S18/S8: with mailbox boot every secondary starts parked in the
  // mailbox code (MMU off), after a reset too, until the OS releases it.
  if (m_mailbox)
    for (unsigned i = 1; i < m_vcpu_count; ++i) {
      m_vcpus[i].boot_entry = mailbox::code_ipa(m_mailbox);
      m_vcpus[i].boot_x0 = mailbox::mailbox_ipa(m_mailbox, i);
      m_vcpus[i].power = PowerState::OnPending;
    }
}

void Vm::write_mailboxes() {
  auto* code = reinterpret_cast<uint32_t*>(pa_of(mailbox::code_ipa(m_mailbox)));
  memset(code, 0, mailbox::kStride);
  for (size_t i = 0; i < sizeof(mailbox::kParkingCode) / 4; ++i) code[i] = mailbox::kParkingCode[i];
  for (unsigned c = 0; c < mailbox::kMaxCpus; ++c) {
    auto* box = reinterpret_cast<mailbox::Mailbox*>(pa_of(mailbox::mailbox_ipa(m_mailbox, c)));
    memset(box, 0, mailbox::kStride);
    box->cpu_id = c;
  }
  arch::clean_dcache_range(pa_of(m_mailbox), mailbox::kRegionSize);
}

void Vm::power_on(unsigned target, uint64_t entry, uint64_t context_id) {
  Vcpu& v = vcpu(target);
  v.boot_entry = entry;
  v.boot_x0 = context_id;
  v.blocked = false;
  v.power = PowerState::OnPending;
  sched_wake(*this, target, true);
}

void Vm::configure_this_cpu(unsigned index) {
  m_stage2.note_cpu_in_vmid(this_cpu());  // before this CPU can cache entries of the VMID
  write_sysreg(vtcr_el2, m_stage2.vtcr());
  write_sysreg(vttbr_el2, m_stage2.vttbr());
  write_sysreg(hcr_el2, kHcr);
  write_sysreg(vpidr_el2, read_sysreg(midr_el1));
  write_sysreg(vmpidr_el2, kMpidrRes1 | index);     // Aff0 = vCPU index
  write_sysreg(cnthctl_el2, kCnthctlTrapPhysical);  // S10: timer/phys_timer.h
  write_sysreg(cntvoff_el2, m_cntvoff);
  m_guest_time.loaded[index % kMaxCpus] = m_cntvoff;
  arch::isb();
}

void Vm::load_this_cpu(unsigned index) {
  configure_this_cpu(index);
  fp_load(m_vcpus[index]);  // still in its state: loaded on first use
  vcpu_restore(*this, index);
}

void Vm::put_this_cpu(unsigned index) {
  Vcpu& v = m_vcpus[index];
  vcpu_capture(*this, index);  // before the vGIC and timers are off
  vgic_cpu_off(*this);
  fp_put(v);
  v.loaded = false;
}

void Vm::reset_this_cpu(unsigned index) {
  VcpuContext& ctx = m_vcpus[index].ctx;
  ctx = VcpuContext{};
  // Linux arm64 boot protocol register state, as QEMU gives it to a
  // directly booted image: x0 = device tree (or the PSCI context_id),
  // EL1h, DAIF masked.
  ctx.x[0] = m_vcpus[index].boot_x0;
  ctx.elr = m_vcpus[index].boot_entry;
  ctx.spsr = 0x3c5;

  configure_this_cpu(index);
  fp_reset(m_vcpus[index]);           // FP/SIMD zero, loaded on first use (vm/fp_switch.h)
  configure_debug_traps(this_cpu());  // BRK backdoor, DCC channel, guest debug (trap/trap_setup.h)

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
  vgic_cpu_reset(*this);
  phys_timer_reset(m_vcpus[index]);
}

void Vm::stop(channel::VmExitReason reason, uint8_t code, const ExitInfo* exit, const char* fmt,
              ...) {
  if (m_stopped || !m_active) return;  // the first reason wins
  m_stopped = true;
  m_stop.payload = channel::VmExitPayload{id(), reason, code, 0, 0, ctx().elr, 0};
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
  // Its vCPUs on other CPUs leave them now (Lowvisor::reap reports the end
  // once all are off).
  for (unsigned i = 0; i < m_vcpu_count; ++i)
    if (m_vcpus[i].cpu >= 0 && unsigned(m_vcpus[i].cpu) != this_cpu())
      sched_kick(unsigned(m_vcpus[i].cpu));
}

}  // namespace nestlab
