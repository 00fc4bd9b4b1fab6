// The highvisor process side of a VHV: start it in its userworld, notice
// when it ends, stop it.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "kernel/log.h"

#include "base/control_protocol.h"
#include "kernel/vhv.h"
#include "kernel/vhv_jail.h"
#include "userworld/process_identity.h"
#include "vhv/common/layout.h"

namespace nestlab::kernel {
namespace {

// Memory for QEMU itself, the highvisor and the image staging area, on top of
// the VHV's RAM; generous because running out is a confusing failure.
constexpr uint64_t kProcessOverhead = 512ull << 20;
constexpr uint64_t kPidsLimit = 256;
// Address space (not memory) beyond the VHV's RAM, for RLIMIT_AS when no
// cgroup limits memory, per process: QEMU reserves 1 GiB for translated
// code, glibc up to 64 MiB per thread arena and 8 MiB per thread stack.
constexpr uint64_t kAddressSpaceOverhead = 4ull << 30;

std::string describe_status(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED) return "exited with status " + std::to_string(info.si_status);
  const char* name = ::sigabbrev_np(info.si_status);
  return std::string("killed by signal ") + std::to_string(info.si_status) + " (SIG" +
         (name ? name : "?") + ")";
}

}  // namespace

Vhv::Vhv(boost::asio::io_context& io, VhvObserver& observer)
    : m_io(io), m_observer(observer), m_timer(io) {}

Vhv::~Vhv() {
  if (m_control) m_control->close();
  if (m_exit_watch) m_exit_watch->close();
  // Never leave a userworld behind, even if the kernel is torn down early.
  if (m_child.pidfd) userworld::kill_and_reap(m_child);
}

HostResult<std::unique_ptr<Vhv>> Vhv::create(boost::asio::io_context& io, const VhvConfig& config,
                                             VhvObserver& observer) {
  if (::access(config.vhv_path.c_str(), X_OK) != 0)
    return nestlab::make_error(ErrorCode::Unavailable,
                               "the highvisor " + config.vhv_path +
                                   " is missing or not executable "
                                   "(build nestlab-vhv, or set NESTLAB_VHV)");
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return errno_error("socketpair");
  UniqueFd ours(sv[0]), theirs(sv[1]);

  std::unique_ptr<userworld::JailLayout> jail;
  if (!config.jail_root.empty()) {
    auto made = vhv_jail(config.jail_root, config.vhv_path);
    if (made.is_error()) {
      Error e = made.release_error();
      return nestlab::make_error(e.code, "cannot build the VHV's jail: " + e.message);
    }
    jail = made.release_value();
  }

  // The socket a restarted kernel reconnects on (protocols.md §2,
  // "Reconnecting"): made here, on the host, and handed to the highvisor as
  // a listening fd, so it works from inside the jail's namespaces.
  UniqueFd listener;
  std::string state_dir = config.state_dir;
  if (!state_dir.empty()) {
    auto made = make_control_listener(state_dir);
    if (made.is_ok()) {
      listener = made.release_value();
    } else {
      // The VHV works without it; it only cannot outlive this kernel.
      log("state", config.id + ": " + made.error().message +
                       "; this VHV will not survive a restart of nestlabd");
      state_dir.clear();
    }
  }

  userworld::SpawnSpec spec;
  spec.path = config.vhv_path;
  if (jail) {
    // The jail has the highvisor at its real path only.
    char real[PATH_MAX];
    if (::realpath(config.vhv_path.c_str(), real)) spec.path = real;
  }
  spec.jail = jail.get();
  spec.argv = {"nestlab-vhv",
               "--name",
               config.name,
               "--mem",
               std::to_string(config.mem),
               "--smp",
               std::to_string(config.smp),
               "--control-fd",
               "3"};
  spec.fds = {{theirs.get(), 3}};
  if (listener) {
    spec.fds.push_back({listener.get(), 4});
    spec.argv.insert(spec.argv.end(), {"--listen-fd", "4"});
  }
  // --hypervisor: the images at fds 5, 6, ... of the highvisor.
  if (config.hypervisor_fd >= 0) {
    int next = 5;
    spec.fds.push_back({config.hypervisor_fd, next});
    spec.argv.insert(spec.argv.end(), {"--hypervisor-fd", std::to_string(next++),
                                       "--hypervisor-name", config.hypervisor_name});
    for (const auto& [fd, name] : config.guest_fds) {
      spec.fds.push_back({fd, next});
      spec.argv.insert(spec.argv.end(),
                       {"--guest-fd", std::to_string(next++), "--guest-name", name});
    }
  }
  spec.hostname = config.name;
  VhvIdentity identity;  // its lock is held until spawn returns
  if (config.uid_range) {
    identity = TRY(allocate_vhv_identity(*config.uid_range, config.id));
    spec.identity = identity.ids;
  }
  // Used when the cgroup cannot limit memory (spawn decides), and always
  // for the number of tasks, which is per uid.
  spec.address_space = config.mem + layout::kVhvOverhead + kAddressSpaceOverhead;
  spec.processes = kPidsLimit;
  userworld::CgroupLimits limits = config.limits;
  limits.memory_bytes = config.mem + layout::kVhvOverhead + kProcessOverhead;
  limits.pids = kPidsLimit;
  spec.cgroup = userworld::CgroupSpec{config.cgroup_path, limits};
  auto child = spawn(spec);
  identity.lock.reset();
  if (child.is_error()) {
    Error e = child.release_error();
    return nestlab::make_error(e.code, "cannot start the highvisor: " + e.message);
  }
  // CPU limits the user asked for are enforced or the VHV is not made:
  // running without them would be a silent pretence of a limit.
  if ((!child.value().cgroup || !child.value().cgroup->has("cpu")) &&
      (config.limits.cpu_weight || config.limits.cpu_quota_percent)) {
    std::string why = child.value().cgroup
                          ? "the cpu controller is not available to " + config.cgroup_path
                          : child.value().cgroup_error;
    userworld::kill_and_reap(child.value());
    if (!state_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(state_dir, ec);
    }
    return nestlab::make_error(ErrorCode::InvalidArgument,
                               "cannot apply the requested CPU limits: " + why);
  }

  auto vhv = std::unique_ptr<Vhv>(new Vhv(io, observer));
  vhv->m_child = child.release_value();
  vhv->m_creator_connection = config.creator_connection;
  VhvRecord& r = vhv->m_record;
  r.id = config.id;
  r.name = config.name;
  r.owner_uid = config.owner_uid;
  r.pid = vhv->m_child.pid;
  r.mem = config.mem;
  r.smp = config.smp;
  r.created = static_cast<int64_t>(std::time(nullptr));
  r.ephemeral = config.ephemeral;
  r.tenant = config.tenant;
  r.hypervisor = config.hypervisor_fd >= 0 ? config.hypervisor_name : std::string();
  r.cpu_weight = config.limits.cpu_weight;
  r.cpu_quota = config.limits.cpu_quota_percent;
  r.start_time = userworld::process_start_time(r.pid).value_or(0);
  r.host_uid = spec.identity ? spec.identity->uid : ::geteuid();
  vhv->m_state_dir = state_dir;
  if (vhv->m_child.cgroup) r.cgroup = "/" + vhv->m_child.cgroup->path();
  if (vhv->m_child.limits == userworld::LimitKind::Cgroup) {
    r.limits = "cgroup";
    r.memory_limit = limits.memory_bytes;
  } else {
    r.limits = "rlimits-only";
    log("userworld", r.id + ": limits are rlimits only: " + vhv->m_child.cgroup_error);
  }

  vhv->persist();
  vhv->start_control(std::move(ours));
  vhv->watch_exit();
  Vhv* self = vhv.get();  // The timer is cancelled in ~Vhv.
  vhv->m_timer.expires_after(std::chrono::milliseconds(kReadyTimeoutMs));
  vhv->m_timer.async_wait([self](const boost::system::error_code& ec) {
    if (ec || self->m_record.state != VhvState::Starting || !self->alive()) return;
    self->m_failure = "the highvisor did not become ready within " +
                      std::to_string(kReadyTimeoutMs / 1000) + " s";
    ::syscall(SYS_pidfd_send_signal, self->m_child.pidfd.get(), SIGKILL, nullptr, 0);
  });
  return vhv;
}

void Vhv::start_control(UniqueFd fd) {
  m_control = LineChannel::create(m_io, std::move(fd));
  Vhv* self = this;  // The channel is closed in ~Vhv.
  m_control->start(
      [self](Line line) { self->on_line(std::move(line)); },
      [self, life = std::weak_ptr<int>(m_life)](const Error* e) {
        // Told from the event loop, perhaps after this Vhv is gone.
        if (!e || life.expired()) return;
        // A refused line (too long, fds hoarded): the highvisor
        // broke the protocol and lost its channel; it is ended
        // like one that stopped answering (vhv.destroy kills it).
        if (e->code == ErrorCode::InvalidArgument)
          self->protocol_error("the kernel closed its control connection: " + e->message);
        else
          log("vhv", self->m_record.id + ": control channel: " + e->message);
      });
}

void Vhv::watch_exit() {
  int dup = ::fcntl(m_child.pidfd.get(), F_DUPFD_CLOEXEC, 0);
  m_exit_watch = std::make_unique<boost::asio::posix::stream_descriptor>(m_io, dup);
  m_exit_watch->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this](const boost::system::error_code& ec) {
                             if (!ec) on_exit();
                           });
}

void Vhv::on_exit() {
  siginfo_t info{};
  std::string status;
  if (m_adopted) {
    // Not our child (an earlier kernel started it): the pidfd said it
    // exited; init reaps it and keeps its status.
    info.si_code = CLD_KILLED;
    status = "ended (its exit status went to init: an earlier nestlabd started it)";
  } else {
    if (::waitid(static_cast<idtype_t>(P_PIDFD), m_child.pidfd.get(), &info, WEXITED | WNOHANG) <
            0 ||
        info.si_pid == 0) {
      watch_exit();  // spurious wake-up
      return;
    }
    status = describe_status(info);
  }
  m_child.pidfd.reset();
  m_exit_watch->close();
  m_timer.cancel();
  poll_memory();  // an OOM kill may be why it ended: say so before the group goes
  // The PID namespace died with its init, so the cgroup is empty now (for
  // an adopted VHV, once init has reaped it: give that a moment).
  if (m_child.cgroup) {
    auto removed = m_child.cgroup->remove();
    for (int i = 0; m_adopted && removed.is_error() && i < 20; ++i) {
      ::usleep(10000);
      auto again = userworld::Cgroup::adopt(m_child.cgroup->path());
      removed = again.is_ok() ? again.value()->remove() : HostResult<void>{};
    }
    if (removed.is_error()) log("userworld", m_record.id + ": " + removed.error().message);
  }
  forget_state();
  if (m_control) m_control->close();

  m_disk_claims.clear();  // the highvisor is gone, and its files with it
  m_net_claims.clear();   // and its ports
  for (VmRecord& vm : m_record.vms) {
    if (vm.state == "exited") continue;
    vm.state = "exited";
    // Stopped on request (vhv.stop, vhv.destroy) or died under the guest.
    vm.reason = m_shutting_down ? "stopped" : "vhv-died";
    vm.message = m_shutting_down ? "the VHV was stopped while its guest ran"
                                 : "the VHV's highvisor " + status;
    m_observer.on_vhv_event(*this, {{"type", "vm-exit"},
                                    {"vm", vm.id},
                                    {"reason", vm.reason},
                                    {"code", nullptr},
                                    {"message", vm.message},
                                    {"counters", vm.counters}});
  }
  bool clean = m_shutting_down || (info.si_code == CLD_EXITED && info.si_status == 0);
  m_record.paused = false;
  if (m_record.state == VhvState::Failed) {
    // Already reported by the highvisor's own `failed` event.
  } else if (clean && m_failure.empty()) {
    m_record.state = VhvState::Stopped;
    m_observer.on_vhv_event(*this, {{"type", "vhv-stopped"}, {"status", status}});
  } else {
    if (m_failure.empty()) m_failure = "the highvisor " + status;
    m_record.state = VhvState::Failed;
    m_record.message = m_failure;
    m_observer.on_vhv_event(*this, {{"type", "vhv-failed"}, {"message", m_failure}});
  }
  log("vhv", m_record.id + ": highvisor " + status);
  fail_pending(m_failure.empty() ? "the VHV stopped" : m_failure);
  if (m_ready_reply) {
    auto reply = std::move(m_ready_reply);
    reply(nestlab::make_error(
        ErrorCode::Unavailable,
        m_failure.empty() ? "the highvisor " + status + " before it was ready" : m_failure));
  }
  auto done = std::move(m_destroy_done);
  m_observer.on_vhv_exited(*this);  // may delete this
  for (auto& d : done) d();
}

void Vhv::destroy(std::function<void()> done) {
  if (!alive()) {
    done();
    return;
  }
  m_destroying = true;  // also turns a stop under way into a destroy
  shut_down(std::move(done));
}

void Vhv::stop(std::function<void()> done) {
  if (!alive()) {
    done();
    return;
  }
  shut_down(std::move(done));
}

void Vhv::shut_down(std::function<void()> done) {
  m_destroy_done.push_back(std::move(done));
  if (m_shutting_down) return;
  m_shutting_down = true;
  request(control::kShutdown, nullptr, {}, [](HostResult<nlohmann::json>) {});
  m_timer.cancel();
  m_timer.expires_after(std::chrono::milliseconds(kShutdownGraceMs));
  m_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !alive()) return;
    log("vhv", m_record.id + ": highvisor ignored shutdown for " +
                   std::to_string(kShutdownGraceMs / 1000) + " s; killing its userworld");
    ::syscall(SYS_pidfd_send_signal, m_child.pidfd.get(), SIGKILL, nullptr, 0);
  });
}

}  // namespace nestlab::kernel
