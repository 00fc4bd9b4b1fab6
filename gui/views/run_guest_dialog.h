// Asks for what vm.run takes: a guest image (file picker), memory, vCPUs and
// the text appended to the guest's command line.
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

 private:
  void browse();
  void validate();

  QString m_vhv;
  QString m_guests_dir;
  QLineEdit* m_image;
  QSpinBox* m_memory_mib;
  QSpinBox* m_smp;
  QLineEdit* m_append;
  QDialogButtonBox* m_buttons;
};

}  // namespace nestlab::gui
