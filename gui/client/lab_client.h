// The labs resource: drives the lab runner, `nestlab lab ...` (docs/labs.md),
// as a child process, one at a time and never blocking the event loop, and
// keeps LabListModel (`lab list --json`) and LabResultModel (`lab grade
// --json`) in step with what it says. The child talks to the same kernel
// as the window (NESTLAB_SOCKET). Its output is bounded: the JSON it prints
// to kMaxJsonBytes, the log (make, the runner's messages, a run's console)
// to its last kMaxLogBytes.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringDecoder>
#include <QStringList>
#include <QTemporaryDir>
#include <QTimer>

#include <chrono>
#include <deque>
#include <memory>

#include "gui/models/lab_list_model.h"
#include "gui/models/lab_result_model.h"

namespace nestlab::gui {

enum class LabSolution { Starter, Reference };

class LabClient : public QObject {
  Q_OBJECT

 public:
  static constexpr qsizetype kMaxJsonBytes = 8 * 1024 * 1024;
  static constexpr qsizetype kMaxLogBytes = 256 * 1024;
  static constexpr std::chrono::milliseconds kListTimeout{60'000};
  // make, then at most the lab's wall_cap_s (docs/labs.md: generous).
  static constexpr std::chrono::milliseconds kGradeTimeout{600'000};
  static constexpr std::chrono::milliseconds kStopGrace{5'000};

  // `cli_path` is the nestlab executable; `socket_path` the kernel's socket.
  LabClient(QString cli_path, QString socket_path, QObject* parent = nullptr);
  ~LabClient() override;

  LabListModel* labs() const { return m_labs; }
  LabResultModel* results() const { return m_results; }
  QString cli_path() const { return m_cli_path; }
  // Whether the CLI is there; else why not.
  bool available() const;
  QString unavailable_reason() const;

  bool busy() const { return m_process != nullptr || !m_queue.empty(); }
  // One line on what the runner is doing or last did.
  QString status() const { return m_status; }
  // The tail of the runner's output since the last action began.
  QString log() const { return QString::fromUtf8(m_log); }

  // `lab list --json`.
  void refresh_labs();
  // `lab init [--reference] <lab> <dir>`.
  void init_lab(const QString& lab, const QString& dir, LabSolution solution);
  // `lab grade <dir> --json`; a `dir` that is not a lab directory yet is
  // first made one from `lab` (`init`). An empty `dir`: a directory of our
  // own, removed when the client goes.
  void grade_lab(const QString& lab, const QString& dir, LabSolution solution);
  // `lab run <dir>`: builds and runs ungraded; the console goes to the log.
  void run_lab(const QString& lab, const QString& dir, LabSolution solution);
  // Ends what runs (SIGTERM, so the runner tears its VHV down; SIGKILL
  // after kStopGrace) and forgets what was queued.
  void stop();

  // Where an action with an empty `dir` works.
  QString scratch_dir(const QString& lab, LabSolution solution);
  static bool is_lab_dir(const QString& dir);

 signals:
  void busyChanged(bool busy);
  void statusChanged(const QString& status);
  void logAppended(const QString& text);
  void logCleared();
  void labsListed();
  void graded(bool passed);
  void actionSucceeded(const QString& message);
  void actionFailed(const QString& action, const QString& message);

 private:
  enum class Task { List, Init, Grade, Run };
  struct Job {
    Task task;
    QString action;  // For messages: "Grade 01-boot".
    QStringList args;
    QString dir;
  };

  void enqueue_for_dir(Task task, const QString& lab, const QString& dir, LabSolution solution);
  void enqueue(Job job);
  void start_next();
  void on_finished(int exit_code, QProcess::ExitStatus status);
  void finish_job(const Job& job, int exit_code, bool crashed);
  void append_log(const QByteArray& bytes);
  void set_status(const QString& status);
  QString failure_text(int exit_code) const;

  QString m_cli_path;
  QString m_socket_path;
  LabListModel* m_labs;           // Child of this.
  LabResultModel* m_results;      // Child of this.
  QProcess* m_process = nullptr;  // Child of this while a job runs.
  Job m_job;                      // The running job, while m_process.
  std::deque<Job> m_queue;
  QByteArray m_stdout;  // A JSON job's standard output.
  bool m_stdout_overflow = false;
  bool m_stopping = false;
  QByteArray m_log;
  QStringDecoder m_decoder{QStringDecoder::Utf8};
  QString m_status;
  QTimer m_timeout;
  QTimer m_kill_timer;
  std::unique_ptr<QTemporaryDir> m_scratch;
};

}  // namespace nestlab::gui
