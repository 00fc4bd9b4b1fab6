// The VHV resource: keeps VhvListModel in step with the kernel (vhv.list
// every second, and at once when an event says something changed) and
// carries out the VHV actions: vhv.create, vhv.destroy, ..., and the VM
// ones, vm.run and vm.stop, since a VM exists only inside its VHV's VhvInfo
// in this API.
#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include "gui/client/kernel_connection.h"
#include "gui/models/inventory_model.h"
#include "gui/models/vhv_list_model.h"

namespace nestlab::gui {

struct CreateVhvRequest {
  QString name;    // Empty: the kernel picks one.
  qint64 mem = 0;  // Bytes; 0: the kernel's default.
  int smp = 1;
  QString tenant;  // Empty: the caller's own (and not sent).
};

// A virtio-blk disk of a guest (vm.run `disks`), as `--disk FILE[,ro]`.
struct GuestDisk {
  QString path;
  bool read_only = false;
};

struct RunGuestRequest {
  static constexpr int kMaxDisks = 8;  // vm.run takes at most 8.

  QString vhv;          // Id or name.
  QString image_path;   // A bare-metal ELF, a raw image or an arm64 Linux Image.
  QString initrd_path;  // Optional: an initial ramdisk, as QEMU's -initrd.
  QList<GuestDisk> disks;
  qint64 mem = 0;  // Bytes; 0: the VHV's default.
  int smp = 1;
  int weight = 1;  // CPU share against the VHV's other VMs, 1..10000.
  QString append;  // Guest command line (/chosen/bootargs).
};

class VhvClient : public QObject {
  Q_OBJECT

 public:
  static constexpr std::chrono::milliseconds kPollInterval{1000};

  explicit VhvClient(KernelConnection* connection, QObject* parent = nullptr);

  VhvListModel* model() const { return m_model; }
  // The same VHVs as a tenant -> VHV -> VM tree, for the inventory view.
  InventoryModel* inventory() const { return m_inventory; }

  void refresh();
  // vhv.stats for every VHV that has a running highvisor (each poll tick).
  void refresh_usage();
  // tenant.list into the inventory (kernels without it are asked once).
  void refresh_tenants();
  void create_vhv(const CreateVhvRequest& request);
  void destroy_vhv(const QString& vhv);
  // vhv.stop / vhv.start: shut a VHV down but keep it listed; start it again.
  void stop_vhv(const QString& vhv);
  void start_vhv(const QString& vhv);
  // vhv.pause / vhv.resume: QEMU stops and continues the VHV's CPUs. The
  // kernel's VhvInfo does not say whether a VHV is paused, so the model
  // shows what our own calls (and their "already paused" errors) learned.
  void pause_vhv(const QString& vhv);
  void resume_vhv(const QString& vhv);
  // vm.run: adds a VM to the VHV (vmStarted names it).
  void run_guest(const RunGuestRequest& request);
  // vm.stop: ends VM `vm`; the VHV's other VMs run on.
  void stop_vm(const QString& vhv, int vm);

 signals:
  // One line for the status bar and the event log.
  void actionSucceeded(const QString& message);
  void actionFailed(const QString& action, const QString& message);
  void vhvCreated(const QString& vhv_id);
  void vhvRemoved(const QString& vhv_id);
  // vm.run succeeded: VM `vm` of `vhv` (as the request named it) runs.
  void vmStarted(const QString& vhv, int vm);

 private:
  void on_list_reply(const RpcReply& reply);
  void pause_or_resume(const QString& vhv, bool pause);
  void on_notification(const QString& method, const QJsonObject& params);

  KernelConnection* m_connection;  // Not owned.
  VhvListModel* m_model;           // Child of this.
  InventoryModel* m_inventory;     // Child of this; mirrors m_model.
  QTimer m_poll_timer;
  bool m_list_in_flight = false;
  bool m_list_again = false;  // An event arrived while a list was in flight.
  QSet<QString> m_stats_in_flight;
  bool m_tenants_in_flight = false;
  bool m_has_tenant_list = true;  // Until the kernel says "method not found".
  QElapsedTimer m_clock;          // Monotonic time of the vhv.stats samples.
};

}  // namespace nestlab::gui
