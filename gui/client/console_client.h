// Serial consoles: one TerminalModel per VHV that someone looked at, fed by
// console.subscribe notifications. The kernel replays its recent console
// ring on subscription, so after a reconnection the models start over and
// are filled again from that replay. There is no console.unsubscribe; a
// model stays subscribed until its VHV goes away.
//
// Input: attach_writer() asks for the console broker's writer lock
// (console.attach mode "write", replay off since the subscription already
// replays); send_input() sends console.input. Another writer (a
// `nestlab console`) makes the attach fail with permission-denied;
// take-over is attach_writer(force). Losing the lock arrives as
// console.writer-lost. Every change is announced by writerChanged.
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>

#include "gui/client/kernel_connection.h"
#include "gui/models/terminal_model.h"

namespace nestlab::gui {

class ConsoleClient : public QObject {
  Q_OBJECT

 public:
  explicit ConsoleClient(KernelConnection* connection, QObject* parent = nullptr,
                         int max_lines = TerminalModel::kDefaultMaxLines);

  // The console of `vhv_id` (VM 0), subscribing on first use.
  TerminalModel* model_for(const QString& vhv_id);

  // Who may type into `vhv_id`'s console, as far as we know.
  struct Writer {
    bool ours = false;
    QString message;  // Why not ours (holder, error); empty while ours.
  };
  Writer writer(const QString& vhv_id) const { return m_writers.value(vhv_id); }

  void attach_writer(const QString& vhv_id, bool force);
  // Splits into console.input calls of at most kMaxInput bytes, in order.
  void send_input(const QString& vhv_id, const QByteArray& bytes);

  static constexpr qsizetype kMaxInput = 4096;

 signals:
  void writerChanged(const QString& vhv_id);

 public slots:
  // Drops the model of a VHV that no longer exists.
  void forget(const QString& vhv_id);

 private:
  void subscribe(const QString& vhv_id);
  void set_writer(const QString& vhv_id, bool ours, const QString& message);

  KernelConnection* m_connection;           // Not owned.
  QHash<QString, TerminalModel*> m_models;  // Children of this.
  QSet<QString> m_subscribed;               // On the current connection.
  QHash<QString, Writer> m_writers;
  QSet<QString> m_want_writer;  // Re-attached as writers after a reconnection.
  int m_max_lines;
};

}  // namespace nestlab::gui
