#include "gui/client/kernel_connection.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <QFile>

#include "gui/client/rpc_codec.h"

namespace nestlab::gui {

namespace {

constexpr size_t kMaxFds = 16;

QString retry_suffix() {
  return QStringLiteral(" — retrying every %1 s")
      .arg(KernelConnection::kRetryInterval.count() / 1000);
}

QString connect_failure_text(const QString& path, int error) {
  if (error == ENOENT || error == ECONNREFUSED)
    return QStringLiteral("nestlabd is not running at %1").arg(path) + retry_suffix();
  return QStringLiteral("cannot reach nestlabd at %1: %2")
             .arg(path, QString::fromLocal8Bit(std::strerror(error))) +
         retry_suffix();
}

void close_all(std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
  fds.clear();
}

}  // namespace

KernelConnection::KernelConnection(QString socket_path, QObject* parent)
    : QObject(parent), m_socket_path(std::move(socket_path)) {
  m_retry_timer.setSingleShot(true);
  m_retry_timer.setInterval(kRetryInterval);
  connect(&m_retry_timer, &QTimer::timeout, this, &KernelConnection::try_connect);
}

KernelConnection::~KernelConnection() {
  m_running = false;
  if (m_fd >= 0) ::close(m_fd);
  for (auto& out : m_out) close_all(out.fds);
}

void KernelConnection::start() {
  if (m_running) return;
  m_running = true;
  try_connect();
}

void KernelConnection::stop() {
  m_running = false;
  m_retry_timer.stop();
  if (m_fd >= 0) drop_connection(QStringLiteral("disconnected from nestlabd"));
}

void KernelConnection::try_connect() {
  if (!m_running || m_fd >= 0) return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const QByteArray path = QFile::encodeName(m_socket_path);
  if (path.isEmpty() || static_cast<size_t>(path.size()) >= sizeof(address.sun_path)) {
    m_status_text = QStringLiteral("socket path '%1' is empty or too long").arg(m_socket_path);
    emit disconnected(m_status_text);
    return;  // Retrying cannot help.
  }
  std::memcpy(address.sun_path, path.constData(), path.size() + 1);

  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  if (rc < 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    m_status_text = connect_failure_text(m_socket_path, error);
    emit disconnected(m_status_text);
    m_retry_timer.start();
    return;
  }

  m_fd = fd;
  m_in.clear();
  m_read_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
  m_write_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
  m_write_notifier->setEnabled(false);
  connect(m_read_notifier, &QSocketNotifier::activated, this, &KernelConnection::on_readable);
  connect(m_write_notifier, &QSocketNotifier::activated, this, &KernelConnection::on_writable);
  m_status_text = QStringLiteral("connecting to nestlabd at %1").arg(m_socket_path);
  set_state(State::Connecting);

  call(QStringLiteral("kernel.hello"), {}, this, [this](const RpcReply& reply) {
    if (!reply.ok()) {
      if (m_fd >= 0)
        drop_connection(QStringLiteral("nestlabd at %1 refused kernel.hello: %2")
                            .arg(m_socket_path, describe(*reply.error)) +
                        retry_suffix());
      return;
    }
    m_hello = reply.result.toObject();
    m_status_text.clear();
    set_state(State::Connected);
    emit connected();
  });
}

qint64 KernelConnection::call(const QString& method, const QJsonObject& params, QObject* context,
                              ReplyHandler handler, const std::vector<int>& fds) {
  const qint64 id = m_next_id++;
  Pending pending{context, std::move(handler)};
  if (m_fd < 0) {
    fail_later(std::move(pending), QStringLiteral("not connected to nestlabd"));
    return id;
  }
  Outgoing out;
  out.bytes = make_request_line(id, method, params);
  for (int fd : fds) {
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0 || out.fds.size() >= kMaxFds) {
      if (copy >= 0) ::close(copy);
      close_all(out.fds);
      fail_later(std::move(pending), QStringLiteral("cannot pass file descriptor %1: %2")
                                         .arg(fd)
                                         .arg(QString::fromLocal8Bit(std::strerror(errno))));
      return id;
    }
    out.fds.push_back(copy);
  }
  m_pending.insert(id, std::move(pending));
  m_out.push_back(std::move(out));
  flush();
  return id;
}

void KernelConnection::flush() {
  while (m_fd >= 0 && !m_out.empty()) {
    Outgoing& out = m_out.front();
    iovec iov{out.bytes.data() + out.sent, static_cast<size_t>(out.bytes.size() - out.sent)};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    if (!out.fds.empty()) {
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(sizeof(int) * out.fds.size());
      cmsghdr* header = CMSG_FIRSTHDR(&msg);
      header->cmsg_level = SOL_SOCKET;
      header->cmsg_type = SCM_RIGHTS;
      header->cmsg_len = CMSG_LEN(sizeof(int) * out.fds.size());
      std::memcpy(CMSG_DATA(header), out.fds.data(), sizeof(int) * out.fds.size());
    }
    const ssize_t n = ::sendmsg(m_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        m_write_notifier->setEnabled(true);
        return;
      }
      drop_connection(QStringLiteral("lost connection to nestlabd at %1: %2")
                          .arg(m_socket_path, QString::fromLocal8Bit(std::strerror(errno))) +
                      retry_suffix());
      return;
    }
    close_all(out.fds);  // The kernel holds its own copies now.
    out.sent += n;
    if (out.sent == out.bytes.size()) m_out.pop_front();
  }
  if (m_write_notifier) m_write_notifier->setEnabled(false);
}

void KernelConnection::on_writable() { flush(); }

void KernelConnection::on_readable() {
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      drop_connection(QStringLiteral("lost connection to nestlabd at %1: %2")
                          .arg(m_socket_path, QString::fromLocal8Bit(std::strerror(errno))) +
                      retry_suffix());
      return;
    }
    if (n == 0) {
      drop_connection(QStringLiteral("nestlabd at %1 closed the connection").arg(m_socket_path) +
                      retry_suffix());
      return;
    }
    m_in.append(buffer, n);
    if (n < static_cast<ssize_t>(sizeof buffer)) break;
  }

  qsizetype start = 0;
  for (;;) {
    const qsizetype newline = m_in.indexOf('\n', start);
    if (newline < 0) break;
    const QByteArray line = m_in.mid(start, newline - start);
    start = newline + 1;
    const int fd_before = m_fd;
    handle_line(line);
    if (m_fd != fd_before) return;  // A handler stopped or replaced the connection.
  }
  m_in.remove(0, start);
  if (m_in.size() > kMaxLineBytes)
    drop_connection(QStringLiteral("nestlabd sent a line longer than %1 bytes").arg(kMaxLineBytes) +
                    retry_suffix());
}

void KernelConnection::handle_line(const QByteArray& line) {
  const Incoming incoming = parse_incoming(line);
  if (const auto* bad = std::get_if<MalformedLine>(&incoming)) {
    qWarning("nestlab-gui: ignoring a line from nestlabd: %s", qPrintable(bad->why));
    return;
  }
  if (const auto* note = std::get_if<IncomingNotification>(&incoming)) {
    emit notification(note->method, note->params);
    return;
  }
  const auto& reply = std::get<IncomingReply>(incoming);
  auto it = m_pending.find(reply.id);
  if (it == m_pending.end()) {
    qWarning("nestlab-gui: reply to unknown request %lld: %s", static_cast<long long>(reply.id),
             reply.reply.error ? qPrintable(reply.reply.error->message) : "ok");
    return;
  }
  Pending pending = std::move(it.value());
  m_pending.erase(it);
  deliver(std::move(pending), reply.reply);
}

void KernelConnection::deliver(Pending pending, const RpcReply& reply) {
  if (pending.context && pending.handler) pending.handler(reply);
}

void KernelConnection::fail_later(Pending pending, const QString& why) {
  QObject* context = pending.context ? pending.context.data() : this;
  QTimer::singleShot(0, context, [this, pending = std::move(pending), why]() mutable {
    deliver(std::move(pending), RpcReply{{}, connection_lost_error(why)});
  });
}

void KernelConnection::drop_connection(const QString& status) {
  if (m_fd < 0) return;
  // Detach the notifiers first: one of them may be the caller.
  for (QSocketNotifier* notifier : {m_read_notifier, m_write_notifier}) {
    notifier->setEnabled(false);
    notifier->deleteLater();
  }
  m_read_notifier = m_write_notifier = nullptr;
  ::close(m_fd);
  m_fd = -1;
  m_in.clear();
  for (auto& out : m_out) close_all(out.fds);
  m_out.clear();
  m_hello = {};
  m_status_text = status;

  QHash<qint64, Pending> orphans;
  orphans.swap(m_pending);
  for (auto it = orphans.begin(); it != orphans.end(); ++it)
    fail_later(std::move(it.value()), QStringLiteral("lost connection to nestlabd"));

  set_state(State::Disconnected);
  emit disconnected(status);
  if (m_running) m_retry_timer.start();
}

void KernelConnection::set_state(State state) {
  if (m_state == state) return;
  m_state = state;
  emit stateChanged(state);
}

}  // namespace nestlab::gui
