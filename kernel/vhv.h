// One virtual hypervisor as the kernel sees it: the highvisor process in its
// userworld, the control channel to it (protocols.md section 2), its console
// ring and its record. Everything runs on the kernel's event loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "kernel/console_ring.h"
#include "kernel/disk_check.h"
#include "kernel/line_channel.h"
#include "kernel/net_registry.h"
#include "kernel/vhv_identity.h"
#include "kernel/vhv_record.h"
#include "userworld/spawn.h"

namespace nestlab::kernel {

class Vhv;
using Reply = std::function<void(HostResult<nlohmann::json>)>;

// What a VHV tells the kernel. Events are the params of an `event`
// notification without "vhv" (the kernel adds it).
class VhvObserver {
 public:
  virtual void on_vhv_event(const Vhv& vhv, nlohmann::json event) = 0;
  virtual void on_vhv_console(const Vhv& vhv, int vm, const std::string& data) = 0;
  // The highvisor is gone and its userworld released.
  virtual void on_vhv_exited(Vhv& vhv) = 0;

 protected:
  ~VhvObserver() = default;
};

struct VhvConfig {
  std::string id;
  std::string name;
  uid_t owner_uid = 0;
  uint64_t mem = 0;
  int smp = 1;
  bool ephemeral = false;
  uint64_t creator_connection = 0;  // for ephemeral VHVs
  std::string vhv_path;             // the highvisor executable
  std::string cgroup_path;          // <parent>/<tenant>/<id>
  std::string tenant;
  userworld::CgroupLimits limits;  // memory and PIDs are filled in by create()
  std::string jail_root;           // mount point of the jail's root; empty: no jail
  // System mode: the VHV runs as a uid/gid of its own from this range
  // (vhv_identity.h); none: as the kernel's own uid.
  std::optional<UidRange> uid_range;
  // <state>/vhvs/<id>: the record a restarted kernel re-adopts the VHV
  // from, and the socket it reconnects on. Empty: nothing kept (tests).
  std::string state_dir;
  // --hypervisor (docs/hypervisor.md): the student's EL2 image and its
  // guests, checked to be regular files; -1: the lowvisor. Not owned: the
  // highvisor gets copies when it is spawned.
  int hypervisor_fd = -1;
  std::string hypervisor_name;
  std::vector<std::pair<int, std::string>> guest_fds;
};

// Makes <state_dir> (0700) and a listening Unix socket at
// <state_dir>/control.sock for the highvisor (vhv_adopt.cpp).
HostResult<UniqueFd> make_control_listener(const std::string& state_dir);
inline constexpr const char* kVhvRecordFile = "record.json";
inline constexpr const char* kVhvControlSocket = "control.sock";

class Vhv {
 public:
  // Starts the highvisor in a new userworld. The VHV is "starting" until the
  // highvisor says ready; when_ready() learns the outcome.
  static HostResult<std::unique_ptr<Vhv>> create(boost::asio::io_context& io,
                                                 const VhvConfig& config, VhvObserver& observer);
  // A restarted kernel takes over a VHV an earlier one started (vhv_adopt.cpp):
  // `record` as read from `state_dir`, `pidfd` the highvisor checked to be
  // the record's process. Connects to its control socket; the highvisor
  // answers with a `hello` that brings the record up to date.
  static HostResult<std::unique_ptr<Vhv>> adopt(boost::asio::io_context& io, VhvRecord record,
                                                UniqueFd pidfd, const std::string& state_dir,
                                                VhvObserver& observer);
  // Only a record: a VHV whose highvisor ended while no kernel watched it,
  // listed (failed, with why) until vhv.destroy.
  static std::unique_ptr<Vhv> stale(boost::asio::io_context& io, VhvRecord record,
                                    VhvObserver& observer);
  ~Vhv();

  void when_ready(Reply reply);
  // `initrd` may be empty (no initrd); then params carry no "initrd".
  // `disks` follow the initrd as fds; params carry "disks" for them. The
  // lab-network port's fd comes last; params carry "net" for it.
  void run(const nlohmann::json& params, UniqueFd image, UniqueFd initrd,
           std::vector<RunDisk> disks, std::optional<NetPortGrant> net,
           const std::string& image_name, Reply reply);
  void stats(int vm, Reply reply);
  // Asks the highvisor to stop one VM; its vm-exit (reason stopped) follows.
  void stop_vm(int vm, Reply reply);
  // Any other control request to the highvisor (trace, guestinfo, ...).
  void call(const std::string& method, nlohmann::json params, Reply reply) {
    request(method, std::move(params), {}, std::move(reply));
  }
  void console_input(int vm, const std::string& data_base64, Reply reply);  // vhv_console.cpp
  // Asks the highvisor to shut down, SIGKILLs its userworld after a grace
  // period, then calls done (also at once if it is already gone).
  void destroy(std::function<void()> done);
  // The same shutdown, but the VHV stays listed as stopped (vhv.stop); the
  // kernel can start a new highvisor for it later (vhv.start).
  void stop(std::function<void()> done);

  // Reads the group's memory counters; a rise since the last look is a
  // `memory-limit` or `oom-kill` event (vhv_memory.cpp). The kernel calls
  // it every second, and the VHV once more before its group goes.
  void poll_memory();

  const VhvRecord& record() const { return m_record; }
  // After the highvisor confirmed a pause or resume (pause_methods.cpp).
  void set_paused(bool paused) { m_record.paused = paused; }
  const ConsoleRing& console() const { return m_console; }
  bool alive() const { return m_child.pidfd.valid(); }
  bool destroying() const { return m_destroying; }
  bool shutting_down() const { return m_shutting_down; }
  bool was_ready() const { return m_was_ready; }
  // Lines from the highvisor that broke the control protocol (control_checks.h):
  // how many, and what the last one was. Shown by vhv.inspect.
  uint64_t protocol_errors() const { return m_protocol_errors; }
  const std::string& last_protocol_error() const { return m_last_protocol_error; }
  uint64_t creator_connection() const { return m_creator_connection; }

  static constexpr int kShutdownGraceMs = 3000;
  static constexpr int kReadyTimeoutMs = 30000;
  // A request the highvisor has not answered by then fails (it may be
  // stuck or hostile); its caller is not left waiting for ever.
  static constexpr int kRequestTimeoutMs = 60000;

 private:
  Vhv(boost::asio::io_context& io, VhvObserver& observer);

  void request(const std::string& method, nlohmann::json params, std::vector<UniqueFd> fds,
               Reply reply);
  void on_line(Line line);
  void dispatch(const nlohmann::json& msg);
  // A line that broke the protocol: dropped, counted, logged and told to
  // watchers (the first few, then every 1000th), never fatal.
  void protocol_error(const std::string& what);
  void on_event(const nlohmann::json& msg);
  void on_response(const nlohmann::json& msg);
  void on_failed(const std::string& message);
  void on_seccomp(const std::string& process, const std::string& syscall);
  void watch_exit();
  void on_exit();
  void fail_pending(const std::string& why);
  void on_hello(const nlohmann::json& msg);  // vhv_adopt.cpp
  void start_control(UniqueFd fd);
  // Writes the record to the state directory (a no-op without one).
  void persist();
  void forget_state();
  void shut_down(std::function<void()> done);

  boost::asio::io_context& m_io;
  VhvObserver& m_observer;
  // The kernel's claims on the disks of each running VM (by VM id), given
  // up at its VmExit or when the VHV dies.
  std::map<int, std::vector<std::unique_ptr<DiskClaim>>> m_disk_claims;
  // The ports of each running VM on its lab network (by VM id), given up
  // like the disk claims.
  std::map<int, std::unique_ptr<NetPortClaim>> m_net_claims;
  VhvRecord m_record;
  uint64_t m_creator_connection = 0;
  userworld::Child m_child;  // pidfd invalid once reaped
  std::shared_ptr<LineChannel> m_control;
  std::unique_ptr<boost::asio::posix::stream_descriptor> m_exit_watch;  // on a dup of the pidfd
  boost::asio::steady_timer m_timer;  // ready timeout, then shutdown grace
  ConsoleRing m_console;
  uint64_t m_next_request = 1;
  struct Pending {
    std::string method;  // the reply's result is checked against it
    Reply reply;
    std::unique_ptr<boost::asio::steady_timer> timeout;  // kRequestTimeoutMs
  };
  std::map<uint64_t, Pending> m_pending;  // invariant: size() <= kMaxPendingPerVhv + 1
  uint64_t m_protocol_errors = 0;
  std::string m_last_protocol_error;
  Reply m_ready_reply;
  std::string m_failure;  // the highvisor's `failed` message, if any
  bool m_destroying = false;
  bool m_shutting_down = false;  // asked to shut down (vhv.stop or vhv.destroy)
  bool m_was_ready = false;
  bool m_adopted = false;  // not our child: no waitid, exit status unknown
  std::string m_state_dir;
  std::vector<std::function<void()>> m_destroy_done;
  // Callbacks that may run after the Vhv is gone hold a weak_ptr to this.
  std::shared_ptr<int> m_life = std::make_shared<int>(0);
};

}  // namespace nestlab::kernel
