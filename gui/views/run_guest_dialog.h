// Asks for what vm.run takes: a guest image or Linux kernel (file picker),
// an optional initrd, virtio-blk disks, memory, vCPUs, the VM's CPU weight
// against the VHV's other VMs and the guest's command line. Each run adds a
// VM to the VHV. Run is enabled only when every file given can be opened as
// asked; otherwise a line under the fields says which cannot.
#pragma once

#include <QDialog>

#include "gui/client/vhv_client.h"

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace nestlab::gui {

class DiskListEditor;

class RunGuestDialog : public QDialog {
  Q_OBJECT

 public:
  RunGuestDialog(const QString& vhv, const QString& guests_dir, QWidget* parent = nullptr);

  RunGuestRequest request() const;

  QLineEdit* image_edit() const { return m_image; }
  QLineEdit* initrd_edit() const { return m_initrd; }
  DiskListEditor* disk_editor() const { return m_disks; }
  QLineEdit* append_edit() const { return m_append; }
  QLabel* problem_label() const { return m_problem; }
  QSpinBox* memory_mib() const { return m_memory_mib; }
  QSpinBox* smp_box() const { return m_smp; }
  QSpinBox* weight_box() const { return m_weight; }

 private:
  void browse(QLineEdit* edit, const QString& title, const QString& filter);
  void validate();

  QString m_vhv;
  QString m_guests_dir;
  QLineEdit* m_image;
  QLineEdit* m_initrd;
  DiskListEditor* m_disks;
  QSpinBox* m_memory_mib;
  QSpinBox* m_smp;
  QSpinBox* m_weight;
  QLineEdit* m_append;
  QLabel* m_problem;
  QDialogButtonBox* m_buttons;
};

}  // namespace nestlab::gui
