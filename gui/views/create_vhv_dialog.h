// Asks for what vhv.create takes: an optional name, guest RAM capacity and
// vCPUs.
#pragma once

#include <QDialog>

#include "gui/client/vhv_client.h"

class QLineEdit;
class QSpinBox;

namespace nestlab::gui {

class CreateVhvDialog : public QDialog {
  Q_OBJECT

 public:
  explicit CreateVhvDialog(QWidget* parent = nullptr);

  CreateVhvRequest request() const;

  QLineEdit* name_edit() const { return m_name; }
  QSpinBox* memory_mib() const { return m_memory_mib; }

 private:
  QLineEdit* m_name;
  QSpinBox* m_memory_mib;
  QSpinBox* m_smp;
};

}  // namespace nestlab::gui
