#include "kernel/tenants.h"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <utility>
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

HostResult<void> TenantTable::read() {
  m_limits.clear();
  if (::access(m_path.c_str(), F_OK) != 0) return {};
  json payload = TRY(read_state_file(m_path, "tenants"));
  if (!payload.contains("tenants") || !payload["tenants"].is_object())
    return make_error(ErrorCode::Protocol, m_path + ": no \"tenants\" object");
  std::map<std::string, TenantLimits> loaded;
  for (const auto& [name, j] : payload["tenants"].items()) {
    if (validate_tenant_name(name).is_error() || !j.is_object())
      return make_error(ErrorCode::Protocol, m_path + ": bad entry \"" + name.substr(0, 64) + "\"");
    TenantLimits l;
    for (auto [key, out] : {std::pair{"memory", &l.memory}, std::pair{"cpu_weight", &l.cpu_weight},
                            std::pair{"cpu_quota", &l.cpu_quota}, std::pair{"pids", &l.pids}}) {
      if (!j.contains(key)) continue;
      if (!j[key].is_number_unsigned())
        return make_error(ErrorCode::Protocol,
                          m_path + ": tenant \"" + name + "\" has a bad \"" + key + "\"");
      *out = j[key].get<uint64_t>();
    }
    loaded[name] = l;
  }
  m_limits = std::move(loaded);
  return {};
}

HostResult<void> TenantTable::load() {
  auto loaded = read();
  if (loaded.is_ok()) {
    m_damage.clear();
    return {};
  }
  bool first = m_damage.empty();
  m_damage = loaded.error().message;
  m_limits.clear();
  if (first) {
    // The damaged bytes, kept for a person to look at whatever happens to
    // the file itself later.
    std::error_code ec;
    std::filesystem::copy_file(m_path, m_path + ".bad",
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  return damage_error();
}

Err<Error> TenantTable::damage_error() const {
  return make_error(
      ErrorCode::Unavailable,
      "tenant limits are unavailable: " + m_damage +
          ". nestlabd writes nothing over that file (a copy is in " + m_path +
          ".bad), and until it is repaired it refuses tenant.set, tenant.list and new VHVs, so "
          "that no VHV runs without its tenant's limits. To repair it, an admin puts back a good " +
          m_path +
          " (for example from a backup), or removes it to start with no tenant limits and sets "
          "them again with `nestlab tenant set`; nestlabd reads it again at the next request");
}

HostResult<void> TenantTable::usable() {
  if (m_damage.empty()) return {};
  return load();
}

HostResult<void> TenantTable::save() const {
  if (!m_damage.empty()) return damage_error();
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
