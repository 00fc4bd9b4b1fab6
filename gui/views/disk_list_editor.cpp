#include "gui/views/disk_list_editor.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace nestlab::gui {

DiskListEditor::DiskListEditor(QWidget* parent)
    : QWidget(parent),
      m_layout(new QVBoxLayout(this)),
      m_add(new QPushButton(tr("Add &disk"), this)) {
  m_layout->setContentsMargins(0, 0, 0, 0);
  m_layout->addWidget(m_add, 0, Qt::AlignLeft);
  m_add->setToolTip(
      tr("A raw disk image as a virtio-blk device (at most %1)").arg(RunGuestRequest::kMaxDisks));
  connect(m_add, &QPushButton::clicked, this, [this] { add_disk(); });
}

bool DiskListEditor::add_disk(const QString& path, bool read_only) {
  if (m_rows.size() >= RunGuestRequest::kMaxDisks) return false;
  Row row;
  row.widget = new QWidget(this);
  row.path = new QLineEdit(path, row.widget);
  row.path->setPlaceholderText(tr("raw disk image (whole 512-byte sectors)"));
  row.read_only = new QCheckBox(tr("Read-only"), row.widget);
  row.read_only->setChecked(read_only);
  auto* browse = new QPushButton(tr("Browse…"), row.widget);
  auto* remove = new QPushButton(tr("Remove"), row.widget);
  auto* line = new QHBoxLayout(row.widget);
  line->setContentsMargins(0, 0, 0, 0);
  line->addWidget(row.path, 1);
  line->addWidget(browse);
  line->addWidget(row.read_only);
  line->addWidget(remove);
  QLineEdit* edit = row.path;
  connect(browse, &QPushButton::clicked, this, [this, edit] {
    const QString picked =
        QFileDialog::getOpenFileName(this, tr("Disk image"), QFileInfo(edit->text()).path(),
                                     tr("Disk images (*.img *.raw);;All files (*)"));
    if (!picked.isEmpty()) edit->setText(picked);
  });
  QWidget* widget = row.widget;
  connect(remove, &QPushButton::clicked, this, [this, widget] {
    for (int i = 0; i < m_rows.size(); ++i)
      if (m_rows[i].widget == widget) return remove_disk(i);
  });
  connect(row.path, &QLineEdit::textChanged, this, &DiskListEditor::changed);
  connect(row.read_only, &QCheckBox::toggled, this, &DiskListEditor::changed);
  m_layout->insertWidget(m_layout->count() - 1, row.widget);
  m_rows.append(row);
  m_add->setEnabled(m_rows.size() < RunGuestRequest::kMaxDisks);
  emit changed();
  return true;
}

void DiskListEditor::remove_disk(int row) {
  if (row < 0 || row >= m_rows.size()) return;
  m_rows.takeAt(row).widget->deleteLater();
  m_add->setEnabled(true);
  emit changed();
}

QList<GuestDisk> DiskListEditor::disks() const {
  QList<GuestDisk> out;
  for (const Row& row : m_rows)
    if (!row.path->text().isEmpty()) out.append({row.path->text(), row.read_only->isChecked()});
  return out;
}

QString DiskListEditor::problem() const {
  for (const GuestDisk& d : disks()) {
    const QFileInfo file(d.path);
    if (!file.exists()) return tr("Disk %1: no such file").arg(d.path);
    if (file.isDir() || !file.isReadable()) return tr("Disk %1: not a readable file").arg(d.path);
    if (!d.read_only && !file.isWritable())
      return tr("Disk %1: no write permission (tick Read-only for a read-only disk)").arg(d.path);
  }
  return {};
}

}  // namespace nestlab::gui
