#include "gui/views/run_guest_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace nestlab::gui {

RunGuestDialog::RunGuestDialog(const QString& vhv, const QString& guests_dir, QWidget* parent)
    : QDialog(parent),
      m_vhv(vhv),
      m_guests_dir(guests_dir),
      m_image(new QLineEdit(this)),
      m_memory_mib(new QSpinBox(this)),
      m_smp(new QSpinBox(this)),
      m_weight(new QSpinBox(this)),
      m_append(new QLineEdit(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
  setWindowTitle(tr("Run guest on %1").arg(vhv));
  setObjectName(QStringLiteral("runGuestDialog"));
  m_image->setPlaceholderText(tr("AArch64 ELF or raw image"));
  auto* browse_button = new QPushButton(tr("&Browse…"), this);
  connect(browse_button, &QPushButton::clicked, this, &RunGuestDialog::browse);
  auto* image_row = new QHBoxLayout;
  image_row->addWidget(m_image, 1);
  image_row->addWidget(browse_button);

  m_memory_mib->setRange(0, 64 * 1024);
  m_memory_mib->setSpecialValueText(tr("VHV default"));
  m_memory_mib->setToolTip(
      tr("Taken from what is left of the VHV's memory (default: 128 MiB, or what is left)"));
  m_memory_mib->setSuffix(tr(" MiB"));
  m_smp->setRange(1, 8);
  m_weight->setRange(1, 10000);
  m_weight->setValue(1);
  m_weight->setToolTip(
      tr("The VM's CPU share against the VHV's other VMs: weight 3 beside weight 1 gets about "
         "three quarters of a shared CPU"));
  m_append->setPlaceholderText(tr("e.g. exit=3 (reaches /chosen/bootargs)"));

  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Run"));
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_image, &QLineEdit::textChanged, this, &RunGuestDialog::validate);

  auto* form = new QFormLayout(this);
  form->addRow(tr("&Image:"), image_row);
  form->addRow(tr("&Memory:"), m_memory_mib);
  form->addRow(tr("v&CPUs:"), m_smp);
  form->addRow(tr("&Weight:"), m_weight);
  form->addRow(tr("&Append:"), m_append);
  form->addRow(m_buttons);
  validate();
  resize(520, sizeHint().height());
}

void RunGuestDialog::browse() {
  const QString start =
      m_image->text().isEmpty() ? m_guests_dir : QFileInfo(m_image->text()).path();
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Guest image"), start, tr("Guest images (*.elf *.bin *.img);;All files (*)"));
  if (!path.isEmpty()) m_image->setText(path);
}

void RunGuestDialog::validate() {
  const QFileInfo file(m_image->text());
  const bool ok = file.isFile() && file.isReadable();
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
  m_image->setToolTip(ok || m_image->text().isEmpty() ? QString()
                                                      : tr("No readable file at this path"));
}

RunGuestRequest RunGuestDialog::request() const {
  RunGuestRequest request;
  request.vhv = m_vhv;
  request.image_path = m_image->text();
  request.mem = qint64(m_memory_mib->value()) << 20;
  request.smp = m_smp->value();
  request.weight = m_weight->value();
  request.append = m_append->text();
  return request;
}

}  // namespace nestlab::gui
