// Asks for what vm.run takes: a guest image (file picker), memory, vCPUs, the
// VM's CPU weight against the VHV's other VMs and the text appended to the
// guest's command line. Each run adds a VM to the VHV (issue 13).
#pragma once

#include <QDialog>

#include "gui/client/vhv_client.h"

class QDialogButtonBox;
class QLineEdit;
class QSpinBox;

namespace nestlab::gui {

class RunGuestDialog : public QDialog {
  Q_OBJECT

 public:
  RunGuestDialog(const QString& vhv, const QString& guests_dir, QWidget* parent = nullptr);

  RunGuestRequest request() const;

  QLineEdit* image_edit() const { return m_image; }
  QLineEdit* append_edit() const { return m_append; }
  QSpinBox* memory_mib() const { return m_memory_mib; }
  QSpinBox* smp_box() const { return m_smp; }
  QSpinBox* weight_box() const { return m_weight; }

 private:
  void browse();
  void validate();

  QString m_vhv;
  QString m_guests_dir;
  QLineEdit* m_image;
  QSpinBox* m_memory_mib;
  QSpinBox* m_smp;
  QSpinBox* m_weight;
  QLineEdit* m_append;
  QDialogButtonBox* m_buttons;
};

}  // namespace nestlab::gui
