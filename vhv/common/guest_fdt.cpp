#include "vhv/common/guest_fdt.h"

#include "vhv/common/format.h"
#include "vhv/common/guest_devices.h"
#include "vhv/common/mailbox.h"

namespace nestlab {
namespace {

// Devicetree bindings: interrupts are <type number flags>; type 1 is a
// PPI; flags 4 = level high (interrupt-controller/arm,gic-v3.yaml).
constexpr uint32_t kIrqPpi = 1;
constexpr uint32_t kIrqLevelHigh = 4;

// Architected timer PPIs as QEMU's virt board wires them (ARCH_TIMER_*_IRQ).
constexpr uint32_t kTimerSecurePpi = 13;
constexpr uint32_t kTimerNonSecurePpi = 14;  // INTID 30
constexpr uint32_t kTimerVirtPpi = 11;       // INTID 27
constexpr uint32_t kTimerHypPpi = 10;

void add_cpus(FdtWriter& w, uint32_t cpus, uint64_t mailbox_region) {
  w.begin_node("cpus");
  w.prop_u32("#address-cells", 1);
  w.prop_u32("#size-cells", 0);
  for (uint32_t i = 0; i < cpus; ++i) {
    char name[16];
    format(name, sizeof(name), "cpu@%x", i);
    w.begin_node(name);
    w.prop_string("device_type", "cpu");
    w.prop_string("compatible", "arm,cortex-a72");
    w.prop_u32("reg", i);
    if (mailbox_region != 0 && i > 0) {
      // Devicetree spec 3.8.1: spin-table with the address to write the
      // entry to; here the jump address field of this CPU's mailbox.
      w.prop_string("enable-method", "spin-table");
      w.prop_u64("cpu-release-addr",
                 mailbox::mailbox_ipa(mailbox_region, i) + mailbox::kJumpAddressOffset);
    } else {
      w.prop_string("enable-method", "psci");
    }
    w.end_node();
  }
  w.end_node();
}

void add_psci(FdtWriter& w) {
  // PSCI 1.0 over HVC; the function IDs below are the PSCI 0.1 binding that
  // QEMU also emits (DEN0022 5.1, SMC64 variants where they exist).
  w.begin_node("psci");
  const char* compat[] = {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"};
  w.prop_strings("compatible", compat, 3);
  w.prop_string("method", "hvc");
  w.prop_u32("cpu_suspend", 0xc4000001);
  w.prop_u32("cpu_off", 0x84000002);
  w.prop_u32("cpu_on", 0xc4000003);
  w.prop_u32("migrate", 0xc4000005);
  w.end_node();
}

void add_timer(FdtWriter& w) {
  w.begin_node("timer");
  const char* compat[] = {"arm,armv8-timer", "arm,armv7-timer"};
  w.prop_strings("compatible", compat, 2);
  w.prop_empty("always-on");
  // With a GICv3 QEMU leaves the PPI CPU mask out of the flags (it only
  // exists for GICv2), hence plain level-high.
  const uint32_t irqs[12] = {
      kIrqPpi, kTimerSecurePpi, kIrqLevelHigh, kIrqPpi, kTimerNonSecurePpi, kIrqLevelHigh,
      kIrqPpi, kTimerVirtPpi,   kIrqLevelHigh, kIrqPpi, kTimerHypPpi,       kIrqLevelHigh};
  w.prop_cells("interrupts", irqs, 12);
  w.end_node();
}

constexpr GuestDeviceInfo kInfo[] = {
    {"psci", nullptr, nullptr, nullptr},
    {"timer", nullptr, nullptr, nullptr},
    {"intc@8000000", nullptr, nullptr, nullptr},
    {"pl011@9000000", nullptr, nullptr, nullptr},
    {"backdoor", "NLAB0001", "arm,smccc-1.1", "brk #0x5658"},
    {"dcc-channel", "NLAB0002", "arm,dcc", "mrs mdccsr_el0"},
    {"wfe-watchdog", "NLAB0003", "arm,sbsa-gwdt", "wfe"},
    {"guestinfo", "NLAB0004", "qemu,fw-cfg-mmio", "brk #0x5658"},
    {"virtio_mmio", nullptr, nullptr, nullptr},
    {"pl031@9010000", nullptr, nullptr, nullptr},
};

// A standard inventory entry: the fixed parts of the platform, or the
// registered devices listed under it (guest_devices.h), in table order.
void add_standard(FdtWriter& w, GuestDevice d, const DevicePlacement& at) {
  switch (d) {
    case GuestDevice::Psci: add_psci(w); return;
    case GuestDevice::ArchTimer: add_timer(w); return;
    default: break;
  }
  for (size_t i = 0; i < kDeviceCount; ++i) {
    const DeviceDescriptor& desc = device_descriptor(static_cast<DeviceId>(i));
    if (desc.inventory == d && desc.fdt_node) desc.fdt_node(w, at);
  }
}

// The second table (S3): one entry per device without a standard binding.
void add_nestlab_devices(FdtWriter& w, const GuestDevice* devices, size_t count) {
  bool any = false;
  for (size_t i = 0; i < count; ++i) any = any || guest_device_info(devices[i]).nestlab_id;
  if (!any) return;
  w.begin_node("nestlab-devices");
  w.prop_string("compatible", "nestlab,device-table");
  for (size_t i = 0; i < count; ++i) {
    const GuestDeviceInfo& info = guest_device_info(devices[i]);
    if (!info.nestlab_id) continue;
    w.begin_node(info.node);
    w.prop_string("nestlab,device-id", info.nestlab_id);
    w.prop_string("compatible-id", info.compatible_id);
    w.prop_string("nestlab,interface", info.interface);
    w.end_node();
  }
  w.end_node();
}

// S9: the user's mapping, as pairs of strings: device ID, guest ID, ...
void add_device_map(FdtWriter& w, const device_map::Table& map) {
  if (map.count == 0) return;
  const char* pairs[2 * device_map::kMaxEntries];
  for (unsigned i = 0; i < map.count; ++i) {
    pairs[2 * i] = map.entries[i].device;
    pairs[2 * i + 1] = map.entries[i].guest;
  }
  w.begin_node("nestlab-device-map");
  w.prop_string("compatible", "nestlab,device-map");
  w.prop_strings("map", pairs, 2 * map.count);
  w.end_node();
}

}  // namespace

const GuestDeviceInfo& guest_device_info(GuestDevice d) {
  const auto i = static_cast<size_t>(d);
  return kInfo[i < sizeof(kInfo) / sizeof(kInfo[0]) ? i : 0];
}

Result<uint32_t, FdtError> build_guest_fdt(void* buf, size_t len, const GuestFdtConfig& config) {
  const DevicePlacement at = DevicePlacement::qemu_virt(config.pl011_ipa);
  const uint64_t pl011 = at.of(DeviceId::Pl011);
  FdtWriter w(buf, len);
  w.begin_node("");
  w.prop_string("compatible", "linux,dummy-virt");
  w.prop_string("model", "linux,dummy-virt");
  w.prop_u32("#address-cells", 2);
  w.prop_u32("#size-cells", 2);
  w.prop_u32("interrupt-parent", kPhandleGic);

  w.begin_node("chosen");
  w.prop_string("bootargs", config.bootargs);
  char stdout_path[32];
  format(stdout_path, sizeof(stdout_path), "/pl011@%llx", static_cast<unsigned long long>(pl011));
  w.prop_string("stdout-path", stdout_path);
  // Two cells each, as the root's #address-cells.
  if (config.initrd_end > config.initrd_start) {
    w.prop_u64("linux,initrd-start", config.initrd_start);
    w.prop_u64("linux,initrd-end", config.initrd_end);
  }
  w.end_node();

  char memory_name[32];
  format(memory_name, sizeof(memory_name), "memory@%llx",
         static_cast<unsigned long long>(config.ram_ipa));
  w.begin_node(memory_name);
  w.prop_string("device_type", "memory");
  fdt_reg(w, "reg", config.ram_ipa, config.ram_size);
  w.end_node();

  add_cpus(w, config.cpus, config.mailbox_region);
  if (config.mailbox_region != 0) {
    // The mailboxes and their code are not the OS's memory.
    w.begin_node("reserved-memory");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop_empty("ranges");
    char name[40];
    format(name, sizeof(name), "mailbox@%llx",
           static_cast<unsigned long long>(config.mailbox_region));
    w.begin_node(name);
    fdt_reg(w, "reg", config.mailbox_region, mailbox::kRegionSize);
    w.prop_empty("no-map");
    w.end_node();
    w.end_node();
  }
  const GuestDevice* devices = config.devices ? config.devices : kDefaultInventory;
  const size_t count = config.devices ? config.device_count
                                      : sizeof(kDefaultInventory) / sizeof(kDefaultInventory[0]);
  for (size_t i = 0; i < count; ++i)
    if (!guest_device_info(devices[i]).nestlab_id) add_standard(w, devices[i], at);
  add_nestlab_devices(w, devices, count);
  if (config.device_map) add_device_map(w, *config.device_map);
  w.end_node();
  return w.finish();
}

}  // namespace nestlab
