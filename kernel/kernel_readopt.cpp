// A restarted kernel takes over the VHVs an earlier one left running
// (protocols.md "Kernel restarts"). For each record in <state>/vhvs:
//   - unreadable or damaged: logged, moved aside as record.json.bad, skipped;
//   - its highvisor is gone (or the PID is another process's now): the
//     record, control socket and resource group are removed, and the VHV is
//     listed as failed, saying so, until vhv.destroy;
//   - alive: reconnected (Vhv::adopt), its cgroup adopted as it is;
//   - ephemeral: its client was lost with the old kernel, so it is adopted
//     only to be destroyed at once (as its client's disconnect would have).
// Then every process no adopted VHV accounts for is stopped (stop_orphans):
// a highvisor whose record was damaged or removed, found by the control
// socket it holds, and anything else left in this kernel's cgroups. Such a
// VHV cannot be listed (nothing says whose it is) nor reached, so leaving
// it would leave a QEMU running that nobody can see or stop.
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "kernel/kernel.h"
#include "kernel/log.h"
#include "kernel/state_file.h"
#include "userworld/cgroup.h"
#include "userworld/process_identity.h"
#include "userworld/socket_holders.h"

namespace nestlab::kernel {

void Kernel::readopt() {
  std::string root = m_options.state_dir + "/vhvs";
  std::vector<std::string> dirs;
  if (DIR* d = ::opendir(root.c_str())) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') dirs.push_back(root + "/" + e->d_name);
    ::closedir(d);
  }
  std::sort(dirs.begin(), dirs.end());
  // Ids are never given twice for the life of the state directory: the
  // counter is kept there, and new ids also continue after adopted ones.
  if (auto loaded = m_vhv_ids.load(); loaded.is_error()) log("state", loaded.error().message);
  for (const auto& dir : dirs) readopt_one(dir);
  for (auto& [id, vhv] : m_vhvs) m_vhv_ids.at_least(vhv_id_number(id) + 1);
  stop_orphans();
}

void Kernel::stop_orphans() {
  std::set<pid_t> adopted;
  std::set<std::string> adopted_groups;
  for (auto& [id, vhv] : m_vhvs) {
    if (!vhv->alive()) continue;
    adopted.insert(vhv->record().pid);
    if (vhv->record().cgroup) adopted_groups.insert(vhv->record().cgroup->substr(1));
  }
  for (const auto& h : userworld::listening_socket_holders(m_options.state_dir + "/vhvs")) {
    if (adopted.count(h.pid)) continue;
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, h.pid, 0)));
    if (!fd) continue;
    log("vhv", "pid " + std::to_string(h.pid) + " holds " + h.path +
                   ", a VHV's control socket, but no readable record names it; stopping it "
                   "(and its QEMU with it), since nothing can say whose VHV it was");
    ::syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0);
  }
  // <parent>/<tenant>/<id>: any group of a VHV not adopted goes, with
  // whatever still runs in it.
  for (const auto& tenant : userworld::cgroup_children(m_options.cgroup_parent)) {
    std::string tenant_group = m_options.cgroup_parent + "/" + tenant;
    for (const auto& child : userworld::cgroup_children(tenant_group)) {
      std::string group = tenant_group + "/" + child;
      if (adopted_groups.count(group)) continue;
      auto left = userworld::cgroup_processes(group);
      if (!left.empty())
        log("vhv", "cgroup /" + group + " holds " + std::to_string(left.size()) +
                       " processes no adopted VHV accounts for; stopping them");
      if (!userworld::kill_cgroup(group, 3000))
        log("vhv", "cgroup /" + group + " still holds processes after SIGKILL");
    }
    bool in_use = false;
    for (const auto& group : adopted_groups) in_use |= group.rfind(tenant_group + "/", 0) == 0;
    if (!in_use) userworld::remove_cgroup_if_empty(tenant_group);
  }
}

void Kernel::readopt_one(const std::string& dir) {
  std::string path = dir + "/" + kVhvRecordFile;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    // A VHV that never got its first record written: nothing to adopt.
    std::filesystem::remove_all(dir, ec);
    return;
  }
  auto payload = read_state_file(path, "vhv");
  auto record = payload.is_ok() ? record_from_state(payload.value())
                                : HostResult<VhvRecord>(Err<Error>{payload.error()});
  if (record.is_error()) {
    std::string aside = path + ".bad";
    std::filesystem::rename(path, aside, ec);
    log("state", "cannot re-adopt from " + path + ": " + record.error().message + "; moved it to " +
                     aside + " and carrying on without it");
    return;
  }
  VhvRecord r = record.release_value();
  if (m_vhvs.count(r.id)) {
    log("state", path + " names " + r.id + ", which is already adopted; ignoring it");
    return;
  }
  // Listed as failed, saying why, until vhv.destroy; everything it held
  // on the host is released.
  auto list_failed = [&](VhvRecord rec, const std::string& why) {
    if (rec.cgroup) userworld::remove_cgroup_if_empty(rec.cgroup->substr(1));
    if (!rec.tenant.empty()) userworld::remove_cgroup_if_empty(tenant_cgroup(rec.tenant));
    std::filesystem::remove_all(dir, ec);
    rec.state = VhvState::Failed;
    rec.message = why;
    rec.adopted = true;
    for (VmRecord& vm : rec.vms) {
      if (vm.state == "exited") continue;
      vm.state = "exited";
      vm.reason = "vhv-died";
      vm.message = why;
    }
    std::string id = rec.id;
    m_vhvs[id] = Vhv::stale(m_io, std::move(rec), *this);
  };
  auto pidfd = userworld::open_same_process(r.pid, r.start_time);
  if (pidfd.is_error()) {
    // Stale: the VHV ended while no kernel watched it.
    std::string why =
        "its highvisor (pid " + std::to_string(r.pid) + ") ended while nestlabd was not running";
    log("vhv", r.id + " (" + r.name + "): " + why + " (" + pidfd.error().message +
                   "); cleaning up its record and resource group");
    list_failed(std::move(r), why);
    return;
  }
  // Killing through the checked pidfd reaches exactly that highvisor; its
  // PID namespace (QEMU) goes with it.
  int kill_fd = ::fcntl(pidfd.value().get(), F_DUPFD_CLOEXEC, 0);
  std::string id = r.id;
  bool ephemeral = r.ephemeral;
  VhvRecord copy = r;
  auto adopted = Vhv::adopt(m_io, std::move(r), pidfd.release_value(), dir, *this);
  if (adopted.is_error()) {
    std::string why = adopted.error().message + "; nothing could control it, so it was stopped";
    log("vhv", id + ": " + why);
    ::syscall(SYS_pidfd_send_signal, kill_fd, SIGKILL, nullptr, 0);
    ::close(kill_fd);
    list_failed(std::move(copy), why);
    return;
  }
  ::close(kill_fd);
  m_vhvs[id] = adopted.release_value();
  // What the consoles showed before the restart, from their logs on disk,
  // so an attach replays it as it would have.
  m_console_broker.reload_history(id, 0);
  m_console_broker.reload_history(id, kVhvStream);
  if (ephemeral) {
    log("vhv", id + ": ephemeral, and its client went with the previous nestlabd; destroying");
    destroy_vhv(id, [] {});
  }
}

void Kernel::poll_memory_events() {
  for (auto& [id, vhv] : m_vhvs)
    if (vhv->alive()) vhv->poll_memory();
  m_memory_timer.expires_after(std::chrono::seconds(1));
  m_memory_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !m_shutting_down) poll_memory_events();
  });
}

}  // namespace nestlab::kernel
