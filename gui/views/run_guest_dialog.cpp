#include "gui/views/run_guest_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

#include "gui/views/disk_list_editor.h"

namespace nestlab::gui {

RunGuestDialog::RunGuestDialog(const QString& vhv, const QString& guests_dir, QWidget* parent)
    : QDialog(parent),
      m_vhv(vhv),
      m_guests_dir(guests_dir),
      m_image(new QLineEdit(this)),
      m_initrd(new QLineEdit(this)),
      m_disks(new DiskListEditor(this)),
      m_memory_mib(new QSpinBox(this)),
      m_smp(new QSpinBox(this)),
      m_weight(new QSpinBox(this)),
      m_append(new QLineEdit(this)),
      m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
  setWindowTitle(tr("Run guest on %1").arg(vhv));
  setObjectName(QStringLiteral("runGuestDialog"));
  m_image->setPlaceholderText(tr("AArch64 ELF, raw image or arm64 Linux Image"));
  auto* browse_button = new QPushButton(tr("&Browse…"), this);
  connect(browse_button, &QPushButton::clicked, this, [this] {
    browse(m_image, tr("Guest image or kernel"),
           tr("Guest images (*.elf *.bin *.img Image*);;All files (*)"));
  });
  auto* image_row = new QHBoxLayout;
  image_row->addWidget(m_image, 1);
  image_row->addWidget(browse_button);
  m_initrd->setPlaceholderText(tr("optional initial ramdisk for a Linux kernel (as QEMU -initrd)"));
  auto* initrd_browse = new QPushButton(tr("Br&owse…"), this);
  connect(initrd_browse, &QPushButton::clicked, this, [this] {
    browse(m_initrd, tr("Initial ramdisk"),
           tr("Initial ramdisks (initrd* *.cpio*);;All files (*)"));
  });
  auto* initrd_row = new QHBoxLayout;
  initrd_row->addWidget(m_initrd, 1);
  initrd_row->addWidget(initrd_browse);
  m_problem->setObjectName(QStringLiteral("runGuestProblem"));
  m_problem->setWordWrap(true);

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
  m_append->setPlaceholderText(
      tr("e.g. exit=3, or console=ttyAMA0 for Linux (reaches /chosen/bootargs)"));

  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Run"));
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_image, &QLineEdit::textChanged, this, &RunGuestDialog::validate);
  connect(m_initrd, &QLineEdit::textChanged, this, &RunGuestDialog::validate);
  connect(m_disks, &DiskListEditor::changed, this, &RunGuestDialog::validate);

  auto* form = new QFormLayout(this);
  form->addRow(tr("&Image / kernel:"), image_row);
  form->addRow(tr("&Initrd:"), initrd_row);
  form->addRow(tr("Dis&ks:"), m_disks);
  form->addRow(tr("&Memory:"), m_memory_mib);
  form->addRow(tr("v&CPUs:"), m_smp);
  form->addRow(tr("&Weight:"), m_weight);
  form->addRow(tr("&Append:"), m_append);
  form->addRow(m_problem);
  form->addRow(m_buttons);
  validate();
  resize(520, sizeHint().height());
}

void RunGuestDialog::browse(QLineEdit* edit, const QString& title, const QString& filter) {
  const QString start = edit->text().isEmpty() ? m_guests_dir : QFileInfo(edit->text()).path();
  const QString path = QFileDialog::getOpenFileName(this, title, start, filter);
  if (!path.isEmpty()) edit->setText(path);
}

void RunGuestDialog::validate() {
  const auto unreadable = [](const QString& path) {
    const QFileInfo file(path);
    return !file.isFile() || !file.isReadable();
  };
  QString problem;
  if (!m_image->text().isEmpty() && unreadable(m_image->text()))
    problem = tr("Image %1: no readable file at this path").arg(m_image->text());
  else if (!m_initrd->text().isEmpty() && unreadable(m_initrd->text()))
    problem = tr("Initrd %1: no readable file at this path").arg(m_initrd->text());
  else
    problem = m_disks->problem();
  m_problem->setText(problem);
  m_problem->setVisible(!problem.isEmpty());
  m_image->setToolTip(problem.startsWith(tr("Image")) ? problem : QString());
  m_buttons->button(QDialogButtonBox::Ok)
      ->setEnabled(!m_image->text().isEmpty() && problem.isEmpty());
}

RunGuestRequest RunGuestDialog::request() const {
  RunGuestRequest request;
  request.vhv = m_vhv;
  request.image_path = m_image->text();
  request.initrd_path = m_initrd->text();
  request.disks = m_disks->disks();
  request.mem = qint64(m_memory_mib->value()) << 20;
  request.smp = m_smp->value();
  request.weight = m_weight->value();
  request.append = m_append->text();
  return request;
}

}  // namespace nestlab::gui
