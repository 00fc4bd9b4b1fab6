#include "gui/views/labs_panel.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "gui/client/lab_client.h"

namespace nestlab::gui {

namespace {

// Lines the output pane keeps; the client bounds its own copy too.
constexpr int kOutputLines = 5000;

QToolButton* button_for(QAction* action, QWidget* parent) {
  auto* button = new QToolButton(parent);
  button->setDefaultAction(action);
  button->setToolButtonStyle(Qt::ToolButtonTextOnly);
  button->setObjectName(action->objectName() + QStringLiteral("Button"));
  return button;
}

}  // namespace

LabsPanel::LabsPanel(LabClient* client, QWidget* parent)
    : QWidget(parent),
      m_client(client),
      m_grade(new QAction(tr("&Grade"), this)),
      m_run(new QAction(tr("R&un lab"), this)),
      m_stop(new QAction(tr("&Stop lab"), this)),
      m_lab_box(new QComboBox(this)),
      m_description(new QLabel(this)),
      m_dir_edit(new QLineEdit(this)),
      m_solution_box(new QComboBox(this)),
      m_status(new QLabel(this)),
      m_summary(new QLabel(this)),
      m_results(new QTableView(this)),
      m_output(new QPlainTextEdit(this)) {
  m_grade->setObjectName(QStringLiteral("actionLabGrade"));
  m_grade->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
  m_grade->setToolTip(tr("Build and grade the lab directory; each step's result below (Ctrl+G)"));
  m_run->setObjectName(QStringLiteral("actionLabRun"));
  m_run->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
  m_run->setToolTip(tr("Build and run the lab ungraded; its console below (Ctrl+Shift+G)"));
  m_stop->setObjectName(QStringLiteral("actionLabStop"));
  m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
  m_stop->setToolTip(tr("Stop the lab runner; its VHV goes with it (Ctrl+Shift+K)"));
  connect(m_grade, &QAction::triggered, this, &LabsPanel::grade);
  connect(m_run, &QAction::triggered, this, &LabsPanel::run);
  connect(m_stop, &QAction::triggered, client, &LabClient::stop);

  m_lab_box->setObjectName(QStringLiteral("labBox"));
  m_lab_box->setModel(client->labs());
  m_lab_box->setModelColumn(LabListModel::IdColumn);
  m_lab_box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_description->setObjectName(QStringLiteral("labDescription"));
  // One line each, so the steps keep the room; the rest is in tooltips.
  m_description->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  m_dir_edit->setObjectName(QStringLiteral("labDirEdit"));
  m_dir_edit->setPlaceholderText(tr("empty: a temporary directory"));
  m_dir_edit->setClearButtonEnabled(true);
  m_dir_edit->setToolTip(
      tr("The lab directory to grade or run. One that is not a lab directory yet is set up "
         "from the lab's starter or reference files first (nestlab lab init)."));
  auto* browse = new QToolButton(this);
  browse->setObjectName(QStringLiteral("labBrowse"));
  browse->setText(tr("Browse…"));
  connect(browse, &QToolButton::clicked, this, &LabsPanel::browse);
  m_solution_box->setObjectName(QStringLiteral("labSolutionBox"));
  m_solution_box->addItem(tr("starter files"), QVariant::fromValue(LabSolution::Starter));
  m_solution_box->addItem(tr("reference solution"), QVariant::fromValue(LabSolution::Reference));
  m_solution_box->setToolTip(tr("What a new lab directory starts with"));
  auto* refresh = new QToolButton(this);
  refresh->setObjectName(QStringLiteral("labRefresh"));
  refresh->setText(tr("↻"));
  refresh->setToolTip(tr("List the labs again (nestlab lab list)"));
  connect(refresh, &QToolButton::clicked, client, &LabClient::refresh_labs);

  auto* lab_row = new QHBoxLayout;
  lab_row->addWidget(m_lab_box, 1);
  lab_row->addWidget(refresh);
  auto* dir_row = new QHBoxLayout;
  dir_row->addWidget(m_dir_edit, 1);
  dir_row->addWidget(browse);
  auto* form = new QFormLayout;
  form->addRow(tr("Lab:"), lab_row);
  form->addRow(QString(), m_description);
  dir_row->addWidget(new QLabel(tr("new from"), this));
  dir_row->addWidget(m_solution_box);
  form->addRow(tr("Directory:"), dir_row);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(button_for(m_grade, this));
  buttons->addWidget(button_for(m_run, this));
  buttons->addWidget(button_for(m_stop, this));
  buttons->addWidget(m_status, 1);
  m_status->setObjectName(QStringLiteral("labStatus"));
  m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  m_summary->setObjectName(QStringLiteral("labSummary"));
  m_summary->setWordWrap(true);

  m_results->setObjectName(QStringLiteral("labResultsTable"));
  m_results->setModel(client->results());
  m_results->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_results->setSelectionMode(QAbstractItemView::SingleSelection);
  m_results->setAlternatingRowColors(true);
  m_results->setWordWrap(false);
  m_results->verticalHeader()->hide();
  m_results->verticalHeader()->setDefaultSectionSize(m_results->fontMetrics().height() + 6);
  m_results->horizontalHeader()->setStretchLastSection(true);
  m_results->horizontalHeader()->resizeSection(LabResultModel::StepColumn, 260);
  m_output->setObjectName(QStringLiteral("labOutput"));
  m_output->setReadOnly(true);
  m_output->setMaximumBlockCount(kOutputLines);
  m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
  m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_output->setPlaceholderText(tr("The lab runner's output: make, the grader, a run's console."));
  auto* split = new QSplitter(Qt::Vertical, this);
  split->setObjectName(QStringLiteral("labSplitter"));
  auto* results = new QWidget(split);
  auto* results_layout = new QVBoxLayout(results);
  results_layout->setContentsMargins(0, 0, 0, 0);
  results_layout->addWidget(m_summary);
  results_layout->addWidget(m_results, 1);
  split->addWidget(results);
  split->addWidget(m_output);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);
  // Room for a lab's steps (most have 4 to 12) above a few lines of output.
  m_results->setMinimumHeight(m_results->verticalHeader()->defaultSectionSize() * 5);
  m_output->setMinimumHeight(m_output->fontMetrics().lineSpacing() * 3);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(split, 1);

  connect(m_lab_box, &QComboBox::currentIndexChanged, this, [this] {
    update_description();
    update_actions();
  });
  connect(client->labs(), &QAbstractItemModel::modelReset, this, [this] {
    if (m_lab_box->currentIndex() < 0 && m_lab_box->count() > 0) m_lab_box->setCurrentIndex(0);
    update_description();
    update_actions();
  });
  connect(m_dir_edit, &QLineEdit::textChanged, this, &LabsPanel::update_actions);
  connect(client, &LabClient::busyChanged, this, &LabsPanel::update_actions);
  connect(client, &LabClient::statusChanged, this, [this](const QString& status) {
    m_status->setText(status);
    m_status->setToolTip(status);
  });
  connect(client, &LabClient::logCleared, m_output, &QPlainTextEdit::clear);
  connect(client, &LabClient::logAppended, this, [this](const QString& text) {
    QScrollBar* bar = m_output->verticalScrollBar();
    const bool at_bottom = bar->value() >= bar->maximum() - 2;
    m_output->moveCursor(QTextCursor::End);
    m_output->insertPlainText(text);
    if (at_bottom) bar->setValue(bar->maximum());
  });
  connect(client->results(), &QAbstractItemModel::modelReset, this, &LabsPanel::update_summary);

  m_status->setText(client->status());
  m_status->setToolTip(client->status());
  update_description();
  update_summary();
  update_actions();
}

QString LabsPanel::selected_lab() const {
  return m_lab_box->currentData(LabListModel::LabIdRole).toString();
}

void LabsPanel::select_lab(const QString& lab_id) {
  const int row = m_client->labs()->row_of(lab_id);
  if (row >= 0) m_lab_box->setCurrentIndex(row);
}

void LabsPanel::update_actions() {
  const bool busy = m_client->busy();
  const bool ready = m_client->available() && !busy;
  // A lab directory names its own lab; a new one needs a lab chosen.
  const bool has_target =
      !selected_lab().isEmpty() || LabClient::is_lab_dir(m_dir_edit->text().trimmed());
  m_grade->setEnabled(ready && has_target);
  m_run->setEnabled(ready && has_target);
  m_stop->setEnabled(busy);
}

void LabsPanel::update_description() {
  const int row = m_lab_box->currentIndex();
  if (row < 0) {
    m_description->setText(m_client->available() ? tr("No labs listed yet.")
                                                 : m_client->unavailable_reason());
    return;
  }
  const QJsonObject lab = m_client->labs()->info(row);
  QString text = QStringLiteral("<b>%1</b>").arg(lab.value("title").toString().toHtmlEscaped());
  const qint64 points = LabListModel::max_points(lab);
  const int steps = LabListModel::step_count(lab);
  if (steps >= 0 && points >= 0)
    text += tr(" <i>(%n step(s), %1 points)</i>", nullptr, steps).arg(points);
  m_description->setText(text);
  m_description->setToolTip(lab.value("summary").toString());
}

void LabsPanel::update_summary() {
  const LabResultModel* results = m_client->results();
  if (!results->has_report()) {
    m_summary->setText(tr("No grade yet."));
    m_summary->setStyleSheet(QString());
    return;
  }
  m_summary->setText(results->summary());
  m_summary->setStyleSheet(results->passed() ? QStringLiteral("color:#2ea043; font-weight:bold")
                                             : QStringLiteral("color:#cf222e; font-weight:bold"));
}

void LabsPanel::browse() {
  auto* dialog = new QFileDialog(this, tr("Lab directory"), m_dir_edit->text());
  dialog->setObjectName(QStringLiteral("labDirDialog"));
  dialog->setFileMode(QFileDialog::Directory);
  dialog->setOption(QFileDialog::ShowDirsOnly);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& dir) {
    m_dir_edit->setText(dir);
    update_actions();
  });
  dialog->open();
}

void LabsPanel::grade() {
  if (!m_grade->isEnabled()) return;
  m_client->grade_lab(selected_lab(), m_dir_edit->text().trimmed(),
                      m_solution_box->currentData().value<LabSolution>());
}

void LabsPanel::run() {
  if (!m_run->isEnabled()) return;
  m_client->run_lab(selected_lab(), m_dir_edit->text().trimmed(),
                    m_solution_box->currentData().value<LabSolution>());
}

}  // namespace nestlab::gui
