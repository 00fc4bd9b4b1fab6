// A VHV's life across kernel restarts (DESIGN.md S5; protocols.md §2,
// "Reconnecting"). Each VHV has a directory in the kernel's state directory
// holding its record (state_file.h, rewritten on every change) and the
// listening socket its highvisor accepts control connections on. A
// restarted kernel reads the record, checks the highvisor is still the same
// process, connects, and the highvisor's `hello` brings the record up to
// date; what the highvisor said meanwhile follows the hello.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>

#include "kernel/log.h"
#include "kernel/state_file.h"
#include "kernel/vhv.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

constexpr int kHelloTimeoutMs = 10000;

HostResult<sockaddr_un> socket_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return make_error(ErrorCode::InvalidArgument,
                      "the VHV's control socket path is too long for a Unix socket: " + path +
                          " (choose a shorter NESTLAB_STATE_DIR)");
  std::copy(path.begin(), path.end(), addr.sun_path);
  return addr;
}

}  // namespace

HostResult<UniqueFd> make_control_listener(const std::string& state_dir) {
  if (::mkdir(state_dir.c_str(), 0700) < 0 && errno != EEXIST)
    return errno_error("cannot make the VHV's state directory " + state_dir);
  std::string path = state_dir + "/" + kVhvControlSocket;
  sockaddr_un addr = TRY(socket_address(path));
  // Non-blocking: the highvisor polls it and must never hang in accept.
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return errno_error("socket for " + path);
  ::unlink(path.c_str());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return errno_error("bind " + path);
  ::chmod(path.c_str(), 0600);  // whoever connects controls the VHV
  if (::listen(fd.get(), 4) < 0) return errno_error("listen " + path);
  return fd;
}

void Vhv::persist() {
  if (m_state_dir.empty()) return;
  auto written =
      write_state_file(m_state_dir + "/" + kVhvRecordFile, "vhv", record_to_state(m_record));
  if (written.is_error())
    log("state", m_record.id + ": " + written.error().message +
                     "; a restarted nestlabd will not find this VHV");
}

void Vhv::forget_state() {
  if (m_state_dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(m_state_dir, ec);
  if (ec) log("state", m_record.id + ": cannot remove " + m_state_dir + ": " + ec.message());
  m_state_dir.clear();
}

HostResult<std::unique_ptr<Vhv>> Vhv::adopt(boost::asio::io_context& io, VhvRecord record,
                                            UniqueFd pidfd, const std::string& state_dir,
                                            VhvObserver& observer) {
  sockaddr_un addr = TRY(socket_address(state_dir + "/" + kVhvControlSocket));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error("socket");
  // The highvisor listens with a backlog, so this completes at once even
  // before it accepts.
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return errno_error("cannot reconnect to its highvisor at " + state_dir + "/" +
                       kVhvControlSocket);

  auto vhv = std::unique_ptr<Vhv>(new Vhv(io, observer));
  vhv->m_adopted = true;
  vhv->m_state_dir = state_dir;
  vhv->m_child.pid = record.pid;
  vhv->m_child.pidfd = std::move(pidfd);
  if (record.cgroup) {
    // Re-adopt the existing group; never recreate it (it holds the VHV).
    auto group = userworld::Cgroup::adopt(record.cgroup->substr(1));
    if (group.is_ok()) {
      vhv->m_child.cgroup = group.release_value();
      vhv->m_child.limits = userworld::LimitKind::Cgroup;
    } else {
      log("userworld", record.id + ": " + group.error().message);
    }
  }
  record.adopted = true;
  vhv->m_was_ready = record.state != VhvState::Starting;
  vhv->m_record = std::move(record);
  vhv->start_control(std::move(fd));
  vhv->watch_exit();
  Vhv* self = vhv.get();  // The timer is cancelled in ~Vhv.
  vhv->m_timer.expires_after(std::chrono::milliseconds(kHelloTimeoutMs));
  vhv->m_timer.async_wait([self](const boost::system::error_code& ec) {
    if (ec || !self->alive()) return;
    log("vhv", self->m_record.id + ": its highvisor has not answered the reconnection within " +
                   std::to_string(kHelloTimeoutMs / 1000) + " s; it is listed as last known");
  });
  return vhv;
}

std::unique_ptr<Vhv> Vhv::stale(boost::asio::io_context& io, VhvRecord record,
                                VhvObserver& observer) {
  auto vhv = std::unique_ptr<Vhv>(new Vhv(io, observer));
  vhv->m_record = std::move(record);
  vhv->m_was_ready = true;
  return vhv;
}

void Vhv::on_hello(const json& msg) {
  m_timer.cancel();
  std::string state =
      msg.value("state", json("")).is_string() ? msg["state"].get<std::string>() : "";
  if (msg.value("qemu_pid", json()).is_number_integer())
    m_record.qemu_pid = msg["qemu_pid"].get<pid_t>();
  if (msg.contains("vms") && msg["vms"].is_array()) {
    // A highvisor of issue 13 lists the VMs that run (checked: control_checks.h).
    for (const json& v : msg["vms"]) {
      VmRecord& rec = m_record.vm_slot(static_cast<int>(v["vm"].get<uint64_t>()));
      if (rec.state == "exited" || rec.state.empty()) rec.run_seq = m_record.next_run_seq++;
      rec.state = "running";
      if (v.value("image_name", json()).is_string())
        rec.image = bounded(v["image_name"].get<std::string>(), kMaxImageName);
      if (v.value("weight", json()).is_number_unsigned()) rec.weight = v["weight"];
      if (v.value("smp", json()).is_number_unsigned()) rec.smp = v["smp"];
      if (v.value("mem", json()).is_number_unsigned()) rec.mem = v["mem"];
    }
  }
  if (state == "running") {
    m_record.state = VhvState::Running;
    if (!msg.contains("vms")) {
      // A highvisor from before issue 13: one VM, VM 0.
      VmRecord& rec = m_record.vm_slot(0);
      rec.state = "running";
      if (msg.value("image_name", json()).is_string())
        rec.image = bounded(msg["image_name"].get<std::string>(), kMaxImageName);
    }
  } else if (state == "ready") {
    m_record.state = VhvState::Ready;
  } else if (state == "booting") {
    m_record.state = VhvState::Starting;
  }
  if (state == "ready" || state == "running") m_was_ready = true;
  m_record.paused = msg.value("paused", json(false)).is_boolean() && msg["paused"].get<bool>();
  uint64_t dropped = msg.value("dropped_bytes", json(0)).is_number_unsigned()
                         ? msg["dropped_bytes"].get<uint64_t>()
                         : 0;
  log("vhv", m_record.id + " (" + m_record.name + "): re-adopted, " + state +
                 (dropped ? ", " + std::to_string(dropped) +
                                " bytes of output lost while nestlabd was down"
                          : ""));
  persist();
  m_observer.on_vhv_event(*this, {{"type", "vhv-adopted"},
                                  {"state", vhv_state_name(m_record.state)},
                                  {"paused", msg.value("paused", json(false))},
                                  {"dropped_bytes", dropped}});
}

}  // namespace nestlab::kernel
