#include "gui/views/create_vhv_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>

namespace nestlab::gui {

CreateVhvDialog::CreateVhvDialog(QWidget* parent)
    : QDialog(parent),
      m_name(new QLineEdit(this)),
      m_memory_mib(new QSpinBox(this)),
      m_smp(new QSpinBox(this)),
      m_tenant(new QLineEdit(this)) {
  setWindowTitle(tr("Create VHV"));
  setObjectName(QStringLiteral("createVhvDialog"));
  m_name->setPlaceholderText(tr("chosen by nestlabd"));
  m_name->setToolTip(
      tr("Letters, digits, '-', '_' and '.'; the kernel says if it refuses a name."));
  m_name->setValidator(new QRegularExpressionValidator(
      QRegularExpression(QStringLiteral("[A-Za-z0-9._-]{0,63}")), m_name));
  m_memory_mib->setRange(16, 64 * 1024);
  m_memory_mib->setValue(128);
  m_memory_mib->setSuffix(tr(" MiB"));
  m_memory_mib->setToolTip(tr("Guest RAM capacity of the VHV; its VMs take their memory from it"));
  m_smp->setRange(1, 8);
  m_smp->setValue(1);
  m_tenant->setObjectName(QStringLiteral("tenantEdit"));
  m_tenant->setPlaceholderText(tr("your own"));
  m_tenant->setToolTip(
      tr("The tenant whose resource group holds the VHV. Another than your own needs root or "
         "the admin group."));
  // As the kernel's tenant names (kernel/tenants.h): user-name-like.
  m_tenant->setValidator(new QRegularExpressionValidator(
      QRegularExpression(QStringLiteral("([a-z_][a-z0-9_.-]{0,31})?")), m_tenant));

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* form = new QFormLayout(this);
  form->addRow(tr("&Name:"), m_name);
  form->addRow(tr("&Memory:"), m_memory_mib);
  form->addRow(tr("&vCPUs:"), m_smp);
  form->addRow(tr("&Tenant:"), m_tenant);
  form->addRow(buttons);
}

CreateVhvRequest CreateVhvDialog::request() const {
  return CreateVhvRequest{m_name->text().trimmed(), qint64(m_memory_mib->value()) << 20,
                          m_smp->value(), m_tenant->text().trimmed()};
}

}  // namespace nestlab::gui
