#include "kernel/kernel.h"

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include "kernel/access_groups.h"
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
  m_acceptor.async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [this](const boost::system::error_code& ec) {
        if (ec || m_shutting_down) return;
        for (;;) {
          UniqueFd fd(::accept4(m_acceptor.native_handle(), nullptr, nullptr,
                                SOCK_CLOEXEC | SOCK_NONBLOCK));
          if (!fd) break;  // EAGAIN, or a client that gave up (ECONNABORTED)
          ucred cred{};
          socklen_t len = sizeof cred;
          if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) continue;
          auto client = std::make_shared<Client>();
          client->id = m_next_client++;
          client->uid = cred.uid;
          client->pid = cred.pid;
          client->admin =
              m_options.admin_gid && user_in_group(cred.uid, cred.gid, *m_options.admin_gid);
          client->channel = LineChannel::create(m_io, std::move(fd));
          uint64_t id = client->id;
          client->channel->set_refusal_reply([](const Error& e) {
            return to_line(make_error_response(RpcError{
                kInvalidRequest, e.message + "; closing the connection", std::nullopt, nullptr}));
          });
          m_clients[id] = client;
          client->channel->start([this, id](Line line) { on_client_line(id, std::move(line)); },
                                 [this, id](const Error* e) { on_client_closed(id, e); });
        }
        accept_next();
      });
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
      send(*client,
           make_error_response(RpcError{
               kMethodNotFound, "unknown method \"" + request.method + "\" (known: " + known + ")",
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
  m_clients.erase(client_id);
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
