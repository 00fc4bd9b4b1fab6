#include "kernel/disk_registry.h"

namespace nestlab::kernel {

DiskClaim::~DiskClaim() {
  if (m_registry) m_registry->release(m_key, m_mode);
}

HostResult<std::unique_ptr<DiskClaim>> DiskRegistry::claim(dev_t dev, ino_t ino, DiskMode mode,
                                                           const std::string& name,
                                                           const std::string& user) {
  const auto key = std::make_pair(dev, ino);
  auto it = m_open.find(key);
  if (it != m_open.end()) {
    const Users& u = it->second;
    if (u.writers > 0 || mode == DiskMode::ReadWrite)
      return make_error(ErrorCode::InvalidArgument,
                        "disk '" + name + "' is already in use " +
                            (u.writers > 0 ? "read-write" : "read-only") + " by " + u.last_user +
                            "; a disk written by one VM cannot be used by another (give " +
                            "every VM its own copy, or use it read-only everywhere with ,ro)");
  }
  Users& u = m_open[key];
  (mode == DiskMode::ReadWrite ? u.writers : u.readers) += 1;
  u.last_user = user;
  return std::make_unique<DiskClaim>(this, key, mode);
}

void DiskRegistry::release(std::pair<dev_t, ino_t> key, DiskMode mode) {
  auto it = m_open.find(key);
  if (it == m_open.end()) return;
  unsigned& count = mode == DiskMode::ReadWrite ? it->second.writers : it->second.readers;
  if (count > 0) --count;
  if (it->second.readers + it->second.writers == 0) m_open.erase(it);
}

}  // namespace nestlab::kernel
