// Asks for what vhv.create takes: an optional name, guest RAM capacity,
// vCPUs and tenant (empty: the caller's own; another needs root or the
// admin group, which the kernel checks).
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
  QLineEdit* tenant_edit() const { return m_tenant; }

 private:
  QLineEdit* m_name;
  QSpinBox* m_memory_mib;
  QSpinBox* m_smp;
  QLineEdit* m_tenant;
};

}  // namespace nestlab::gui
