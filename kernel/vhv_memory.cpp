// Memory-limit events (issue 3): a VHV's resource group counts how often
// it hit its memory limit and how many of its processes the OOM killer
// ended (v1 memory.failcnt and memory.oom_control "oom_kill", v2
// memory.events "max" and "oom_kill"; userworld/cgroup_usage.h). A rise is
// an event on the kernel's bus and the last one is kept for `vhv inspect`.
#include "kernel/log.h"
#include "kernel/vhv.h"
#include "userworld/cgroup_usage.h"

namespace nestlab::kernel {

void Vhv::poll_memory() {
  if (!m_record.cgroup) return;
  auto usage =
      userworld::read_memory_events(m_record.cgroup->substr(1), userworld::host_cgroup_version());
  if (usage.is_error()) return;  // the group is gone already
  const auto& u = usage.value();
  std::string limit =
      u.memory_limit ? std::to_string(*u.memory_limit >> 20) + " MiB" : std::string("none");
  bool changed = false;
  if (u.oom_kills > m_record.oom_kills) {
    uint64_t n = u.oom_kills - m_record.oom_kills;
    m_record.memory_event = std::to_string(n) + (n == 1 ? " process" : " processes") +
                            " OOM-killed at the memory limit (" + limit + ")";
    m_record.oom_kills = u.oom_kills;
    m_record.memory_limit_hits = u.memory_limit_hits;
    log("vhv", m_record.id + ": " + m_record.memory_event);
    m_observer.on_vhv_event(*this, {{"type", "oom-kill"},
                                    {"oom_kills", u.oom_kills},
                                    {"limit_hits", u.memory_limit_hits},
                                    {"limit", u.memory_limit ? nlohmann::json(*u.memory_limit)
                                                             : nlohmann::json(nullptr)},
                                    {"message", m_record.memory_event}});
    changed = true;
  } else if (u.memory_limit_hits > m_record.memory_limit_hits) {
    m_record.memory_event = "reached its memory limit (" + limit + ") " +
                            std::to_string(u.memory_limit_hits) + " times so far";
    m_record.memory_limit_hits = u.memory_limit_hits;
    m_observer.on_vhv_event(*this, {{"type", "memory-limit"},
                                    {"limit_hits", u.memory_limit_hits},
                                    {"oom_kills", u.oom_kills},
                                    {"limit", u.memory_limit ? nlohmann::json(*u.memory_limit)
                                                             : nlohmann::json(nullptr)},
                                    {"message", m_record.memory_event}});
    changed = true;
  }
  if (changed && alive()) persist();
}

}  // namespace nestlab::kernel
