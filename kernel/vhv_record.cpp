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
                   {"limits", r.limits}};
  j["cgroup"] = r.cgroup ? nlohmann::json(*r.cgroup) : nlohmann::json(nullptr);
  if (r.qemu_pid) j["qemu_pid"] = *r.qemu_pid;
  if (!r.message.empty()) j["message"] = r.message;
  if (r.vm) {
    nlohmann::json vm{{"id", r.vm->id}, {"image", r.vm->image}, {"state", r.vm->state}};
    if (r.vm->exit_code) vm["exit_code"] = *r.vm->exit_code;
    if (!r.vm->reason.empty()) vm["reason"] = r.vm->reason;
    if (!r.vm->message.empty()) vm["message"] = r.vm->message;
    j["vm"] = std::move(vm);
  }
  return j;
}

}  // namespace nestlab::kernel
