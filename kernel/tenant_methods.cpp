// Tenants through the API (protocols.md "Tenants and resource groups"):
// tenant.list shows each tenant's limits, its VHVs and what its group uses;
// tenant.set (root or the admin group) changes the limits, applies them to
// the tenant's group at once and keeps them in the state directory.
#include <set>

#include "kernel/kernel.h"
#include "kernel/log.h"
#include "kernel/params.h"
#include "userworld/cgroup.h"
#include "userworld/cgroup_usage.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

json optional_number(const std::optional<uint64_t>& v) { return v ? json(*v) : json(nullptr); }

bool is_admin(const Client& client) { return client.uid == 0 || client.admin; }

}  // namespace

std::string Kernel::tenant_cgroup(const std::string& tenant) const {
  return m_options.cgroup_parent + "/" + tenant;
}

void Kernel::load_tenants() {
  if (auto loaded = m_tenants.load(); loaded.is_error()) log("state", loaded.error().message);
}

HostResult<std::string> Kernel::tenant_for(const Client& client,
                                           const std::optional<std::string>& wanted) {
  // Every VHV is in a tenant, and a damaged table cannot say its limits.
  TRY(m_tenants.usable());
  std::string own = default_tenant(client.uid);
  if (!wanted || *wanted == own) return own;
  TRY(validate_tenant_name(*wanted));
  if (!is_admin(client))
    return nestlab::make_error(ErrorCode::PermissionDenied,
                               "only root or the admin group may put a VHV in another tenant than "
                               "your own (\"" +
                                   own + "\")");
  return *wanted;
}

HostResult<void> Kernel::prepare_tenant_group(const std::string& tenant) {
  TRY(m_tenants.usable());
  auto made =
      userworld::ensure_cgroup(tenant_cgroup(tenant), to_cgroup_limits(m_tenants.limits(tenant)));
  // Without it the VHV's own group fails too and the VHV runs on rlimits
  // only, which its VhvInfo says; the log says why.
  if (made.is_error()) log("userworld", "tenant " + tenant + ": " + made.error().message);
  return {};
}

void Kernel::release_tenant_group(const std::string& tenant) {
  if (tenant.empty()) return;
  for (auto& [id, vhv] : m_vhvs)
    if (vhv->record().tenant == tenant && vhv->alive()) return;
  // Its limits stay in tenants.json and come back with the next VHV.
  userworld::remove_cgroup_if_empty(tenant_cgroup(tenant));
}

void Kernel::tenant_list(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto checked = Params(request.params, {}).check_unknown();
  if (checked.is_error()) return reply(Err<Error>{checked.release_error()});
  if (auto usable = m_tenants.usable(); usable.is_error())
    return reply(Err<Error>{usable.release_error()});
  std::set<std::string> names;
  if (is_admin(client))
    for (const auto& [name, _] : m_tenants.all()) names.insert(name);
  names.insert(default_tenant(client.uid));
  for (auto& [id, vhv] : m_vhvs)
    if (client.may_see(vhv->record().owner_uid)) names.insert(vhv->record().tenant);
  json list = json::array();
  for (const auto& name : names) {
    if (name.empty()) continue;
    json vhvs = json::array();
    for (auto& [id, vhv] : m_vhvs)
      if (vhv->record().tenant == name && client.may_see(vhv->record().owner_uid))
        vhvs.push_back(vhv->record().name);
    std::string group = tenant_cgroup(name);
    json entry{{"tenant", name},
               {"limits", to_json(m_tenants.limits(name))},
               {"vhvs", vhvs},
               {"cgroup", nullptr},
               {"usage", nullptr}};
    if (userworld::cgroup_exists(group)) {
      entry["cgroup"] = "/" + group;
      auto usage = userworld::read_cgroup_usage(group, userworld::host_cgroup_version());
      if (usage.is_ok()) {
        const auto& u = usage.value();
        entry["usage"] = {
            {"cpu_ns", u.cpu_ns},
            {"memory",
             {{"current", u.memory_current},
              {"peak", u.memory_peak},
              {"limit", optional_number(u.memory_limit)},
              {"limit_hits", u.memory_limit_hits},
              {"oom_kills", u.oom_kills}}},
            {"pids", {{"current", u.pids_current}, {"limit", optional_number(u.pids_limit)}}}};
      }
    }
    list.push_back(std::move(entry));
  }
  reply(std::move(list));
}

void Kernel::tenant_set(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto result = [&]() -> HostResult<json> {
    Params p(request.params, {"tenant", "memory", "cpu_weight", "cpu_quota", "pids"});
    TRY(p.check_unknown());
    std::string tenant = TRY(p.string("tenant"));
    TRY(validate_tenant_name(tenant));
    if (!is_admin(client))
      return nestlab::make_error(ErrorCode::PermissionDenied,
                                 "only root or the admin group may set tenant limits");
    TRY(m_tenants.usable());
    // Omitted: unchanged; 0: no limit.
    TenantLimits l = m_tenants.limits(tenant);
    if (auto v = TRY(p.optional_uint("memory", 0, UINT64_MAX))) {
      if (*v && *v < (16u << 20))
        return nestlab::make_error(ErrorCode::InvalidArgument,
                                   "a memory limit below 16 MiB cannot hold a VHV");
      l.memory = *v;
    }
    if (auto v = TRY(p.optional_uint("cpu_weight", 0, userworld::kMaxCpuWeight))) l.cpu_weight = *v;
    if (auto v = TRY(p.optional_uint("cpu_quota", 0, 100000))) l.cpu_quota = *v;
    if (auto v = TRY(p.optional_uint("pids", 0, 1u << 22))) l.pids = *v;
    // Applied first: a limit the host refuses (below what the tenant uses
    // now, a v1 quota under a VHV's) is an error and nothing is kept.
    auto applied = userworld::ensure_cgroup(tenant_cgroup(tenant), to_cgroup_limits(l));
    if (applied.is_error()) {
      Error e = applied.release_error();
      return nestlab::make_error(e.code, "tenant " + tenant + ": " + e.message);
    }
    m_tenants.set(tenant, l);
    TRY(m_tenants.save());
    log("tenant",
        tenant + ": limits set by uid " + std::to_string(client.uid) + ": " + to_json(l).dump());
    release_tenant_group(tenant);  // a group with no VHVs need not exist yet
    return json{{"tenant", tenant}, {"limits", to_json(l)}};
  }();
  reply(std::move(result));
}

}  // namespace nestlab::kernel
