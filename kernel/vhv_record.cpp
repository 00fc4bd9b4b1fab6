#include "kernel/vhv_record.h"

namespace nestlab::kernel {

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
  j["tenant"] = r.tenant;
  j["cpu_weight"] = r.cpu_weight ? nlohmann::json(r.cpu_weight) : nlohmann::json(nullptr);
  j["cpu_quota"] = r.cpu_quota ? nlohmann::json(r.cpu_quota) : nlohmann::json(nullptr);
  j["memory_limit"] = r.memory_limit ? nlohmann::json(*r.memory_limit) : nlohmann::json(nullptr);
  j["memory_events"] = {{"limit_hits", r.memory_limit_hits}, {"oom_kills", r.oom_kills}};
  if (!r.memory_event.empty()) j["memory_events"]["last"] = r.memory_event;
  if (r.adopted) j["adopted"] = true;
  j["paused"] = r.paused;
  if (r.vm) {
    nlohmann::json vm{{"id", r.vm->id}, {"image", r.vm->image}, {"state", r.vm->state}};
    if (r.vm->exit_code) vm["exit_code"] = *r.vm->exit_code;
    if (!r.vm->reason.empty()) vm["reason"] = r.vm->reason;
    if (!r.vm->message.empty()) vm["message"] = r.vm->message;
    j["vm"] = std::move(vm);
  }
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
  j["cgroup"] = r.cgroup ? nlohmann::json(*r.cgroup) : nlohmann::json(nullptr);
  j["memory_limit"] = r.memory_limit ? nlohmann::json(*r.memory_limit) : nlohmann::json(nullptr);
  if (r.vm) j["vm"] = {{"id", r.vm->id}, {"image", r.vm->image}, {"state", r.vm->state}};
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
  if (j.contains("vm") && j["vm"].is_object()) {
    const json& vm = j["vm"];
    VmRecord v;
    if (!vm.contains("id") || !vm["id"].is_number_integer()) return bad("vm.id");
    v.id = vm["id"].get<int>();
    v.image = vm.value("image", json("")).is_string() ? vm.value("image", std::string()) : "";
    v.state = vm.value("state", json("")).is_string() ? vm.value("state", std::string()) : "";
    TRY(check_length("field \"vm.image\"", v.image, kMaxImageName));
    TRY(check_length("field \"vm.state\"", v.state, kMaxRecordString));
    r.vm = v;
  }
  return r;
}

}  // namespace nestlab::kernel
