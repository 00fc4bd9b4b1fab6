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

  // A missing file is an empty table. A damaged one is an error, and the
  // table stays unusable until it is repaired (fail closed: a table that
  // silently started empty would run every tenant without its limits, and
  // the next save would write over everyone else's). The file stays where
  // it is, a copy is kept at <path>.bad, and nothing is written over it.
  HostResult<void> load();
  // Fine unless damaged; then the file is read again (an admin may have
  // repaired or removed it), and if it is still damaged the error says
  // what is wrong and how to repair it.
  HostResult<void> usable();
  bool damaged() const { return !m_damage.empty(); }
  // Refused while damaged.
  HostResult<void> save() const;

  TenantLimits limits(const std::string& tenant) const;
  void set(const std::string& tenant, const TenantLimits& limits);  // none: forgets it
  const std::map<std::string, TenantLimits>& all() const { return m_limits; }
  const std::string& path() const { return m_path; }

 private:
  HostResult<void> read();
  Err<Error> damage_error() const;

  std::string m_path;
  std::map<std::string, TenantLimits> m_limits;
  std::string m_damage;  // why the file could not be read; empty: fine
};

// [a-z_][a-z0-9_.-]{0,31}, as user names are; it becomes a cgroup directory.
HostResult<void> validate_tenant_name(const std::string& name);
// The owner's user name, or "uid-N" when it has none (or one that is not a
// valid tenant name).
std::string default_tenant(uid_t uid);

}  // namespace nestlab::kernel
