// The GUI's one connection to nestlabd: a non-blocking Unix socket driven by
// QSocketNotifier (QLocalSocket cannot attach SCM_RIGHTS to a write, which
// vm.run needs). It retries every kRetryInterval while the kernel is away,
// and says so in status_text() for the banner. Resource clients (VhvClient,
// CounterClient, ...) make calls through it; views never see it.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <chrono>
#include <deque>
#include <functional>
#include <vector>

#include "gui/client/rpc_reply.h"

namespace nestlab::gui {

class KernelConnection : public QObject {
  Q_OBJECT

 public:
  enum class State { Disconnected, Connecting, Connected };
  Q_ENUM(State)

  using ReplyHandler = std::function<void(const RpcReply&)>;

  static constexpr std::chrono::milliseconds kRetryInterval{2000};
  // A line longer than this means the stream is out of step; we reconnect.
  static constexpr qsizetype kMaxLineBytes = 16 * 1024 * 1024;

  explicit KernelConnection(QString socket_path, QObject* parent = nullptr);
  ~KernelConnection() override;

  // Starts connecting and keeps retrying until stop().
  void start();
  void stop();

  State state() const { return m_state; }
  QString socket_path() const { return m_socket_path; }
  // One sentence for the banner; empty when connected.
  QString status_text() const { return m_status_text; }
  // kernel.hello's result: {version, mode, pid, uid}.
  QJsonObject hello() const { return m_hello; }

  // Sends one request. `handler` runs exactly once, always from the event
  // loop (never inside call()): with the reply, or with an "unavailable"
  // error if there is no connection or it is lost first. It is dropped if
  // `context` is destroyed first. `fds` are borrowed: they are duplicated
  // and ride as SCM_RIGHTS on the sendmsg carrying the request's first byte.
  qint64 call(const QString& method, const QJsonObject& params, QObject* context,
              ReplyHandler handler, const std::vector<int>& fds = {});

 signals:
  void stateChanged(nestlab::gui::KernelConnection::State state);
  // After kernel.hello succeeded; clients (re)subscribe here.
  void connected();
  void disconnected(const QString& reason);
  void notification(const QString& method, const QJsonObject& params);

 private:
  struct Pending {
    QPointer<QObject> context;
    ReplyHandler handler;
  };
  struct Outgoing {
    QByteArray bytes;
    qsizetype sent = 0;
    std::vector<int> fds;  // Owned; closed once sent.
  };

  void try_connect();
  void on_readable();
  void on_writable();
  void flush();
  void handle_line(const QByteArray& line);
  void drop_connection(const QString& status);
  void set_state(State state);
  void deliver(Pending pending, const RpcReply& reply);
  void fail_later(Pending pending, const QString& why);

  QString m_socket_path;
  int m_fd = -1;  // Invariant: >= 0 exactly when m_state != Disconnected.
  State m_state = State::Disconnected;
  bool m_running = false;
  QString m_status_text;
  QJsonObject m_hello;
  QSocketNotifier* m_read_notifier = nullptr;   // Child of this while m_fd >= 0.
  QSocketNotifier* m_write_notifier = nullptr;  // Child of this while m_fd >= 0.
  QByteArray m_in;
  std::deque<Outgoing> m_out;
  QHash<qint64, Pending> m_pending;
  qint64 m_next_id = 1;
  QTimer m_retry_timer;
};

}  // namespace nestlab::gui
