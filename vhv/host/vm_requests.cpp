// The highvisor's requests about one VM of its VHV (docs/protocols.md §2,
// issue 13): run a VM in a free slot with memory from the VHV's RAM, stop
// one, read one's counters. A VM's id is its slot (vm_slot.h).
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "base/control_protocol.h"
#include "vhv/common/boot_params.h"
#include "vhv/common/esr.h"
#include "vhv/host/control_channel.h"
#include "vhv/host/highvisor.h"
#include "vhv/host/image_stager.h"
#include "vhv/host/trap_observer.h"

namespace nestlab::vhv {

using json = nlohmann::json;

namespace {

// QEMU's default -m: what a VM gets when the run does not say, or less
// when less is left.
constexpr uint64_t kDefaultGuestMem = 128ull << 20;
// The first lowvisor channel protocol that runs several VMs at once.
constexpr uint32_t kMultiVmProtocol = 2;

std::string mib_text(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// params.vm: a VM id, 0..kMaxVms-1; absent: `fallback`.
HostResult<unsigned> vm_param(const json& params, unsigned fallback) {
  auto it = params.find("vm");
  if (it == params.end() || it->is_null()) return fallback;
  if (!it->is_number_unsigned() || it->get<uint64_t>() >= layout::kMaxVms)
    return make_error(ErrorCode::NotFound, "no VM " + it->dump() + ": a VHV has VMs 0 to " +
                                               std::to_string(layout::kMaxVms - 1));
  return static_cast<unsigned>(it->get<uint64_t>());
}

json error_reply(const Error& e) { return control_error(error_code_name(e.code), e.message); }

// params.disks: [{"sectors": N, "ro": bool}], one fd each after the image
// and initrd, in transport order. The kernel has checked each file's type,
// size, access mode and lock (kernel/disk_check.h); the highvisor trusts
// the sizes it gives.
HostResult<std::vector<std::unique_ptr<BlockDevice>>> take_disks(ControlChannel& control,
                                                                 const json& params) {
  std::vector<std::unique_ptr<BlockDevice>> disks;
  auto list = params.find("disks");
  if (list == params.end()) return disks;
  if (!list->is_array() || list->size() > BootParams::kMaxDisks)
    return make_error(ErrorCode::InvalidArgument,
                      "disks must be a list of at most " + std::to_string(BootParams::kMaxDisks));
  // Take every fd first, so that none is left for the next request.
  for (const json& d : *list) {
    UniqueFd fd(control.take_fd());
    const json sectors = d.is_object() ? d.value("sectors", json()) : json();
    if (!fd || !sectors.is_number_unsigned() || !d.value("ro", json(false)).is_boolean())
      return make_error(ErrorCode::InvalidArgument,
                        "each disk needs a file descriptor, \"sectors\" and \"ro\"");
    disks.push_back(std::make_unique<BlockDevice>(
        std::move(fd), sectors.get<uint64_t>(),
        d.value("ro", false) ? DiskAccess::ReadOnly : DiskAccess::ReadWrite));
  }
  return disks;
}

// params.net: {"mac_key": N} with one fd after the disks' (the VM's port
// on its lab network, made and switched by the kernel: kernel/net_switch.h).
// The MAC is derived from the key and the VM's slot (vhv/common/net_mac.h).
HostResult<UniqueFd> take_net_port(ControlChannel& control, const json& params) {
  auto net = params.find("net");
  if (net == params.end()) return UniqueFd();
  UniqueFd fd(control.take_fd());
  if (!fd || !net->is_object() || !net->value("mac_key", json()).is_number_unsigned())
    return make_error(ErrorCode::InvalidArgument,
                      "net needs a file descriptor (the port) and \"mac_key\"");
  return fd;
}

std::string mac_text(const MacAddress& m) {
  char text[18];
  format_mac(m, text);
  return text;
}

json net_json(const NetDevice& net) {
  const NetCounters& c = net.counters();
  return {{"mac", mac_text(net.mac())}, {"link", net.port_fd() >= 0 ? "up" : "down"},
          {"tx_frames", c.tx_frames},   {"tx_bytes", c.tx_bytes},
          {"tx_dropped", c.tx_dropped}, {"rx_frames", c.rx_frames},
          {"rx_bytes", c.rx_bytes},     {"rx_dropped", c.rx_dropped}};
}

}  // namespace

bool Highvisor::any_vm_busy() const {
  for (const VmSlot& s : m_vms)
    if (s.busy()) return true;
  return false;
}

json Highvisor::vms_json() const {
  json list = json::array();
  for (unsigned vm = 0; vm < m_vms.size(); ++vm) {
    const VmSlot& s = m_vms[vm];
    if (!s.busy()) continue;
    list.push_back({{"vm", vm},
                    {"state", vm_slot_state_name(s.state)},
                    {"image_name", s.image_name},
                    {"smp", s.smp},
                    {"weight", s.weight},
                    {"mem", s.ram ? s.ram->size : 0}});
  }
  return list;
}

void Highvisor::release_vm(unsigned vm) {
  if (vm >= m_vms.size()) return;
  VmSlot& s = m_vms[vm];
  // The blocks are not punched out of the memfd: fallocate is outside the
  // highvisor's seccomp allowlist. The lowvisor loads the next VM's image
  // over them; the VMs of a VHV all belong to its owner.
  if (s.ram) m_memory.free(*s.ram);
  if (s.staging) m_memory.free(*s.staging);
  s.ram.reset();
  s.staging.reset();
  s.virtio.disks.clear();  // closes the files: their locks go with them
  s.virtio.net.reset();    // closes the port: the kernel's switch lets it go
  s.state = VmSlot::State::Free;
}

void Highvisor::on_vm_started(unsigned vm) {
  if (vm >= m_vms.size() || !m_vms[vm].busy()) return;
  VmSlot& s = m_vms[vm];
  if (s.staging) {
    m_memory.free(*s.staging);
    s.staging.reset();
  }
  s.state = VmSlot::State::Running;
}

json Highvisor::run_vm(const json& params) {
  if (m_hyp) return run_hypervisor(params);  // byoh/hypervisor_mode.cpp
  int fd = m_control.take_fd();
  // The initrd, when the kernel says one came: the second fd of the line.
  const bool has_initrd = params.value("initrd", false);
  int initrd_fd = has_initrd ? m_control.take_fd() : -1;
  struct Closer {
    int a, b;
    ~Closer() {
      if (a >= 0) close(a);
      if (b >= 0) close(b);
    }
  } closer{fd, initrd_fd};
  // The disks (checked and locked by the kernel): the fds after those.
  auto disks = take_disks(m_control, params);
  auto net_port = take_net_port(m_control, params);
  if (fd < 0 || (has_initrd && initrd_fd < 0))
    return control_error("invalid-argument",
                         "run needs the image (and the initrd) as file descriptors");
  if (disks.is_error()) return error_reply(disks.error());
  if (net_port.is_error()) return error_reply(net_port.error());
  auto policy = parse_tick_policy(params.value("tick_policy", std::string("skip")));  // S10
  if (policy.is_error()) return error_reply(policy.error());
  if (m_state != State::Ready) return control_error("unavailable", "the VHV is not ready");

  // Which slot: the one asked for, or the lowest free one.
  unsigned vm = 0;
  if (params.contains("vm") && !params["vm"].is_null()) {
    auto asked = vm_param(params, 0);
    if (asked.is_error()) return error_reply(asked.error());
    vm = asked.value();
    if (m_vms[vm].busy())
      return control_error("invalid-argument", "VM " + std::to_string(vm) +
                                                   " is already running in this VHV; stop it " +
                                                   "first or leave out vm to get a free slot");
  } else {
    while (vm < m_vms.size() && m_vms[vm].busy()) ++vm;
    if (vm == m_vms.size())
      return control_error("invalid-argument",
                           "this VHV already runs " + std::to_string(layout::kMaxVms) +
                               " VMs, the most a VHV can; stop one with `nestlab vm stop`");
  }
  // A lowvisor from before issue 13 reads only slot 0 and runs one VM.
  if (m_lowvisor_protocol < kMultiVmProtocol && (vm != 0 || any_vm_busy()))
    return control_error(
        "invalid-argument",
        "this VHV's lowvisor runs one VM at a time (it speaks channel protocol " +
            std::to_string(m_lowvisor_protocol) + "; several VMs need protocol " +
            std::to_string(kMultiVmProtocol) + ")" +
            (any_vm_busy() ? ": VM 0 is still running; wait for it or stop it with "
                             "`nestlab vm stop`"
                           : ": only VM 0"));
  uint64_t weight = 1;
  if (auto w = params.find("weight"); w != params.end() && !w->is_null()) {
    if (!w->is_number_unsigned() || w->get<uint64_t>() < 1 ||
        w->get<uint64_t>() > BootParams::kMaxWeight)
      return control_error("invalid-argument",
                           "weight must be 1 to " + std::to_string(BootParams::kMaxWeight));
    weight = w->get<uint64_t>();
  }

  RunRequest req;
  req.image_fd = fd;
  req.initrd_fd = initrd_fd;
  req.initrd_name = params.value("initrd_name", std::string("initrd"));
  req.image_name = params.value("image_name", std::string("image"));
  req.mem = params.value("mem", uint64_t{0});
  if (req.mem == 0) {
    req.mem = std::min(kDefaultGuestMem, m_memory.guest_available()) & ~(VmMemory::kAlign - 1);
    if (req.mem == 0)
      return control_error("invalid-argument",
                           "the VHV has " +
                               mib_text(m_memory.guest_capacity() - m_memory.guest_used()) +
                               " of its " + mib_text(m_memory.guest_capacity()) +
                               " left for guests; stop a VM or make the VHV bigger with "
                               "`vhv create --mem`");
  }
  req.append = params.value("append", std::string());
  req.smp = params.value("smp", 1u);
  req.mailbox_boot = params.value("smp_boot", std::string("psci")) == "mailbox";  // S18
  if (auto map = params.find("device_map"); map != params.end() && map->is_string())
    req.device_map = map->get<std::string>();  // S9
  req.vm_name = m_config.name;
  req.vm_id = vm;
  req.weight = static_cast<uint32_t>(weight);
  req.pl011_ipa = params.value("pl011", uint64_t{0});  // the lab grader's moved UART
  for (const auto& disk : disks.value())
    req.disks.push_back({disk->sectors(),
                         disk->access() == DiskAccess::ReadOnly ? BootDisk::kFlagReadOnly : 0u, 0});
  std::unique_ptr<NetDevice> net;
  if (net_port.value()) {
    const MacAddress mac = derive_mac(params["net"]["mac_key"].get<uint64_t>(), vm);
    net = std::make_unique<NetDevice>(std::move(net_port.value()), mac);
    req.net = BootNet{};
    std::memcpy(req.net->mac, mac.bytes, sizeof mac.bytes);
  }
  auto staging_need = staging_bytes(req);
  if (staging_need.is_error()) return error_reply(staging_need.error());

  auto ram = m_memory.allocate(req.mem, BlockKind::GuestRam);
  if (ram.is_error()) return error_reply(ram.error());
  // What does not fit in guest RAM fails the run anyway, with a better
  // message from the stager: stage no more than that.
  auto staging = m_memory.allocate(std::min(staging_need.value(), req.mem), BlockKind::Staging);
  if (staging.is_error()) {
    m_memory.free(ram.value());
    return error_reply(staging.error());
  }
  req.guest_ram = ram.value();
  req.staging = staging.value();
  auto give_back = [&] {
    m_memory.free(req.guest_ram);
    m_memory.free(req.staging);
  };
  auto staged = stage_image(*m_ram, req);
  if (staged.is_error()) {
    give_back();
    return error_reply(staged.error());
  }
  // Keys the guest must find at its first instruction.
  if (json preset = guestinfo_preset(*m_ram, vm, params.value("guestinfo", json::object()));
      !preset.is_null()) {
    give_back();
    return json{{"error", preset}};
  }
  guestinfo_prepare_run(*m_ram, vm);  // the new VM's UUID and host time base
  const uint8_t id = static_cast<uint8_t>(vm);
  std::string frame = encode_frame(channel::FrameType::RunVm, &id, 1);
  if (write(m_qemu->serial_fd(), frame.data(), frame.size()) !=
      static_cast<ssize_t>(frame.size())) {
    give_back();
    return control_error("io", std::string("cannot reach the lowvisor: ") + std::strerror(errno));
  }
  VmSlot& slot = m_vms[vm];
  slot.state = VmSlot::State::Loading;
  slot.image_name = req.image_name;
  slot.smp = req.smp;
  slot.weight = req.weight;
  slot.ram = req.guest_ram;
  slot.staging = req.staging;
  slot.run_started = std::chrono::steady_clock::now();
  slot.tick_policy = policy.value();
  slot.virtio.disks = std::move(disks.value());
  slot.virtio.net = std::move(net);
  json result{{"vm", vm}, {"entry", staged.value()}, {"mem", req.mem}, {"weight", weight}};
  if (slot.virtio.net) result["mac"] = mac_text(slot.virtio.net->mac());
  return json{{"result", result}};
}

json Highvisor::stop_vm(const json& params) {
  if (!params.contains("vm")) return control_error("invalid-argument", "stop needs \"vm\"");
  auto vm = vm_param(params, 0);
  if (vm.is_error()) return error_reply(vm.error());
  if (m_hyp && vm.value() == 0) return stop_hypervisor();
  if (!m_vms[vm.value()].busy())
    return control_error("invalid-argument",
                         "VM " + std::to_string(vm.value()) + " is not running in this VHV");
  const uint8_t id = static_cast<uint8_t>(vm.value());
  std::string frame = encode_frame(channel::FrameType::StopVm, &id, 1);
  if (write(m_qemu->serial_fd(), frame.data(), frame.size()) != static_cast<ssize_t>(frame.size()))
    return control_error("io", std::string("cannot reach the lowvisor: ") + std::strerror(errno));
  // The VmExit (reason stopped) follows and frees the slot.
  return json{{"result", {{"vm", vm.value()}, {"stopping", true}}}};
}

StatusPage Highvisor::read_status(unsigned vm) const {
  StatusPage copy{};
  if (vm >= layout::kMaxVms) return copy;
  const auto* page = reinterpret_cast<const volatile StatusPage*>(
      m_ram->at(layout::status_pa(vm), sizeof(StatusPage)));
  if (page == nullptr) return copy;
  // Seqlock reader: retry while the lowvisor is mid-update (odd generation)
  // or updated during the copy.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    uint64_t g1 = page->generation;
    std::atomic_thread_fence(std::memory_order_acquire);
    std::memcpy(&copy, const_cast<const StatusPage*>(page), sizeof copy);
    std::atomic_thread_fence(std::memory_order_acquire);
    uint64_t g2 = page->generation;
    if (g1 == g2 && (g1 & 1) == 0) break;
  }
  return copy;
}

json Highvisor::counters(unsigned vm) const {
  StatusPage s = read_status(vm);
  json c = json::object();
  if (s.magic != StatusPage::kMagic) return c;
  for (unsigned ec = 0; ec < 64; ++ec) {
    if (s.exits_by_ec[ec] == 0) continue;
    c[exception_class_name(static_cast<ExceptionClass>(ec))] = s.exits_by_ec[ec];
  }
  return c;
}

// QEMU's TCG virtual clock, and with it the counter the guest reads, runs
// with host time except while QEMU is stopped; a pause under the default
// tick policy (skip) is then added back by the lowvisor. So the guest's time
// since RunVm is the host time since then, less a pause in progress
// (docs/labs.md, "Guest virtual time").
uint64_t Highvisor::guest_time_ns(unsigned vm) const {
  if (vm >= m_vms.size()) return 0;
  const auto started = m_vms[vm].run_started;
  if (started == std::chrono::steady_clock::time_point{}) return 0;
  auto end = m_pause.paused ? m_pause.since : std::chrono::steady_clock::now();
  if (end < started) return 0;
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(end - started).count());
}

json Highvisor::vm_stats(const json& params) const {
  auto vm = vm_param(params, 0);
  if (vm.is_error()) return error_reply(vm.error());
  if (m_hyp && vm.value() == 0) return hypervisor_stats();
  const unsigned id = vm.value();
  StatusPage s = read_status(id);
  const VmSlot& slot = m_vms[id];
  json r{{"vm", id},
         {"vm_state", vm_slot_state_name(slot.state)},
         {"counters", counters(id)},
         {"total_exits", s.total_exits},
         {"guest_entries", s.guest_entries}};
  r["trap"] = read_trap_stats(*m_ram, id);
  r["uuid"] = guestinfo_uuid(*m_ram, id);
  r["guest_time_ns"] = guest_time_ns(id);
  // The scheduler's accounting (issue 13), once the lowvisor keeps it.
  r["weight"] = s.magic == StatusPage::kMagic && s.weight ? s.weight : slot.weight;
  r["watchdog_fired"] = s.magic == StatusPage::kMagic ? s.watchdog_fired : 0;
  json vcpus = json::array();
  const uint32_t n = s.magic == StatusPage::kMagic ? s.vcpu_count : 0;
  for (uint32_t v = 0; v < n && v < std::size(s.vcpus); ++v)
    vcpus.push_back({{"vcpu", v},
                     {"run_ns", s.vcpus[v].run_ns},
                     {"wait_ns", s.vcpus[v].wait_ns},
                     {"migrations", s.vcpus[v].migrations},
                     {"last_cpu", s.vcpus[v].last_cpu}});
  r["vcpus"] = std::move(vcpus);
  if (slot.virtio.net) r["net"] = net_json(*slot.virtio.net);
  return json{{"result", r}};
}

}  // namespace nestlab::vhv
