// The client API methods (protocols.md section 1). Each checks its params,
// then answers through `reply`, now or when the VHV has answered.
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/json_bounds.h"
#include "kernel/kernel.h"
#include "kernel/params.h"
#include "kernel/tick_policy.h"
#include "kernel/vm_ids.h"
#include "vhv/common/layout.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {
constexpr uint64_t kDefaultMem = 128ull << 20;
constexpr uint64_t kMinMem = 16ull << 20;
constexpr uint64_t kMaxSmp = 8;
constexpr uint64_t kMaxWeight = 10000;  // BootParams::kMaxWeight
constexpr const char* kVersion = "0.1.0";

// How often the VHV's highvisor broke the control protocol, and how last.
json protocol_errors_json(const Vhv& vhv) {
  json j{{"count", vhv.protocol_errors()}};
  if (vhv.protocol_errors()) j["last"] = vhv.last_protocol_error();
  return j;
}
}  // namespace

const std::map<std::string, Kernel::Handler>& Kernel::methods() {
  static const std::map<std::string, Handler> table{
      {"kernel.hello", &Kernel::hello},
      {"vhv.create", &Kernel::vhv_create},
      {"vhv.list", &Kernel::vhv_list},
      {"vhv.inspect", &Kernel::vhv_inspect},
      {"vhv.destroy", &Kernel::vhv_destroy},
      {"vhv.stop", &Kernel::vhv_stop},
      {"vhv.start", &Kernel::vhv_start},
      {"vhv.stats", &Kernel::vhv_stats},
      {"tenant.list", &Kernel::tenant_list},
      {"tenant.set", &Kernel::tenant_set},
      {"vm.run", &Kernel::vm_run},
      {"vm.list", &Kernel::vm_list},
      {"vm.stop", &Kernel::vm_stop},
      {"events.subscribe", &Kernel::events_subscribe},
      {"console.subscribe", &Kernel::console_subscribe},
      {"vm.stats", &Kernel::vm_stats},
      {"vm.trace", &Kernel::vm_trace},
      {"vhv.pause", &Kernel::vhv_pause},
      {"vhv.resume", &Kernel::vhv_resume},
      {"guestinfo.get", &Kernel::guestinfo_get},
      {"guestinfo.set", &Kernel::guestinfo_set},
      {"console.attach", &Kernel::console_attach},
      {"console.detach", &Kernel::console_detach},
      {"console.input", &Kernel::console_input},
      {"console.resize", &Kernel::console_resize},
  };
  return table;
}

void Kernel::hello(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto checked = Params(request.params, {}).check_unknown();
  if (checked.is_error()) return reply(Err<Error>{checked.release_error()});
  reply(json{{"version", kVersion},
             {"mode", mode_name(m_options.mode)},
             {"pid", ::getpid()},
             {"uid", ::geteuid()},
             {"peer_uid", client.uid}});
}

// params.hypervisor_fd / hypervisor_name / guests [{fd, name}]: a VHV that
// boots the student's EL2 image instead of the lowvisor (docs/hypervisor.md);
// the highvisor checks the images before QEMU starts.
static HostResult<void> take_hypervisor(const nlohmann::json& params, std::vector<UniqueFd>& fds,
                                        VhvConfig& config) {
  auto fd_at = [&](const nlohmann::json& v, const std::string& what) -> HostResult<int> {
    if (!v.is_number_unsigned() || v.get<uint64_t>() >= fds.size() || !fds[v.get<size_t>()])
      return nestlab::make_error(ErrorCode::Protocol,
                                 what + " names no file descriptor of this request (it carried " +
                                     std::to_string(fds.size()) + ")");
    const int fd = fds[v.get<size_t>()].get();
    struct stat st;
    if (::fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
      return nestlab::make_error(ErrorCode::InvalidArgument, what + " is not a regular file");
    return fd;
  };
  auto name_of = [&](const nlohmann::json& o, const char* key,
                     const std::string& fallback) -> HostResult<std::string> {
    if (!o.contains(key)) return fallback;
    if (!o[key].is_string())
      return nestlab::make_error(ErrorCode::Protocol, std::string(key) + " must be a string");
    std::string name = o[key].get<std::string>();
    TRY(check_length(key, name, kMaxImageName));
    if (name.empty() || name.find('\0') != std::string::npos)
      return nestlab::make_error(ErrorCode::InvalidArgument,
                                 std::string(key) + " must be a file name");
    return name;
  };
  if (!params.contains("hypervisor_fd")) {
    if (params.contains("guests"))
      return nestlab::make_error(ErrorCode::InvalidArgument,
                                 "guests need a hypervisor (hypervisor_fd) to run them");
    return {};
  }
  std::vector<int> seen;
  config.hypervisor_fd = TRY(fd_at(params["hypervisor_fd"], "hypervisor_fd"));
  seen.push_back(config.hypervisor_fd);
  config.hypervisor_name = TRY(name_of(params, "hypervisor_name", "hypervisor"));
  if (params.contains("guests")) {
    const nlohmann::json& list = params["guests"];
    if (!list.is_array() || list.size() > 8)
      return nestlab::make_error(ErrorCode::Protocol,
                                 "parameter \"guests\" must be a list of at most 8 {fd, name}");
    for (const auto& g : list) {
      if (!g.is_object() || !g.contains("fd"))
        return nestlab::make_error(ErrorCode::Protocol, "each guest needs \"fd\"");
      int fd = TRY(fd_at(g["fd"], "a guest's fd"));
      for (int s : seen)
        if (s == fd) return nestlab::make_error(ErrorCode::Protocol, "each image needs its own fd");
      seen.push_back(fd);
      config.guest_fds.emplace_back(fd, TRY(name_of(g, "name", "guest")));
    }
  }
  return {};
}

void Kernel::vhv_create(Client& client, Request& request, std::vector<UniqueFd>& fds, Reply reply) {
  auto result = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"name", "mem", "smp", "ephemeral", "tenant", "cpu_weight",
                              "cpu_quota", "hypervisor_fd", "hypervisor_name", "guests"});
    TRY(p.check_unknown());
    auto name = TRY(p.optional_string("name"));
    uint64_t mem = TRY(p.optional_uint("mem", kMinMem, layout::kGuestMaxRam)).value_or(kDefaultMem);
    uint64_t smp = TRY(p.optional_uint("smp", 1, kMaxSmp)).value_or(1);
    bool ephemeral = TRY(p.optional_bool("ephemeral")).value_or(false);
    std::string tenant = TRY(tenant_for(client, TRY(p.optional_string("tenant"))));
    TRY(check_vhv_room(client.uid));
    VhvConfig config;
    config.limits.cpu_weight =
        TRY(p.optional_uint("cpu_weight", 1, userworld::kMaxCpuWeight)).value_or(0);
    config.limits.cpu_quota_percent =
        TRY(p.optional_uint("cpu_quota", 1, 100 * kMaxSmp)).value_or(0);
    config.name = TRY(choose_name(name));
    config.id = name ? TRY(next_id()) : config.name;
    config.owner_uid = client.uid;
    config.mem = mem;
    config.smp = static_cast<int>(smp);
    config.ephemeral = ephemeral;
    config.creator_connection = client.id;
    config.vhv_path = m_options.vhv_path;
    config.tenant = tenant;
    config.cgroup_path = tenant_cgroup(tenant) + "/" + config.id;
    config.jail_root = m_options.jail ? m_options.state_dir + "/jail" : "";
    config.uid_range = m_options.vhv_uids;
    config.state_dir = m_options.state_dir + "/vhvs/" + config.id;
    TRY(take_hypervisor(request.params, fds, config));
    TRY(prepare_tenant_group(tenant));
    // A new VHV's consoles start empty, whatever a VHV before it left.
    m_console_broker.start_fresh(config.id);
    auto vhv = TRY(Vhv::create(m_io, config, *this));
    Vhv* raw = vhv.get();
    m_vhvs[config.id] = std::move(vhv);
    return raw;
  }();
  if (result.is_error()) return reply(Err<Error>{result.release_error()});
  result.value()->when_ready(std::move(reply));
}

void Kernel::vhv_list(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto checked = Params(request.params, {}).check_unknown();
  if (checked.is_error()) return reply(Err<Error>{checked.release_error()});
  json list = json::array();
  for (auto& [id, vhv] : m_vhvs)
    if (client.may_see(vhv->record().owner_uid)) list.push_back(to_json(vhv->record()));
  reply(std::move(list));
}

void Kernel::vhv_inspect(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto found = only_vhv_param(client, request.params);
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  Vhv* vhv = found.value();
  const VmRecord* main = vhv->record().main_vm();
  if (!vhv->alive() || !vhv->was_ready()) {
    json info = to_json(vhv->record());
    info["counters"] = main ? main->counters : json::object();
    info["protocol_errors"] = protocol_errors_json(*vhv);
    return reply(std::move(info));
  }
  std::string id = vhv->record().id;
  vhv->stats(main ? main->id : 0, [this, id, reply = std::move(reply)](HostResult<json> stats) {
    auto it = m_vhvs.find(id);
    if (it == m_vhvs.end())
      return reply(nestlab::make_error(ErrorCode::NotFound, "VHV " + id + " went away"));
    json info = to_json(it->second->record());
    info["counters"] = json::object();
    if (stats.is_ok()) {  // checked (control_checks.h): counts where present
      const json& s = stats.value();
      if (s.contains("counters") && s["counters"].is_object()) info["counters"] = s["counters"];
      if (s.contains("total_exits")) info["total_exits"] = s["total_exits"];
    }
    info["protocol_errors"] = protocol_errors_json(*it->second);
    reply(std::move(info));
  });
}

void Kernel::vhv_destroy(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto found = only_vhv_param(client, request.params);
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  destroy_vhv(found.value()->record().id, [reply = std::move(reply)] { reply(json::object()); });
}

// params.disks: [{"fd": N, "ro": bool, "name": "FILE"}], each fd another of
// the message's (`--disk FILE[,ro]`): checked (disk_check.h) and claimed
// for this kernel's VMs (disk_registry.h). What the highvisor gets:
// [{"sectors": N, "ro": bool}], its fds after the image and initrd.
HostResult<json> Kernel::take_disks(const json& list, std::vector<UniqueFd>& fds,
                                    uint64_t image_index, const std::string& vhv_name,
                                    std::vector<RunDisk>& out) {
  if (!list.is_array() || list.size() > kMaxDisksPerVm)
    return nestlab::make_error(ErrorCode::Protocol,
                               "parameter \"disks\" must be a list of at most " +
                                   std::to_string(kMaxDisksPerVm) + " disks");
  json forward = json::array();
  for (const json& d : list) {
    Params p(d, {"fd", "ro", "name"});
    TRY(p.check_unknown());
    auto index = TRY(p.optional_uint("fd", 0, kMaxFdsPerMessage));
    if (!index || *index == image_index || *index >= fds.size() || !fds[*index])
      return nestlab::make_error(ErrorCode::Protocol,
                                 "a disk's fd names no file descriptor of this request other than "
                                 "the image's and another disk's");
    std::string name = TRY(p.optional_string("name")).value_or("disk");
    TRY(check_length("name", name, kMaxImageName));
    const bool ro = TRY(p.optional_bool("ro")).value_or(false);
    const DiskMode mode = ro ? DiskMode::ReadOnly : DiskMode::ReadWrite;
    UniqueFd fd = std::move(fds[*index]);
    const CheckedDisk disk = TRY(check_disk(fd, mode, name));
    auto claim = TRY(m_disks.claim(disk.dev, disk.ino, mode, name, "a VM of VHV " + vhv_name));
    TRY(lock_disk(fd, mode, name));
    forward.push_back({{"sectors", disk.sectors}, {"ro", ro}});
    out.push_back({std::move(fd), std::move(claim)});
  }
  return forward;
}

void Kernel::vm_run(Client& client, Request& request, std::vector<UniqueFd>& fds, Reply reply) {
  std::string image_name;
  json forward;
  UniqueFd image;
  UniqueFd initrd;
  std::vector<RunDisk> disks;
  std::optional<NetPortGrant> net;
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "image_fd", "image_name", "initrd_fd", "initrd_name", "mem",
                              "append", "smp", "smp_boot", "tick_policy", "guestinfo", "device_map",
                              "pl011", "vm", "weight", "disks", "net"});
    TRY(p.check_unknown());
    std::string which = TRY(p.string("vhv"));
    auto index = TRY(p.optional_uint("image_fd", 0, kMaxFdsPerMessage));
    if (!index)
      return nestlab::make_error(ErrorCode::Protocol, "parameter \"image_fd\" is required");
    if (*index >= fds.size() || !fds[*index])
      return nestlab::make_error(
          ErrorCode::Protocol, "image_fd " + std::to_string(*index) +
                                   " names no file descriptor: this request carried " +
                                   std::to_string(fds.size()) +
                                   " (send them with SCM_RIGHTS on the same sendmsg as the line)");
    struct stat st;
    if (::fstat(fds[*index].get(), &st) < 0 || !S_ISREG(st.st_mode))
      return nestlab::make_error(ErrorCode::InvalidArgument, "image_fd is not a regular file");
    Vhv* vhv = TRY(find_vhv(client, which));
    uint64_t vhv_mem = vhv->record().mem;
    // Without mem the highvisor gives QEMU's default, 128 MiB, or what is
    // left of the VHV's guest RAM when that is less.
    auto asked_mem = TRY(p.optional_uint("mem", 1, layout::kGuestMaxRam));
    uint64_t mem = asked_mem.value_or(vhv_mem);
    if (mem > vhv_mem)
      return nestlab::make_error(
          ErrorCode::InvalidArgument,
          "a VM of " + std::to_string(mem >> 20) + " MiB does not fit: VHV " + vhv->record().name +
              " has " + std::to_string(vhv_mem >> 20) +
              " MiB for guests; ask for less with --mem or make the VHV bigger with `vhv "
              "create --mem`");
    image_name = TRY(p.optional_string("image_name")).value_or("image");
    // Kept in the VHV's record: bounded so that a record always fits.
    TRY(check_length("image_name", image_name, kMaxImageName));
    std::string append = TRY(p.optional_string("append")).value_or("");
    // The guest's /chosen/bootargs (vhv/common/boot_params.h).
    TRY(check_length("append", append, kMaxAppend));
    uint64_t smp = TRY(p.optional_uint("smp", 1, kMaxSmp)).value_or(1);
    std::string smp_boot = TRY(p.optional_string("smp_boot")).value_or("psci");
    if (smp_boot != "psci" && smp_boot != "mailbox")
      return nestlab::make_error(
          ErrorCode::InvalidArgument,
          "smp_boot must be \"psci\" or \"mailbox\", not " + text_preview(smp_boot));
    // Issue 13: which slot (default: the lowest free one) and the VM's
    // scheduler weight against the VHV's other VMs.
    auto vm = TRY(p.optional_uint("vm", 0, 1u << 16));
    if (vm) TRY(check_vm_id(*vm));
    uint64_t weight = TRY(p.optional_uint("weight", 1, kMaxWeight)).value_or(1);
    if (!vhv->alive())
      return nestlab::make_error(ErrorCode::Unavailable, "VHV " + vhv->record().name + " is " +
                                                             vhv_state_name(vhv->record().state));
    TRY(check_vm_room(vhv->record(), vm));
    forward = json{{"append", append},
                   {"smp", smp},
                   {"smp_boot", smp_boot},
                   {"image_name", image_name},
                   {"weight", weight}};
    if (asked_mem) forward["mem"] = *asked_mem;
    if (vm) forward["vm"] = *vm;
    // Where the guest's PL011 is (the lab grader moves it); the highvisor
    // checks that the page is free.
    if (auto pl011 = TRY(p.optional_uint("pl011", 1, layout::kGuestDeviceLimit)))
      forward["pl011"] = *pl011;
    if (auto map = TRY(p.optional_string("device_map")))  // S9: the highvisor checks it
      forward["device_map"] = *map;
    if (auto policy = TRY(p.optional_string("tick_policy")))  // S10: kernel/pause_methods.cpp
      forward["tick_policy"] = TRY(check_tick_policy(*policy));
    // Keys the guest finds already set when it starts (the lab grader's
    // secret); the highvisor checks each key and value as guestinfo.set does.
    if (auto gi = request.params.find("guestinfo"); gi != request.params.end()) {
      bool ok = gi->is_object() && gi->size() <= 16;
      if (ok)
        for (const auto& value : *gi) ok = ok && value.is_string();
      if (!ok)
        return nestlab::make_error(ErrorCode::Protocol,
                                   "parameter \"guestinfo\" must be an object of at most 16 "
                                   "string values");
      forward["guestinfo"] = *gi;
    }
    // The initrd (QEMU's -initrd): another fd of the same message, no larger
    // than the guest's RAM; the highvisor checks that it fits after the kernel.
    if (auto initrd_index = TRY(p.optional_uint("initrd_fd", 0, kMaxFdsPerMessage))) {
      if (*initrd_index == *index || *initrd_index >= fds.size() || !fds[*initrd_index])
        return nestlab::make_error(ErrorCode::Protocol,
                                   "initrd_fd " + std::to_string(*initrd_index) +
                                       " names no file descriptor other than image_fd: this "
                                       "request carried " +
                                       std::to_string(fds.size()));
      if (::fstat(fds[*initrd_index].get(), &st) < 0 || !S_ISREG(st.st_mode))
        return nestlab::make_error(ErrorCode::InvalidArgument, "initrd_fd is not a regular file");
      const auto size = static_cast<uint64_t>(st.st_size);
      if (size == 0) return nestlab::make_error(ErrorCode::InvalidArgument, "the initrd is empty");
      if (size > mem)
        return nestlab::make_error(ErrorCode::InvalidArgument,
                                   "the initrd is " + std::to_string(size) +
                                       " bytes, more than the guest's RAM (" + std::to_string(mem) +
                                       " bytes); give the guest more memory");
      std::string initrd_name = TRY(p.optional_string("initrd_name")).value_or("initrd");
      TRY(check_length("initrd_name", initrd_name, kMaxImageName));
      forward["initrd"] = true;
      forward["initrd_name"] = initrd_name;
      initrd = std::move(fds[*initrd_index]);
    }
    if (auto list = request.params.find("disks"); list != request.params.end()) {
      forward["disks"] = TRY(take_disks(*list, fds, *index, vhv->record().name, disks));
      // The disks' fds follow the image and initrd in the forwarded run.
    }
    // Last, after every check that can fail: a port on the lab network.
    net = TRY(take_net(request.params, *vhv, forward));
    image = std::move(fds[*index]);
    return vhv;
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  found.value()->run(forward, std::move(image), std::move(initrd), std::move(disks), std::move(net),
                     image_name, std::move(reply));
}

void Kernel::events_subscribe(Client& client, Request& request, std::vector<UniqueFd>&,
                              Reply reply) {
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv"});
    TRY(p.check_unknown());
    auto which = TRY(p.optional_string("vhv"));
    if (!which) return static_cast<Vhv*>(nullptr);
    return find_vhv(client, *which);
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  bool is_new =
      found.value() ? !client.event_vhvs.count(found.value()->record().id) : !client.events_all;
  if (is_new) {
    if (auto room = check_subscription_room(client); room.is_error())
      return reply(Err<Error>{room.release_error()});
  }
  if (found.value())
    client.event_vhvs.insert(found.value()->record().id);
  else
    client.events_all = true;
  reply(json::object());
}

void Kernel::console_subscribe(Client& client, Request& request, std::vector<UniqueFd>&,
                               Reply reply) {
  int vm = -1;
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm"});
    TRY(p.check_unknown());
    Vhv* vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    auto which = TRY(p.optional_uint("vm", 0, 1u << 16));
    if (which) vm = TRY(check_vm_id(*which));
    if (!client.consoles.count({vhv->record().id, vm})) TRY(check_subscription_room(client));
    return vhv;
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  const VhvRecord& r = found.value()->record();
  client.consoles.insert({r.id, vm});
  reply(json::object());
  // What the guest printed before the subscription, oldest first; the reply
  // above is queued ahead of it.
  for (const auto& chunk : found.value()->console().chunks())
    if (vm < 0 || chunk.vm == vm)
      send(client,
           make_notification("console", {{"vhv", r.id}, {"vm", chunk.vm}, {"data", chunk.data}}));
}

}  // namespace nestlab::kernel
