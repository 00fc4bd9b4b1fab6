#include "gui/client/vhv_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include "base/rpc_codes.h"

#include <cerrno>
#include <cstring>
#include <vector>

namespace nestlab::gui {

VhvClient::VhvClient(KernelConnection* connection, QObject* parent)
    : QObject(parent),
      m_connection(connection),
      m_model(new VhvListModel(this)),
      m_inventory(new InventoryModel(m_model, this)) {
  m_poll_timer.setInterval(kPollInterval);
  m_clock.start();
  connect(&m_poll_timer, &QTimer::timeout, this, [this] {
    refresh();
    refresh_usage();
    refresh_tenants();
  });
  connect(m_connection, &KernelConnection::connected, this, [this] {
    m_has_tenant_list = true;  // Perhaps a newer kernel.
    refresh();
    refresh_tenants();
    m_poll_timer.start();
  });
  connect(m_connection, &KernelConnection::disconnected, this, [this] {
    m_poll_timer.stop();
    // What we showed is no longer known to be true.
    for (int row = 0; row < m_model->rowCount(); ++row)
      emit vhvRemoved(m_model->info(row).value("id").toString());
    m_model->clear();
    m_inventory->set_tenants({});
  });
  connect(m_connection, &KernelConnection::notification, this, &VhvClient::on_notification);
}

void VhvClient::refresh() {
  if (m_connection->state() != KernelConnection::State::Connected) return;
  if (m_list_in_flight) {
    m_list_again = true;
    return;
  }
  m_list_in_flight = true;
  m_connection->call(QStringLiteral("vhv.list"), {}, this,
                     [this](const RpcReply& reply) { on_list_reply(reply); });
}

void VhvClient::refresh_usage() {
  if (m_connection->state() != KernelConnection::State::Connected) return;
  for (int row = 0; row < m_model->rowCount(); ++row) {
    const QJsonObject info = m_model->info(row);
    const QString id = info.value("id").toString();
    const QString state = info.value("state").toString();
    if (state == QLatin1String("stopped") || state == QLatin1String("failed")) continue;
    if (m_stats_in_flight.contains(id)) continue;
    m_stats_in_flight.insert(id);
    m_connection->call(QStringLiteral("vhv.stats"), {{"vhv", id}}, this,
                       [this, id](const RpcReply& reply) {
                         m_stats_in_flight.remove(id);
                         if (reply.ok())
                           m_model->set_usage(id, reply.result.toObject(), m_clock.nsecsElapsed());
                       });
  }
}

void VhvClient::refresh_tenants() {
  if (m_connection->state() != KernelConnection::State::Connected) return;
  if (!m_has_tenant_list || m_tenants_in_flight) return;
  m_tenants_in_flight = true;
  m_connection->call(QStringLiteral("tenant.list"), {}, this, [this](const RpcReply& reply) {
    m_tenants_in_flight = false;
    if (reply.ok())
      m_inventory->set_tenants(reply.result.toArray());
    else if (reply.error->code == rpc::kMethodNotFound)  // an older kernel
      m_has_tenant_list = false;
  });
}

void VhvClient::on_list_reply(const RpcReply& reply) {
  m_list_in_flight = false;
  if (reply.ok()) {
    QSet<QString> before;
    for (int row = 0; row < m_model->rowCount(); ++row)
      before.insert(m_model->info(row).value("id").toString());
    const QJsonArray vhvs = reply.result.toArray();
    m_model->set_vhvs(vhvs);
    for (const QJsonValue& v : vhvs) before.remove(v.toObject().value("id").toString());
    for (const QString& gone : before) emit vhvRemoved(gone);
  } else if (m_connection->state() == KernelConnection::State::Connected) {
    emit actionFailed(tr("List VHVs"), describe(*reply.error));
  }
  if (m_list_again) {
    m_list_again = false;
    refresh();
  }
}

void VhvClient::on_notification(const QString& method, const QJsonObject& params) {
  Q_UNUSED(params);
  if (method == QLatin1String("event")) refresh();
}

void VhvClient::create_vhv(const CreateVhvRequest& request) {
  QJsonObject params;
  if (!request.name.isEmpty()) params.insert("name", request.name);
  if (request.mem > 0) params.insert("mem", request.mem);
  if (request.smp > 1) params.insert("smp", request.smp);
  if (!request.tenant.isEmpty()) params.insert("tenant", request.tenant);
  m_connection->call(QStringLiteral("vhv.create"), params, this, [this](const RpcReply& reply) {
    if (!reply.ok()) {
      emit actionFailed(tr("Create VHV"), describe(*reply.error));
      return;
    }
    const QJsonObject info = reply.result.toObject();
    const QString id = info.value("id").toString();
    emit actionSucceeded(tr("Created %1 (%2)").arg(id, info.value("name").toString()));
    refresh();
    emit vhvCreated(id);
  });
}

void VhvClient::destroy_vhv(const QString& vhv) {
  m_connection->call(QStringLiteral("vhv.destroy"), {{"vhv", vhv}}, this,
                     [this, vhv](const RpcReply& reply) {
                       if (!reply.ok()) {
                         emit actionFailed(tr("Destroy %1").arg(vhv), describe(*reply.error));
                         return;
                       }
                       emit actionSucceeded(tr("Destroyed %1").arg(vhv));
                       refresh();
                     });
}

void VhvClient::stop_vhv(const QString& vhv) {
  m_connection->call(QStringLiteral("vhv.stop"), {{"vhv", vhv}}, this,
                     [this, vhv](const RpcReply& reply) {
                       if (!reply.ok()) {
                         emit actionFailed(tr("Stop %1").arg(vhv), describe(*reply.error));
                         return;
                       }
                       emit actionSucceeded(tr("Stopped %1").arg(vhv));
                       refresh();
                     });
}

void VhvClient::start_vhv(const QString& vhv) {
  m_connection->call(QStringLiteral("vhv.start"), {{"vhv", vhv}}, this,
                     [this, vhv](const RpcReply& reply) {
                       if (!reply.ok()) {
                         emit actionFailed(tr("Start %1").arg(vhv), describe(*reply.error));
                         return;
                       }
                       emit actionSucceeded(tr("Started %1").arg(vhv));
                       refresh();
                     });
}

void VhvClient::pause_vhv(const QString& vhv) { pause_or_resume(vhv, true); }

void VhvClient::resume_vhv(const QString& vhv) { pause_or_resume(vhv, false); }

void VhvClient::pause_or_resume(const QString& vhv, bool pause) {
  m_connection->call(
      pause ? QStringLiteral("vhv.pause") : QStringLiteral("vhv.resume"), {{"vhv", vhv}}, this,
      [this, vhv, pause](const RpcReply& reply) {
        const QString action = pause ? tr("Pause %1").arg(vhv) : tr("Resume %1").arg(vhv);
        if (!reply.ok()) {
          // The highvisor says which state it was already in.
          const QString message = reply.error->message;
          if (message.contains(QLatin1String("already paused"))) m_model->set_paused(vhv, true);
          if (message.contains(QLatin1String("not paused"))) m_model->set_paused(vhv, false);
          emit actionFailed(action, describe(*reply.error));
          return;
        }
        const QJsonObject result = reply.result.toObject();
        m_model->set_paused(vhv, result.value("paused").toBool(pause));
        QString message = pause ? tr("Paused %1").arg(vhv) : tr("Resumed %1").arg(vhv);
        if (result.contains("paused_ms"))
          message += tr(" after %1 ms (tick policy %2)")
                         .arg(result.value("paused_ms").toInteger())
                         .arg(result.value("tick_policy").toString());
        emit actionSucceeded(message);
      });
}

void VhvClient::run_guest(const RunGuestRequest& request) {
  const QString action =
      tr("Run %1 on %2").arg(QFileInfo(request.image_path).fileName(), request.vhv);
  // The files are opened here, with this user's rights, as the CLI does;
  // the kernel gets the descriptors (image, then initrd, then the disks).
  std::vector<int> fds;
  const auto close_all = [&fds] {
    for (int fd : fds) ::close(fd);
  };
  const auto open_or_fail = [&](const QString& path, int flags, const QString& what) {
    const int fd = ::open(QFile::encodeName(path).constData(), flags | O_CLOEXEC);
    if (fd < 0) {
      emit actionFailed(action, tr("cannot open %1 %2: %3")
                                    .arg(what, path, QString::fromLocal8Bit(std::strerror(errno))));
      return false;
    }
    fds.push_back(fd);
    return true;
  };
  if (!open_or_fail(request.image_path, O_RDONLY, tr("the image"))) return;
  QJsonObject params{{"vhv", request.vhv},
                     {"image_fd", 0},
                     {"image_name", QFileInfo(request.image_path).fileName()}};
  if (!request.initrd_path.isEmpty()) {
    if (!open_or_fail(request.initrd_path, O_RDONLY, tr("the initrd"))) return close_all();
    params.insert("initrd_fd", int(fds.size()) - 1);
    params.insert("initrd_name", QFileInfo(request.initrd_path).fileName());
  }
  if (request.disks.size() > RunGuestRequest::kMaxDisks) {
    close_all();
    emit actionFailed(action, tr("at most %1 disks per VM").arg(RunGuestRequest::kMaxDisks));
    return;
  }
  QJsonArray disks;
  for (const GuestDisk& d : request.disks) {
    if (!open_or_fail(d.path, d.read_only ? O_RDONLY : O_RDWR, tr("as a disk"))) return close_all();
    QJsonObject disk{{"fd", int(fds.size()) - 1}, {"name", QFileInfo(d.path).fileName()}};
    if (d.read_only) disk.insert("ro", true);
    disks.append(disk);
  }
  if (!disks.isEmpty()) params.insert("disks", disks);
  if (request.mem > 0) params.insert("mem", request.mem);
  if (request.smp > 1) params.insert("smp", request.smp);
  params.insert("weight", request.weight);
  if (!request.append.isEmpty()) params.insert("append", request.append);
  const QString vhv = request.vhv;
  m_connection->call(
      QStringLiteral("vm.run"), params, this,
      [this, action, vhv](const RpcReply& reply) {
        if (!reply.ok()) {
          emit actionFailed(action, describe(*reply.error));
          return;
        }
        const QJsonObject result = reply.result.toObject();
        const int vm = result.value("vm").toInt();
        emit actionSucceeded(tr("%1: VM %2 running (weight %3)")
                                 .arg(action)
                                 .arg(vm)
                                 .arg(result.value("weight").toInt(1)));
        refresh();
        emit vmStarted(vhv, vm);
      },
      fds);
  close_all();  // call() sent or queued its own duplicates.
}

void VhvClient::stop_vm(const QString& vhv, int vm) {
  m_connection->call(QStringLiteral("vm.stop"), {{"vhv", vhv}, {"vm", vm}}, this,
                     [this, vhv, vm](const RpcReply& reply) {
                       if (!reply.ok()) {
                         emit actionFailed(tr("Stop VM %1 of %2").arg(vm).arg(vhv),
                                           describe(*reply.error));
                         return;
                       }
                       emit actionSucceeded(tr("Stopping VM %1 of %2").arg(vm).arg(vhv));
                       refresh();
                     });
}

}  // namespace nestlab::gui
