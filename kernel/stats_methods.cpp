// `vhv.stats`: what a VHV's resource group has used (userworld/cgroup_usage.h),
// read from its cgroup on every call. A VHV without a cgroup (session mode
// without delegation) says so instead of reporting figures nobody limits.
#include "kernel/kernel.h"
#include "kernel/params.h"
#include "userworld/cgroup.h"
#include "userworld/cgroup_usage.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

json optional_number(const std::optional<uint64_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

void Kernel::vhv_stats(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto found = only_vhv_param(client, request.params);
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  const VhvRecord& r = found.value()->record();
  json result{{"vhv", r.id},
              {"name", r.name},
              {"state", vhv_state_name(r.state)},
              {"limits", r.limits},
              {"cgroup", r.cgroup ? json(*r.cgroup) : json(nullptr)}};
  if (!r.cgroup || !found.value()->alive()) {
    result["usage"] = nullptr;
    result["note"] = r.cgroup ? "the VHV is not running" : "no cgroup: limits are rlimits only";
    return reply(std::move(result));
  }
  auto version =
      userworld::cgroup_v2_unified() ? userworld::CgroupVersion::V2 : userworld::CgroupVersion::V1;
  auto usage = userworld::read_cgroup_usage(r.cgroup->substr(1), version);
  if (usage.is_error()) return reply(Err<Error>{usage.release_error()});
  const auto& u = usage.value();
  result["usage"] = {
      {"cpu_ns", u.cpu_ns},
      {"memory",
       {{"current", u.memory_current},
        {"peak", u.memory_peak},
        {"limit", optional_number(u.memory_limit)},
        {"limit_hits", u.memory_limit_hits},
        {"oom_kills", u.oom_kills}}},
      {"pids", {{"current", u.pids_current}, {"limit", optional_number(u.pids_limit)}}}};
  reply(std::move(result));
}

}  // namespace nestlab::kernel
