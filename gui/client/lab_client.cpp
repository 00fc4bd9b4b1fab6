#include "gui/client/lab_client.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>

namespace nestlab::gui {

namespace {

// The JSON document in a job's standard output; an empty one when there is
// none (the caller then looks for the report file).
QJsonDocument parse_json(const QByteArray& bytes) {
  QJsonParseError error{};
  QJsonDocument doc = QJsonDocument::fromJson(bytes.trimmed(), &error);
  return error.error == QJsonParseError::NoError ? doc : QJsonDocument();
}

// What `nestlab ... --json` says went wrong: {"error": {"message", "status"}}.
QString json_error(const QJsonDocument& doc) {
  return doc.object().value("error").toObject().value("message").toString();
}

QString last_line(const QByteArray& log) {
  const QList<QByteArray> lines = log.trimmed().split('\n');
  return lines.isEmpty() ? QString() : QString::fromUtf8(lines.last().trimmed());
}

}  // namespace

LabClient::LabClient(QString cli_path, QString socket_path, QObject* parent)
    : QObject(parent),
      m_cli_path(std::move(cli_path)),
      m_socket_path(std::move(socket_path)),
      m_labs(new LabListModel(this)),
      m_results(new LabResultModel(this)) {
  m_timeout.setSingleShot(true);
  connect(&m_timeout, &QTimer::timeout, this, [this] {
    if (!m_process) return;
    append_log(QByteArrayLiteral("\n[nestlab-gui] the lab runner took too long; stopping it\n"));
    m_stopping = true;
    m_process->kill();
  });
  m_kill_timer.setSingleShot(true);
  m_kill_timer.setInterval(kStopGrace);
  connect(&m_kill_timer, &QTimer::timeout, this, [this] {
    if (m_process) m_process->kill();
  });
  m_status = available() ? tr("Pick a lab, then Grade or Run.") : unavailable_reason();
}

LabClient::~LabClient() {
  m_queue.clear();
  if (m_process) {
    // The runner's VHV is ephemeral: it goes with the runner's connection.
    m_process->disconnect(this);
    m_process->terminate();
    if (!m_process->waitForFinished(static_cast<int>(kStopGrace.count()))) {
      m_process->kill();
      m_process->waitForFinished(1000);
    }
  }
}

bool LabClient::available() const {
  const QFileInfo cli(m_cli_path);
  return cli.isFile() && cli.isExecutable();
}

QString LabClient::unavailable_reason() const {
  return tr("The lab runner is not there: no executable %1 (build the nestlab CLI).")
      .arg(m_cli_path);
}

bool LabClient::is_lab_dir(const QString& dir) {
  return !dir.isEmpty() && QFileInfo(QDir(dir).filePath(QStringLiteral(".nestlab-lab"))).isFile();
}

QString LabClient::scratch_dir(const QString& lab, LabSolution solution) {
  if (!m_scratch) m_scratch = std::make_unique<QTemporaryDir>();
  return QDir(m_scratch->path())
      .filePath(lab + (solution == LabSolution::Reference ? QStringLiteral("-reference")
                                                          : QStringLiteral("-starter")));
}

void LabClient::refresh_labs() {
  enqueue({Task::List,
           tr("List labs"),
           {QStringLiteral("lab"), QStringLiteral("list"), QStringLiteral("--json")},
           {}});
}

void LabClient::init_lab(const QString& lab, const QString& dir, LabSolution solution) {
  QStringList args{QStringLiteral("lab"), QStringLiteral("init")};
  if (solution == LabSolution::Reference) args << QStringLiteral("--reference");
  args << lab << dir;
  enqueue({Task::Init, tr("Set up %1 in %2").arg(lab, dir), args, dir});
}

void LabClient::grade_lab(const QString& lab, const QString& dir, LabSolution solution) {
  enqueue_for_dir(Task::Grade, lab, dir, solution);
}

void LabClient::run_lab(const QString& lab, const QString& dir, LabSolution solution) {
  enqueue_for_dir(Task::Run, lab, dir, solution);
}

void LabClient::enqueue_for_dir(Task task, const QString& lab, const QString& dir,
                                LabSolution solution) {
  const QString where = dir.isEmpty() ? scratch_dir(lab, solution) : dir;
  if (!is_lab_dir(where)) {
    if (lab.isEmpty()) {
      emit actionFailed(tr("Lab"), tr("%1 is not a lab directory and no lab is chosen").arg(where));
      return;
    }
    init_lab(lab, where, solution);
  }
  if (task == Task::Grade)
    enqueue({Task::Grade,
             tr("Grade %1").arg(where),
             {QStringLiteral("lab"), QStringLiteral("grade"), where, QStringLiteral("--json")},
             where});
  else
    enqueue({Task::Run,
             tr("Run %1").arg(where),
             {QStringLiteral("lab"), QStringLiteral("run"), where},
             where});
}

void LabClient::enqueue(Job job) {
  if (!available()) {
    emit actionFailed(job.action, unavailable_reason());
    set_status(unavailable_reason());
    return;
  }
  const bool was_busy = busy();
  m_queue.push_back(std::move(job));
  // Before starting: a runner that cannot start reports (and ends) at once.
  if (!was_busy) emit busyChanged(true);
  if (!m_process) start_next();
}

void LabClient::start_next() {
  if (m_queue.empty()) return;
  m_job = std::move(m_queue.front());
  m_queue.pop_front();
  m_stdout.clear();
  m_stdout_overflow = false;
  m_stopping = false;
  if (m_job.task != Task::List) {
    m_log.clear();
    m_decoder.resetState();
    emit logCleared();
  }
  if (m_job.task == Task::Grade) m_results->clear();

  m_process = new QProcess(this);
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("NESTLAB_SOCKET"), m_socket_path);
  m_process->setProcessEnvironment(env);
  const bool json = m_job.task == Task::List || m_job.task == Task::Grade;
  connect(m_process, &QProcess::readyReadStandardOutput, this, [this, json] {
    const QByteArray bytes = m_process->readAllStandardOutput();
    if (!json) {
      append_log(bytes);
      return;
    }
    if (m_stdout.size() + bytes.size() > kMaxJsonBytes) {
      m_stdout_overflow = true;
      return;
    }
    m_stdout += bytes;
  });
  connect(m_process, &QProcess::readyReadStandardError, this,
          [this] { append_log(m_process->readAllStandardError()); });
  connect(m_process, &QProcess::finished, this, &LabClient::on_finished);
  connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart) on_finished(-1, QProcess::CrashExit);
  });
  if (m_job.task == Task::List || m_job.task == Task::Init)
    m_timeout.start(kListTimeout);
  else if (m_job.task == Task::Grade)
    m_timeout.start(kGradeTimeout);
  set_status(m_job.action + QStringLiteral("…"));
  m_process->start(m_cli_path, m_job.args);
}

void LabClient::on_finished(int exit_code, QProcess::ExitStatus status) {
  if (!m_process) return;
  // Whatever is still buffered belongs to this job.
  const QByteArray rest = m_process->readAllStandardOutput();
  if (m_job.task == Task::List || m_job.task == Task::Grade) {
    if (m_stdout.size() + rest.size() <= kMaxJsonBytes)
      m_stdout += rest;
    else
      m_stdout_overflow = true;
  } else {
    append_log(rest);
  }
  append_log(m_process->readAllStandardError());
  const bool failed_to_start = m_process->error() == QProcess::FailedToStart;
  const QString start_error = m_process->errorString();
  m_process->disconnect(this);
  m_process->deleteLater();
  m_process = nullptr;
  m_timeout.stop();
  m_kill_timer.stop();
  const Job job = m_job;
  if (failed_to_start) {
    m_queue.clear();
    emit actionFailed(job.action, tr("cannot start %1: %2").arg(m_cli_path, start_error));
    set_status(tr("%1 failed: cannot start %2").arg(job.action, m_cli_path));
  } else {
    finish_job(job, exit_code, status == QProcess::CrashExit);
  }
  if (m_process == nullptr && !m_queue.empty())
    start_next();
  else if (!busy())
    emit busyChanged(false);
}

QString LabClient::failure_text(int exit_code) const {
  const QString why = last_line(m_log);
  return why.isEmpty() ? tr("the lab runner exited with status %1").arg(exit_code) : why;
}

void LabClient::finish_job(const Job& job, int exit_code, bool crashed) {
  if (m_stopping || crashed) {
    m_queue.clear();
    const QString message = m_stopping ? tr("stopped") : tr("the lab runner crashed");
    emit actionFailed(job.action, message);
    set_status(tr("%1: %2").arg(job.action, message));
    return;
  }
  switch (job.task) {
    case Task::List: {
      // {labs_dir, labs: [...]}; a lab whose lab.toml is broken is left
      // out (status 2, its reason on stderr) and the others still listed.
      const QJsonDocument doc = m_stdout_overflow ? QJsonDocument() : parse_json(m_stdout);
      const QJsonValue labs = doc.isArray() ? QJsonValue(doc.array()) : doc.object().value("labs");
      if (!labs.isArray()) {
        const QString why = !json_error(doc).isEmpty() ? json_error(doc)
                            : exit_code != 0           ? failure_text(exit_code)
                                                       : tr("no lab list in the runner's output");
        emit actionFailed(job.action, why);
        set_status(tr("Cannot list the labs: %1").arg(why));
        return;
      }
      m_labs->set_labs(labs.toArray());
      QString status = tr("%n lab(s).", nullptr, m_labs->rowCount());
      if (exit_code != 0) status += QLatin1Char(' ') + failure_text(exit_code);
      set_status(status);
      emit labsListed();
      return;
    }
    case Task::Init:
      if (exit_code != 0) {
        m_queue.clear();  // What was to follow needs the directory.
        emit actionFailed(job.action, failure_text(exit_code));
        set_status(tr("%1 failed: %2").arg(job.action, failure_text(exit_code)));
        return;
      }
      emit actionSucceeded(tr("%1: done").arg(job.action));
      set_status(tr("%1: done").arg(job.action));
      return;
    case Task::Grade: {
      // The report on standard output, else the one grade wrote.
      QJsonDocument doc = m_stdout_overflow ? QJsonDocument() : parse_json(m_stdout);
      if (!doc.isObject()) {
        QFile file(QDir(job.dir).filePath(QStringLiteral("grade/report.json")));
        if (file.open(QIODevice::ReadOnly) && file.size() <= kMaxJsonBytes)
          doc = parse_json(file.readAll());
      }
      // 0: every step passed, 1: some did not, 2: a bad lab or directory
      // (then, like any other failure to grade, {"error": ...}).
      if (!doc.isObject() || !doc.object().contains("steps") || exit_code > 1) {
        const QString why = json_error(doc).isEmpty() ? failure_text(exit_code) : json_error(doc);
        emit actionFailed(job.action, why);
        set_status(tr("%1 failed: %2").arg(job.action, why));
        return;
      }
      m_results->set_report(doc.object());
      set_status(tr("Graded %1.").arg(job.dir));
      emit actionSucceeded(m_results->summary());
      emit graded(m_results->passed());
      return;
    }
    case Task::Run:
      set_status(tr("%1: finished with status %2").arg(job.action).arg(exit_code));
      emit actionSucceeded(tr("%1: finished with status %2").arg(job.action).arg(exit_code));
      return;
  }
}

void LabClient::stop() {
  m_queue.clear();
  if (!m_process) return;
  m_stopping = true;
  append_log(QByteArrayLiteral("\n[nestlab-gui] stopping the lab runner\n"));
  m_process->terminate();
  m_kill_timer.start();
}

void LabClient::append_log(const QByteArray& bytes) {
  if (bytes.isEmpty()) return;
  m_log += bytes;
  if (m_log.size() > kMaxLogBytes) m_log.remove(0, m_log.size() - kMaxLogBytes);
  // A chunk may end inside a UTF-8 sequence; the decoder keeps its state.
  emit logAppended(m_decoder.decode(bytes));
}

void LabClient::set_status(const QString& status) {
  if (status == m_status) return;
  m_status = status;
  emit statusChanged(status);
}

}  // namespace nestlab::gui
