// nestlabd's core: the API server, the VHVs, the event bus. One object on
// one io_context; every handler runs on that loop, so nothing here locks.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>

#include "kernel/client.h"
#include "kernel/console_broker.h"
#include "kernel/disk_registry.h"
#include "kernel/listener.h"
#include "kernel/names.h"
#include "kernel/net_registry.h"
#include "kernel/options.h"
#include "kernel/rpc.h"
#include "kernel/tenants.h"
#include "kernel/vhv.h"

namespace nestlab::kernel {

class Kernel final : public VhvObserver {
 public:
  static HostResult<std::unique_ptr<Kernel>> create(boost::asio::io_context& io, Options options);
  ~Kernel();

  // Starts accepting clients and handling signals; signals readiness.
  void start();
  // Destroys every VHV, removes the socket, then stops the loop.
  void shutdown(const std::string& why);

  // VhvObserver
  void on_vhv_event(const Vhv& vhv, nlohmann::json event) override;
  void on_vhv_console(const Vhv& vhv, int vm, const std::string& data) override;
  void on_vhv_exited(Vhv& vhv) override;

 private:
  Kernel(boost::asio::io_context& io, Options options, ListeningSocket socket);
  using Handler = void (Kernel::*)(Client&, Request&, std::vector<UniqueFd>&, Reply);

  // kernel.cpp: connections and the process's life
  void accept_next();
  void accept_ready();
  void accept_failed(int error);
  void admit(UniqueFd fd);
  std::shared_ptr<UserUsage> usage_of(uid_t uid);
  void on_client_line(uint64_t client_id, Line line);
  void on_client_closed(uint64_t client_id, const Error* error);
  void arm_idle_timer();
  bool idle() const;
  void finish_shutdown();

  // kernel_methods.cpp: the API (protocols.md section 1)
  static const std::map<std::string, Handler>& methods();
  void hello(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void vhv_create(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void vhv_list(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void vhv_inspect(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void vhv_destroy(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void vhv_stop(Client&, Request&, std::vector<UniqueFd>&, Reply);   // lifecycle_methods.cpp
  void vhv_start(Client&, Request&, std::vector<UniqueFd>&, Reply);  // lifecycle_methods.cpp
  void vm_run(Client&, Request&, std::vector<UniqueFd>&, Reply);
  // vm.run's disks, checked, claimed and locked; what the highvisor gets.
  static constexpr size_t kMaxDisksPerVm = 8;  // BootParams::kMaxDisks
  HostResult<nlohmann::json> take_disks(const nlohmann::json& list, std::vector<UniqueFd>& fds,
                                        uint64_t image_index, const std::string& vhv_name,
                                        std::vector<RunDisk>& out);
  // net_methods.cpp: vm.run's "net", a port on the owner's lab network.
  HostResult<std::optional<NetPortGrant>> take_net(const nlohmann::json& params, const Vhv& vhv,
                                                   nlohmann::json& forward);
  // vm_methods.cpp: the VMs of a VHV (issue 13).
  void vm_list(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void vm_stop(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void vhv_stats(Client&, Request&, std::vector<UniqueFd>&, Reply);  // stats_methods.cpp
  void events_subscribe(Client&, Request&, std::vector<UniqueFd>&, Reply);
  // tenant_methods.cpp: tenants and their resource groups (issue 3)
  void tenant_list(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void tenant_set(Client&, Request&, std::vector<UniqueFd>&, Reply);
  HostResult<std::string> tenant_for(const Client& client,
                                     const std::optional<std::string>& wanted);
  std::string tenant_cgroup(const std::string& tenant) const;
  // Makes the tenant's group with its limits, before a VHV goes into it;
  // refused while tenants.json is damaged.
  HostResult<void> prepare_tenant_group(const std::string& tenant);
  void load_tenants();  // at start; a damaged file is logged (TenantTable::load)
  void release_tenant_group(const std::string& tenant);

  // kernel_readopt.cpp: surviving a restart (protocols.md "Kernel restarts")
  void readopt();
  void readopt_one(const std::string& dir);
  // Stops every highvisor of this state directory and every process in
  // this kernel's cgroups that no VHV it adopted accounts for.
  void stop_orphans();
  void poll_memory_events();
  void console_subscribe(Client&, Request&, std::vector<UniqueFd>&, Reply);

  // console_methods.cpp: the console broker's API
  void console_attach(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void console_detach(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void console_input(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void console_resize(Client&, Request&, std::vector<UniqueFd>&, Reply);
  bool console_reads(const Client& client, const std::string& vhv, int vm);
  void console_output(const Vhv& vhv, int vm, std::string_view bytes);

  // trap_methods.cpp: trap observation and guestinfo (issue 4)
  struct TraceFollow;
  void vm_stats(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void vhv_pause(Client&, Request&, std::vector<UniqueFd>&, Reply);   // S10: pause_methods.cpp
  void vhv_resume(Client&, Request&, std::vector<UniqueFd>&, Reply);  // S10: pause_methods.cpp
  void forward_pause(Client&, Request&, const char* method, Reply);
  void vm_trace(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void guestinfo_get(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void guestinfo_set(Client&, Request&, std::vector<UniqueFd>&, Reply);
  void follow_trace(std::shared_ptr<TraceFollow> follow);

  // kernel_bounds.cpp: room under the user's bounds for one more
  HostResult<void> check_subscription_room(const Client& client);
  HostResult<void> check_console_room(const Client& client);
  HostResult<void> check_follower_room(const Client& client);
  HostResult<void> check_vhv_room(uid_t owner);

  // kernel_vhvs.cpp: finding and naming VHVs
  HostResult<Vhv*> find_vhv(const Client& client, const std::string& id_or_name);
  // The VHV named by params {"vhv"} (no other parameter allowed).
  HostResult<Vhv*> only_vhv_param(const Client& client, const nlohmann::json& params);
  HostResult<std::string> choose_name(const std::optional<std::string>& wanted);
  HostResult<std::string> next_id();
  void destroy_vhv(const std::string& id, std::function<void()> done);
  uid_t owner_of(const std::string& id) const;

  void send(Client& client, const nlohmann::json& message);

  boost::asio::io_context& m_io;
  Options m_options;
  ListeningSocket m_socket;
  boost::asio::posix::stream_descriptor m_acceptor;
  boost::asio::signal_set m_signals;
  boost::asio::steady_timer m_idle_timer;
  boost::asio::steady_timer m_shutdown_timer;
  boost::asio::steady_timer m_memory_timer;  // poll_memory_events, every second
  // accept() failing (out of fds or memory): retried after a pause that
  // grows to a second, not in a spin; logged once per episode.
  boost::asio::steady_timer m_accept_timer;
  int m_accept_backoff_ms = 0;  // 0: accept works
  // An fd kept open for the moment the process runs out: closed to accept
  // one connection and tell it so, then opened again.
  UniqueFd m_spare_fd;
  std::map<uid_t, std::shared_ptr<UserUsage>> m_users;
  std::map<uint64_t, std::shared_ptr<Client>> m_clients;
  // Before m_vhvs: the VHVs' disk claims point into it.
  DiskRegistry m_disks;
  // Before m_vhvs too: the VMs' ports on lab networks (net_registry.h).
  NetRegistry m_networks{m_io, m_options.limits};
  std::map<std::string, std::unique_ptr<Vhv>> m_vhvs;  // by id
  uint64_t m_next_client = 1;
  bool m_shutting_down = false;
  std::chrono::steady_clock::time_point m_idle_since;
  ConsoleBroker m_console_broker{m_options.state_dir, m_options.limits.console_disk,
                                 [this](const std::string& id) { return owner_of(id); }};
  TenantTable m_tenants{m_options.state_dir + "/tenants.json"};
  VhvIdCounter m_vhv_ids{m_options.state_dir};  // loaded by readopt()
};

}  // namespace nestlab::kernel
