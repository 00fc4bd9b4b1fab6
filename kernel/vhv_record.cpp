#include "kernel/vhv_record.h"

#include <algorithm>
#include <climits>

#include "kernel/vm_ids.h"

namespace nestlab::kernel {

namespace {
// What a record may say; vm_ids.h and boot_params.h bound what the API accepts.
constexpr uint64_t kMaxRecordVmId = kMaxVmId;
constexpr uint64_t kMaxRecordWeight = 10000;
}  // namespace

const char* vhv_state_name(VhvState s) {
  switch (s) {
    case VhvState::Starting: return "starting";
    case VhvState::Ready: return "ready";
    case VhvState::Running: return "running";
    case VhvState::Stopped: return "stopped";
    case VhvState::Failed: return "failed";
  }
  return "failed";
}

HostResult<void> check_length(const char* what, const std::string& value, size_t max) {
  if (value.size() <= max) return {};
  return make_error(ErrorCode::InvalidArgument,
                    std::string(what) + " is " + std::to_string(value.size()) +
                        " bytes long; at most " + std::to_string(max) + " are allowed");
}

std::string bounded(const std::string& value, size_t max) {
  if (value.size() <= max) return value;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
  return value.substr(0, end);
}

VmRecord* VhvRecord::find_vm(int id) {
  for (auto& v : vms)
    if (v.id == id) return &v;
  return nullptr;
}

const VmRecord* VhvRecord::find_vm(int id) const {
  for (const auto& v : vms)
    if (v.id == id) return &v;
  return nullptr;
}

const VmRecord* VhvRecord::main_vm() const {
  if (const VmRecord* zero = find_vm(0)) return zero;
  const VmRecord* newest = nullptr;
  for (const auto& v : vms)
    if (!newest || v.run_seq > newest->run_seq) newest = &v;
  return newest;
}

VmRecord& VhvRecord::vm_slot(int id) {
  if (VmRecord* v = find_vm(id)) return *v;
  auto at = vms.begin();
  while (at != vms.end() && at->id < id) ++at;
  VmRecord fresh;
  fresh.id = id;
  return *vms.insert(at, fresh);
}

bool VhvRecord::any_vm_running() const {
  for (const auto& v : vms)
    if (v.state == "running" || v.state == "stopping" || v.state == "starting") return true;
  return false;
}

nlohmann::json vm_to_json(const VmRecord& v) {
  nlohmann::json vm{{"id", v.id},         {"vm", v.id},   {"image", v.image}, {"state", v.state},
                    {"weight", v.weight}, {"smp", v.smp}, {"mem", v.mem}};
  vm["exit_code"] = v.exit_code ? nlohmann::json(*v.exit_code) : nlohmann::json(nullptr);
  if (!v.reason.empty()) vm["reason"] = v.reason;
  if (!v.message.empty()) vm["message"] = v.message;
  if (!v.net.empty()) {
    vm["net"] = v.net;
    vm["mac"] = v.mac;
  }
  return vm;
}

nlohmann::json to_json(const VhvRecord& r) {
  nlohmann::json j{{"id", r.id},
                   {"name", r.name},
                   {"state", vhv_state_name(r.state)},
                   {"owner_uid", r.owner_uid},
                   {"pid", r.pid},
                   {"mem", r.mem},
                   {"smp", r.smp},
                   {"created", r.created},
                   {"ephemeral", r.ephemeral},
                   {"limits", r.limits},
                   {"host_uid", r.host_uid}};
  j["cgroup"] = r.cgroup ? nlohmann::json(*r.cgroup) : nlohmann::json(nullptr);
  if (r.qemu_pid) j["qemu_pid"] = *r.qemu_pid;
  if (!r.message.empty()) j["message"] = r.message;
  if (!r.hypervisor.empty()) j["hypervisor"] = r.hypervisor;
  j["tenant"] = r.tenant;
  j["cpu_weight"] = r.cpu_weight ? nlohmann::json(r.cpu_weight) : nlohmann::json(nullptr);
  j["cpu_quota"] = r.cpu_quota ? nlohmann::json(r.cpu_quota) : nlohmann::json(nullptr);
  j["memory_limit"] = r.memory_limit ? nlohmann::json(*r.memory_limit) : nlohmann::json(nullptr);
  j["memory_events"] = {{"limit_hits", r.memory_limit_hits}, {"oom_kills", r.oom_kills}};
  if (!r.memory_event.empty()) j["memory_events"]["last"] = r.memory_event;
  if (r.adopted) j["adopted"] = true;
  j["paused"] = r.paused;
  if (const VmRecord* main = r.main_vm()) {
    // As before issue 13: exit_code only when there is one.
    nlohmann::json vm = vm_to_json(*main);
    if (!main->exit_code) vm.erase("exit_code");
    j["vm"] = std::move(vm);
  }
  j["vms"] = nlohmann::json::array();
  for (const auto& v : r.vms) j["vms"].push_back(vm_to_json(v));
  return j;
}

nlohmann::json record_to_state(const VhvRecord& r) {
  nlohmann::json j{{"id", r.id},
                   {"name", r.name},
                   {"owner_uid", r.owner_uid},
                   {"pid", r.pid},
                   {"start_time", r.start_time},
                   {"host_uid", r.host_uid},
                   {"mem", r.mem},
                   {"smp", r.smp},
                   {"created", r.created},
                   {"ephemeral", r.ephemeral},
                   {"limits", r.limits},
                   {"state", vhv_state_name(r.state)},
                   {"tenant", r.tenant},
                   {"cpu_weight", r.cpu_weight},
                   {"cpu_quota", r.cpu_quota},
                   {"memory_limit_hits", r.memory_limit_hits},
                   {"oom_kills", r.oom_kills}};
  if (!r.hypervisor.empty()) j["hypervisor"] = r.hypervisor;
  j["cgroup"] = r.cgroup ? nlohmann::json(*r.cgroup) : nlohmann::json(nullptr);
  j["memory_limit"] = r.memory_limit ? nlohmann::json(*r.memory_limit) : nlohmann::json(nullptr);
  auto vm_state = [](const VmRecord& v) {
    nlohmann::json vm{{"id", v.id},           {"image", v.image},  {"state", v.state},
                      {"weight", v.weight},   {"smp", v.smp},      {"mem", v.mem},
                      {"run_seq", v.run_seq}, {"reason", v.reason}};
    if (v.exit_code) vm["exit_code"] = *v.exit_code;
    if (!v.net.empty()) {
      vm["net"] = v.net;
      vm["mac"] = v.mac;
    }
    return vm;
  };
  // "vm" as a kernel from before issue 13 wrote and reads it; "vms" all of them.
  if (const VmRecord* main = r.main_vm()) j["vm"] = vm_state(*main);
  j["vms"] = nlohmann::json::array();
  for (const auto& v : r.vms) j["vms"].push_back(vm_state(v));
  j["next_run_seq"] = r.next_run_seq;
  return j;
}

HostResult<VhvRecord> record_from_state(const nlohmann::json& j) {
  using nlohmann::json;
  auto bad = [](const std::string& field) {
    return make_error(ErrorCode::Protocol,
                      "field \"" + field + "\" is missing or of the wrong type");
  };
  auto str = [&](const char* k, std::string& out) {
    if (!j.contains(k) || !j[k].is_string() ||
        j[k].get_ref<const std::string&>().size() > kMaxRecordString)
      return false;
    out = j[k].get<std::string>();
    return true;
  };
  auto uint = [&](const char* k, auto& out) {
    if (!j.contains(k) || !j[k].is_number_unsigned()) return false;
    out = j[k].get<std::remove_reference_t<decltype(out)>>();
    return true;
  };
  VhvRecord r;
  if (!j.is_object()) return bad("(record)");
  if (!str("id", r.id)) return bad("id");
  if (!str("name", r.name)) return bad("name");
  if (!uint("owner_uid", r.owner_uid)) return bad("owner_uid");
  if (!j.contains("pid") || !j["pid"].is_number_integer()) return bad("pid");
  r.pid = j["pid"].get<pid_t>();
  if (!uint("start_time", r.start_time)) return bad("start_time");
  uint("host_uid", r.host_uid);  // records from before it was kept lack it
  if (!uint("mem", r.mem)) return bad("mem");
  if (!j.contains("smp") || !j["smp"].is_number_integer()) return bad("smp");
  r.smp = j["smp"].get<int>();
  if (!j.contains("created") || !j["created"].is_number_integer()) return bad("created");
  r.created = j["created"].get<int64_t>();
  if (!j.contains("ephemeral") || !j["ephemeral"].is_boolean()) return bad("ephemeral");
  r.ephemeral = j["ephemeral"].get<bool>();
  if (!str("limits", r.limits)) return bad("limits");
  if (!str("tenant", r.tenant)) return bad("tenant");
  if (j.contains("hypervisor") && !str("hypervisor", r.hypervisor)) return bad("hypervisor");
  if (!uint("cpu_weight", r.cpu_weight)) return bad("cpu_weight");
  if (!uint("cpu_quota", r.cpu_quota)) return bad("cpu_quota");
  uint("memory_limit_hits", r.memory_limit_hits);
  uint("oom_kills", r.oom_kills);
  if (j.contains("cgroup") && j["cgroup"].is_string()) {
    r.cgroup = j["cgroup"].get<std::string>();
    TRY(check_length("field \"cgroup\"", *r.cgroup, kMaxRecordString));
  }
  if (j.contains("memory_limit") && j["memory_limit"].is_number_unsigned())
    r.memory_limit = j["memory_limit"].get<uint64_t>();
  std::string state;
  if (!str("state", state)) return bad("state");
  r.state = state == "ready"     ? VhvState::Ready
            : state == "running" ? VhvState::Running
            : state == "stopped" ? VhvState::Stopped
            : state == "failed"  ? VhvState::Failed
                                 : VhvState::Starting;
  // One VM from the record. Records from before issue 13 have only "vm"
  // with id, image and state.
  auto read_vm = [&](const json& vm, const std::string& where) -> HostResult<VmRecord> {
    VmRecord v;
    if (!vm.is_object()) return bad(where);
    if (!vm.contains("id") || !vm["id"].is_number_integer() || vm["id"].get<int64_t>() < 0 ||
        vm["id"].get<int64_t>() > static_cast<int64_t>(kMaxRecordVmId))
      return bad(where + ".id");
    v.id = vm["id"].get<int>();
    auto text = [&](const char* k) {
      return vm.value(k, json("")).is_string() ? vm.value(k, std::string()) : std::string();
    };
    v.image = text("image");
    v.state = text("state");
    v.reason = text("reason");
    TRY(check_length(("field \"" + where + ".image\"").c_str(), v.image, kMaxImageName));
    TRY(check_length(("field \"" + where + ".state\"").c_str(), v.state, kMaxRecordString));
    TRY(check_length(("field \"" + where + ".reason\"").c_str(), v.reason, kMaxRecordString));
    v.net = text("net");
    v.mac = text("mac");
    TRY(check_length(("field \"" + where + ".net\"").c_str(), v.net, 32));
    TRY(check_length(("field \"" + where + ".mac\"").c_str(), v.mac, 17));
    auto count = [&](const char* k, uint64_t max, uint64_t fallback) {
      auto it = vm.find(k);
      return it != vm.end() && it->is_number_integer() && it->get<int64_t>() >= 0 &&
                     it->get<uint64_t>() <= max
                 ? it->get<uint64_t>()
                 : fallback;
    };
    v.weight = count("weight", kMaxRecordWeight, 1);
    v.smp = static_cast<int>(count("smp", 64, 1));
    v.mem = count("mem", UINT64_MAX, 0);
    v.run_seq = count("run_seq", UINT64_MAX, 0);
    if (vm.contains("exit_code") && vm["exit_code"].is_number_integer() &&
        vm["exit_code"].get<int64_t>() >= INT32_MIN && vm["exit_code"].get<int64_t>() <= INT32_MAX)
      v.exit_code = vm["exit_code"].get<int>();
    return v;
  };
  if (j.contains("vms")) {
    if (!j["vms"].is_array() || j["vms"].size() > kMaxRecordVmId + 1) return bad("vms");
    for (size_t i = 0; i < j["vms"].size(); ++i) {
      VmRecord v = TRY(read_vm(j["vms"][i], "vms[" + std::to_string(i) + "]"));
      if (r.find_vm(v.id)) return bad("vms[" + std::to_string(i) + "].id (twice)");
      r.vm_slot(v.id) = v;
    }
  } else if (j.contains("vm") && j["vm"].is_object()) {
    VmRecord v = TRY(read_vm(j["vm"], "vm"));
    r.vm_slot(v.id) = v;
  }
  uint64_t seq = 0;
  for (const auto& v : r.vms) seq = std::max(seq, v.run_seq);
  r.next_run_seq = seq + 1;
  if (j.contains("next_run_seq") && j["next_run_seq"].is_number_unsigned())
    r.next_run_seq = std::max(r.next_run_seq, j["next_run_seq"].get<uint64_t>());
  return r;
}

}  // namespace nestlab::kernel
