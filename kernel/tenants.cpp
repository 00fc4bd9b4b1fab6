#include "kernel/tenants.h"

#include <pwd.h>
#include <unistd.h>

#include <vector>

#include "kernel/state_file.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {
json optional_number(uint64_t v) { return v ? json(v) : json(nullptr); }
}  // namespace

json to_json(const TenantLimits& l) {
  return {{"memory", optional_number(l.memory)},
          {"cpu_weight", optional_number(l.cpu_weight)},
          {"cpu_quota", optional_number(l.cpu_quota)},
          {"pids", optional_number(l.pids)}};
}

userworld::CgroupLimits to_cgroup_limits(const TenantLimits& l) {
  userworld::CgroupLimits c;
  c.memory_bytes = l.memory;
  c.pids = l.pids;
  c.cpu_weight = l.cpu_weight;
  c.cpu_quota_percent = l.cpu_quota;
  return c;
}

HostResult<void> TenantTable::load() {
  m_limits.clear();
  if (::access(m_path.c_str(), F_OK) != 0) return {};
  json payload = TRY(read_state_file(m_path, "tenants"));
  if (!payload.contains("tenants") || !payload["tenants"].is_object())
    return make_error(ErrorCode::Protocol, m_path + ": no \"tenants\" object");
  std::map<std::string, TenantLimits> loaded;
  for (const auto& [name, j] : payload["tenants"].items()) {
    if (validate_tenant_name(name).is_error() || !j.is_object())
      return make_error(ErrorCode::Protocol, m_path + ": bad entry \"" + name + "\"");
    TenantLimits l;
    auto get = [&](const char* key, uint64_t& out) {
      if (j.contains(key) && j[key].is_number_unsigned()) out = j[key].get<uint64_t>();
    };
    get("memory", l.memory);
    get("cpu_weight", l.cpu_weight);
    get("cpu_quota", l.cpu_quota);
    get("pids", l.pids);
    loaded[name] = l;
  }
  m_limits = std::move(loaded);
  return {};
}

HostResult<void> TenantTable::save() const {
  json tenants = json::object();
  for (const auto& [name, l] : m_limits)
    tenants[name] = {{"memory", l.memory},
                     {"cpu_weight", l.cpu_weight},
                     {"cpu_quota", l.cpu_quota},
                     {"pids", l.pids}};
  return write_state_file(m_path, "tenants", {{"tenants", tenants}});
}

TenantLimits TenantTable::limits(const std::string& tenant) const {
  auto it = m_limits.find(tenant);
  return it == m_limits.end() ? TenantLimits{} : it->second;
}

void TenantTable::set(const std::string& tenant, const TenantLimits& limits) {
  if (limits.any())
    m_limits[tenant] = limits;
  else
    m_limits.erase(tenant);
}

HostResult<void> validate_tenant_name(const std::string& name) {
  auto bad = [&] {
    return make_error(ErrorCode::InvalidArgument,
                      "bad tenant name \"" + name +
                          "\": use 1 to 32 of a-z, 0-9, '_', '.', '-', starting with a letter "
                          "or '_'");
  };
  if (name.empty() || name.size() > 32) return bad();
  if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return bad();
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      return bad();
  return {};
}

std::string default_tenant(uid_t uid) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found &&
      validate_tenant_name(found->pw_name).is_ok())
    return found->pw_name;
  return "uid-" + std::to_string(uid);
}

}  // namespace nestlab::kernel
