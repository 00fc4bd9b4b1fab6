// Serial consoles: one TerminalModel per VHV that someone looked at, fed by
// console.subscribe notifications. The kernel replays its recent console
// ring on subscription, so after a reconnection the models start over and
// are filled again from that replay. There is no console.unsubscribe; a
// model stays subscribed until its VHV goes away.
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

 public slots:
  // Drops the model of a VHV that no longer exists.
  void forget(const QString& vhv_id);

 private:
  void subscribe(const QString& vhv_id);

  KernelConnection* m_connection;           // Not owned.
  QHash<QString, TerminalModel*> m_models;  // Children of this.
  QSet<QString> m_subscribed;               // On the current connection.
  int m_max_lines;
};

}  // namespace nestlab::gui
