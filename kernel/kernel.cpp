#include "kernel/kernel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "kernel/access_groups.h"
#include "kernel/json_bounds.h"
#include "kernel/log.h"

namespace nestlab::kernel {

using nlohmann::json;

HostResult<std::unique_ptr<Kernel>> Kernel::create(boost::asio::io_context& io, Options options) {
  TRY(make_dirs(options.state_dir, options.mode == Mode::System ? 0755 : 0700));
  // VHV records and control sockets: whoever reaches a socket controls
  // that VHV, so only the kernel's own user may enter.
  TRY(make_dirs(options.state_dir + "/vhvs", 0700));
  ListeningSocket socket =
      TRY(open_listening_socket(options.socket_path, options.mode, options.socket_gid));
  return std::unique_ptr<Kernel>(new Kernel(io, std::move(options), std::move(socket)));
}

Kernel::Kernel(boost::asio::io_context& io, Options options, ListeningSocket socket)
    : m_io(io),
      m_options(std::move(options)),
      m_socket(std::move(socket)),
      m_acceptor(io, ::dup(m_socket.fd.get())),
      m_signals(io, SIGTERM, SIGINT),
      m_idle_timer(io),
      m_shutdown_timer(io),
      m_memory_timer(io),
      m_accept_timer(io),
      m_spare_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC)),
      m_idle_since(std::chrono::steady_clock::now()) {}

Kernel::~Kernel() {
  // Clients first: their channels hold callbacks into us.
  for (auto& [id, client] : m_clients) client->channel->close();
  m_clients.clear();
  m_vhvs.clear();  // ~Vhv kills any userworld still alive
}

void Kernel::start() {
  log("kernel", std::string("listening on ") + m_socket.path + " (" + mode_name(m_options.mode) +
                    " mode, state in " + m_options.state_dir + ")");
  load_tenants();
  readopt();
  std::set<std::string> listed;
  for (const auto& [id, vhv] : m_vhvs) listed.insert(id);
  m_console_broker.remove_orphans(listed);
  poll_memory_events();
  accept_next();
  m_signals.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (!ec) shutdown(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
  });
  if (m_options.idle_exit_seconds) arm_idle_timer();
  if (m_options.ready_fd) {
    char ready = '1';
    (void)!::write(*m_options.ready_fd, &ready, 1);
    ::close(*m_options.ready_fd);
  }
}

void Kernel::accept_next() {
  m_acceptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [this](const boost::system::error_code& ec) {
                          if (!ec && !m_shutting_down) accept_ready();
                        });
}

void Kernel::accept_ready() {
  for (;;) {
    UniqueFd fd(
        ::accept4(m_acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) {
      int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) break;
      // A client that gave up before we took it, or a signal: the next.
      if (error == ECONNABORTED || error == EINTR || error == EPROTO) continue;
      return accept_failed(error);
    }
    if (m_accept_backoff_ms) {
      log("api", "accepting connections again");
      m_accept_backoff_ms = 0;
    }
    admit(std::move(fd));
  }
  accept_next();
}

void Kernel::accept_failed(int error) {
  // Out of fds (EMFILE, ENFILE) or memory: the listening socket stays
  // readable, so waiting on it again at once would spin. Tell one waiting
  // client why, through the spare fd, then wait before trying again.
  if (m_accept_backoff_ms == 0)
    log("api", std::string("cannot accept connections: ") + std::strerror(error) +
                   "; retrying every second at most, until it works");
  if ((error == EMFILE || error == ENFILE) && m_spare_fd) {
    m_spare_fd.reset();
    UniqueFd fd(::accept4(m_acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC));
    if (fd) {
      std::string line = to_line(make_error_response(RpcError{
          kApplicationError,
          std::string("nestlabd cannot take more connections now: ") + std::strerror(error),
          "unavailable", nullptr}));
      line.push_back('\n');
      (void)!::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    fd.reset();
    m_spare_fd.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  m_accept_backoff_ms = std::min(m_accept_backoff_ms ? m_accept_backoff_ms * 2 : 50, 1000);
  m_accept_timer.expires_after(std::chrono::milliseconds(m_accept_backoff_ms));
  m_accept_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !m_shutting_down) accept_ready();
  });
}

std::shared_ptr<UserUsage> Kernel::usage_of(uid_t uid) {
  auto& slot = m_users[uid];
  if (!slot) {
    slot = std::make_shared<UserUsage>();
    slot->uid = uid;
    slot->io->uid = uid;
    slot->io->max_fds = m_options.limits.received_fds;
    slot->io->max_queued = m_options.limits.queued_output;
  }
  return slot;
}

void Kernel::admit(UniqueFd fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) return;
  std::shared_ptr<UserUsage> usage = usage_of(cred.uid);
  if (usage->connections >= m_options.limits.connections) {
    // Refused before it costs anything more than this fd: one error line
    // (a fresh socket's buffer always has room for it), then closed.
    auto refusal = limit_reached("connections", m_options.limits.connections, cred.uid,
                                 std::to_string(usage->connections) + " connections open");
    if (!usage->refusal_logged) {
      log("api", "refusing connections: " + refusal.error.message);
      usage->refusal_logged = true;
    }
    std::string line = to_line(make_error_response(to_rpc_error(refusal.error, nullptr)));
    line.push_back('\n');
    (void)!::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return;
  }
  auto client = std::make_shared<Client>();
  client->id = m_next_client++;
  client->uid = cred.uid;
  client->pid = cred.pid;
  client->admin = m_options.admin_gid && user_in_group(cred.uid, cred.gid, *m_options.admin_gid);
  client->usage = usage;
  client->connection = std::make_unique<UsageSlot>(usage, &UserUsage::connections);
  client->channel =
      LineChannel::create(m_io, std::move(fd), kMaxLineBytes, kMaxQueuedPerConnection, usage->io);
  uint64_t id = client->id;
  client->channel->set_refusal_reply([](const Error& e) {
    RpcError error = e.code == ErrorCode::LimitReached
                         ? to_rpc_error(e, nullptr)
                         : RpcError{kInvalidRequest, e.message, std::nullopt, nullptr};
    error.message += "; closing the connection";
    return to_line(make_error_response(error));
  });
  m_clients[id] = client;
  client->channel->start([this, id](Line line) { on_client_line(id, std::move(line)); },
                         [this, id](const Error* e) { on_client_closed(id, e); });
}

void Kernel::send(Client& client, const json& message) { client.channel->send(to_line(message)); }

void Kernel::on_client_line(uint64_t client_id, Line line) {
  auto it = m_clients.find(client_id);
  if (it == m_clients.end()) return;
  std::shared_ptr<Client> client = it->second;
  auto parsed = parse_request(line.text);
  if (auto* error = std::get_if<RpcError>(&parsed)) {
    send(*client, make_error_response(*error));
    return;
  }
  Request& request = std::get<Request>(parsed);
  std::optional<json> id = request.id;
  std::weak_ptr<Client> weak = client;
  Reply reply = [this, weak, id](HostResult<json> result) {
    auto c = weak.lock();
    if (!c || !id) return;  // gone, or a notification (no reply by JSON-RPC 2.0)
    if (result.is_ok())
      send(*c, make_result(*id, result.release_value()));
    else
      send(*c, make_error_response(to_rpc_error(result.error(), *id)));
  };
  auto method = methods().find(request.method);
  if (method == methods().end()) {
    std::string known;
    for (const auto& [name, _] : methods()) known += (known.empty() ? "" : ", ") + name;
    if (id)
      send(*client, make_error_response(RpcError{kMethodNotFound,
                                                 "unknown method " + text_preview(request.method) +
                                                     " (known: " + known + ")",
                                                 std::nullopt, *id}));
    return;
  }
  if (m_shutting_down) {
    reply(nestlab::make_error(ErrorCode::Unavailable, "nestlabd is shutting down"));
    return;
  }
  try {
    (this->*(method->second))(*client, request, line.fds, reply);
  } catch (const std::exception& e) {
    // A bug of ours (e.g. an unexpected JSON type); the kernel stays up.
    log("api", "internal error in " + request.method + ": " + e.what());
    reply(nestlab::make_error(ErrorCode::Internal, std::string("internal error: ") + e.what()));
  }
}

void Kernel::on_client_closed(uint64_t client_id, const Error* error) {
  if (error) log("api", "client " + std::to_string(client_id) + ": " + error->message);
  if (auto it = m_clients.find(client_id); it != m_clients.end()) {
    it->second->usage->refusal_logged = false;
    m_clients.erase(it);
  }
  m_console_broker.drop_client(client_id);
  // Ephemeral VHVs die with the connection that made them.
  std::vector<std::string> doomed;
  for (auto& [id, vhv] : m_vhvs)
    if (vhv->record().ephemeral && vhv->creator_connection() == client_id) doomed.push_back(id);
  for (auto& id : doomed) {
    log("vhv", id + ": ephemeral and its client disconnected; destroying");
    destroy_vhv(id, [] {});
  }
}

bool Kernel::idle() const {
  if (!m_clients.empty()) return false;
  for (auto& [id, vhv] : m_vhvs)
    if (vhv->alive()) return false;
  return true;
}

void Kernel::arm_idle_timer() {
  m_idle_timer.expires_after(std::chrono::seconds(1));
  m_idle_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || m_shutting_down) return;
    auto now = std::chrono::steady_clock::now();
    if (!idle())
      m_idle_since = now;
    else if (now - m_idle_since >= std::chrono::seconds(*m_options.idle_exit_seconds)) {
      shutdown("idle for " + std::to_string(*m_options.idle_exit_seconds) + " s");
      return;
    }
    arm_idle_timer();
  });
}

void Kernel::shutdown(const std::string& why) {
  if (m_shutting_down) return;
  m_shutting_down = true;
  log("kernel", "shutting down: " + why);
  boost::system::error_code ignored;
  m_acceptor.close(ignored);
  m_accept_timer.cancel();
  m_idle_timer.cancel();
  m_memory_timer.cancel();
  // Backstop: each VHV gets its own grace period, so this only fires if
  // something is badly stuck; ~Vhv then SIGKILLs what is left.
  m_shutdown_timer.expires_after(std::chrono::milliseconds(Vhv::kShutdownGraceMs + 5000));
  m_shutdown_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) finish_shutdown();
  });
  std::vector<std::string> ids;
  for (auto& [id, vhv] : m_vhvs) ids.push_back(id);
  for (auto& id : ids)
    destroy_vhv(id, [this] {
      if (m_vhvs.empty()) finish_shutdown();
    });
  if (m_vhvs.empty()) finish_shutdown();
}

void Kernel::finish_shutdown() {
  m_shutdown_timer.cancel();
  m_vhvs.clear();
  ::unlink(m_socket.path.c_str());
  for (auto& [id, client] : m_clients) client->channel->close();
  m_clients.clear();
  m_signals.cancel();
  m_io.stop();
}

}  // namespace nestlab::kernel
