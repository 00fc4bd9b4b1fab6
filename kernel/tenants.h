// Tenants (DESIGN.md S5): every VHV belongs to one, by default its owner's
// user name. A tenant's resource group <parent>/<tenant> holds its VHVs'
// groups, so the tenant's limits bound their sum. Root or the admin group
// sets the limits (tenant.set); they are kept in <state>/tenants.json
// (state_file.h, kind "tenants") and applied again when the group is made.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "userworld/cgroup_settings.h"

namespace nestlab::kernel {

struct TenantLimits {
  uint64_t memory = 0;      // bytes, hard, no swap; 0: none
  uint64_t cpu_weight = 0;  // 1..10000; 0: default (100)
  uint64_t cpu_quota = 0;   // percent of one CPU; 0: none
  uint64_t pids = 0;        // 0: none
  bool any() const { return memory || cpu_weight || cpu_quota || pids; }
};

nlohmann::json to_json(const TenantLimits& l);  // unset limits are null
userworld::CgroupLimits to_cgroup_limits(const TenantLimits& l);

class TenantTable {
 public:
  explicit TenantTable(std::string path) : m_path(std::move(path)) {}

  // A missing file is an empty table; a damaged one is an error (the table
  // stays empty and the file is left for a person to look at).
  HostResult<void> load();
  HostResult<void> save() const;

  TenantLimits limits(const std::string& tenant) const;
  void set(const std::string& tenant, const TenantLimits& limits);  // none: forgets it
  const std::map<std::string, TenantLimits>& all() const { return m_limits; }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::map<std::string, TenantLimits> m_limits;
};

// [a-z_][a-z0-9_.-]{0,31}, as user names are; it becomes a cgroup directory.
HostResult<void> validate_tenant_name(const std::string& name);
// The owner's user name, or "uid-N" when it has none (or one that is not a
// valid tenant name).
std::string default_tenant(uid_t uid);

}  // namespace nestlab::kernel
