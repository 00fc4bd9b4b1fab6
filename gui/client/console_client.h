// Serial consoles: one TerminalModel per VM (VHV id, VM id) that someone
// looked at, fed by console.subscribe notifications for that VM only. The
// kernel replays its recent console ring on subscription, so after a
// reconnection the models start over and are filled again from that replay.
// There is no console.unsubscribe; a model stays subscribed until its VHV
// goes away.
//
// Input: attach_writer() asks for the console broker's writer lock of one
// VM's console (console.attach mode "write", replay off since the
// subscription already replays); send_input() sends console.input to that
// VM. Another writer (a `nestlab console`) makes the attach fail with
// permission-denied; take-over is attach_writer(force). Losing the lock
// arrives as console.writer-lost. Every change is announced by writerChanged.
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>

#include <utility>

#include "gui/client/kernel_connection.h"
#include "gui/models/terminal_model.h"

namespace nestlab::gui {

class ConsoleClient : public QObject {
  Q_OBJECT

 public:
  explicit ConsoleClient(KernelConnection* connection, QObject* parent = nullptr,
                         int max_lines = TerminalModel::kDefaultMaxLines);

  // The console of VM `vm` of `vhv_id`, subscribing on first use; null for
  // no VHV or a VM id below 0.
  TerminalModel* model_for(const QString& vhv_id, int vm = 0);

  // Who may type into that console, as far as we know.
  struct Writer {
    bool ours = false;
    QString message;  // Why not ours (holder, error); empty while ours.
  };
  Writer writer(const QString& vhv_id, int vm = 0) const { return m_writers.value({vhv_id, vm}); }

  void attach_writer(const QString& vhv_id, int vm, bool force);
  // Splits into console.input calls of at most kMaxInput bytes, in order.
  void send_input(const QString& vhv_id, int vm, const QByteArray& bytes);

  static constexpr qsizetype kMaxInput = 4096;

 signals:
  void writerChanged(const QString& vhv_id, int vm);

 public slots:
  // Drops the models of every VM of a VHV that no longer exists.
  void forget(const QString& vhv_id);

 private:
  using Key = std::pair<QString, int>;  // (VHV id, VM id)

  void subscribe(const Key& key);
  void set_writer(const Key& key, bool ours, const QString& message);

  KernelConnection* m_connection;       // Not owned.
  QHash<Key, TerminalModel*> m_models;  // Children of this.
  QSet<Key> m_subscribed;               // On the current connection.
  QHash<Key, Writer> m_writers;
  QSet<Key> m_want_writer;  // Re-attached as writers after a reconnection.
  int m_max_lines;
};

}  // namespace nestlab::gui
