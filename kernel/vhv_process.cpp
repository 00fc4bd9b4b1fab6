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

#include "kernel/log.h"
#include "kernel/vhv.h"
#include "kernel/vhv_jail.h"
#include "vhv/common/layout.h"

namespace nestlab::kernel {
namespace {

// Memory for QEMU itself, the highvisor and the image staging area, on top of
// the VHV's RAM; generous because running out is a confusing failure.
constexpr uint64_t kProcessOverhead = 512ull << 20;
constexpr uint64_t kPidsLimit = 256;

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
  spec.hostname = config.name;
  spec.cgroup =
      userworld::CgroupSpec{config.cgroup_parent + "/" + config.id,
                            {config.mem + layout::kVhvOverhead + kProcessOverhead, kPidsLimit}};
  auto child = spawn(spec);
  if (child.is_error()) {
    Error e = child.release_error();
    return nestlab::make_error(e.code, "cannot start the highvisor: " + e.message);
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
  if (vhv->m_child.cgroup) {
    r.cgroup = "/" + vhv->m_child.cgroup->path();
    r.limits = "cgroup";
  } else {
    r.limits = "rlimits-only";
    log("userworld", r.id + ": no cgroup, limits are rlimits only: " + vhv->m_child.cgroup_error);
  }

  vhv->m_control = LineChannel::create(io, std::move(ours));
  Vhv* self = vhv.get();  // The channel and watchers are closed in ~Vhv.
  vhv->m_control->start([self](Line line) { self->on_line(std::move(line)); },
                        [self](const Error* e) {
                          if (e) log("vhv", self->m_record.id + ": control channel: " + e->message);
                        });
  vhv->watch_exit();
  vhv->m_timer.expires_after(std::chrono::milliseconds(kReadyTimeoutMs));
  vhv->m_timer.async_wait([self](const boost::system::error_code& ec) {
    if (ec || self->m_record.state != VhvState::Starting || !self->alive()) return;
    self->m_failure = "the highvisor did not become ready within " +
                      std::to_string(kReadyTimeoutMs / 1000) + " s";
    ::syscall(SYS_pidfd_send_signal, self->m_child.pidfd.get(), SIGKILL, nullptr, 0);
  });
  return vhv;
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
  if (::waitid(static_cast<idtype_t>(P_PIDFD), m_child.pidfd.get(), &info, WEXITED | WNOHANG) < 0 ||
      info.si_pid == 0) {
    watch_exit();  // spurious wake-up
    return;
  }
  m_child.pidfd.reset();
  m_exit_watch->close();
  m_timer.cancel();
  std::string status = describe_status(info);
  // The PID namespace died with its init, so the cgroup is empty now.
  if (m_child.cgroup) {
    auto removed = m_child.cgroup->remove();
    if (removed.is_error()) log("userworld", m_record.id + ": " + removed.error().message);
  }
  if (m_control) m_control->close();

  if (m_record.vm && m_record.vm->state != "exited") {
    m_record.vm->state = "exited";
    m_record.vm->reason = "vhv-died";
    m_record.vm->message = "the VHV's highvisor " + status;
    m_observer.on_vhv_event(*this, {{"type", "vm-exit"},
                                    {"vm", m_record.vm->id},
                                    {"reason", "vhv-died"},
                                    {"code", nullptr},
                                    {"message", m_record.vm->message},
                                    {"counters", m_last_counters}});
  }
  bool clean = m_destroying || (info.si_code == CLD_EXITED && info.si_status == 0);
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
  m_destroy_done.push_back(std::move(done));
  if (m_destroying) return;
  m_destroying = true;
  request("shutdown", nullptr, {}, [](HostResult<nlohmann::json>) {});
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
