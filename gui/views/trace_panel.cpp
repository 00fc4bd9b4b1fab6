#include "gui/views/trace_panel.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "gui/client/trace_client.h"

namespace nestlab::gui {

TracePanel::TracePanel(TraceClient* client, QWidget* parent)
    : QWidget(parent),
      m_client(client),
      m_table(new QTableView(this)),
      m_follow(new QCheckBox(tr("&Follow"), this)),
      m_status(new QLabel(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  bar->addWidget(m_follow);
  bar->addWidget(m_status, 1);
  layout->addLayout(bar);
  layout->addWidget(m_table, 1);

  m_table->setObjectName(QStringLiteral("traceTable"));
  m_table->setModel(client->model());
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setAlternatingRowColors(true);
  m_table->verticalHeader()->hide();
  m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_follow->setObjectName(QStringLiteral("traceFollow"));
  m_follow->setChecked(client->following());
  m_follow->setToolTip(tr("Keep reading new trace records (vm.trace with a cursor)."));
  m_status->setObjectName(QStringLiteral("traceStatus"));
  m_status->setText(client->status());

  connect(m_follow, &QCheckBox::toggled, client, &TraceClient::set_following);
  connect(client, &TraceClient::statusChanged, m_status, &QLabel::setText);
  // Keep to the newest record while following, unless the user scrolled up.
  connect(client->model(), &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
    const QScrollBar* bar = m_table->verticalScrollBar();
    m_table->setProperty("atBottom", bar->value() >= bar->maximum() - 1);
  });
  connect(client->model(), &QAbstractItemModel::rowsInserted, this, [this] {
    // After the view has laid out the new rows, so the scroll range includes them.
    if (m_follow->isChecked() && m_table->property("atBottom").toBool())
      QTimer::singleShot(0, m_table, &QTableView::scrollToBottom);
  });
}

}  // namespace nestlab::gui
