// LabClient against the real lab runner (`nestlab lab ...`, built beside the
// test) and, for grading, a real nestlabd started by the test: the models
// are fed with what the CLI really prints. Skips, saying why, when the CLI
// or its `lab` command is not built.
#include "gui/client/lab_client.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

#include "gui/tests/kernel_process.h"
#include "gui/tests/wait.h"

using namespace nestlab::gui;
using nestlab::gui::test::KernelProcess;
using nestlab::gui::test::wait_until;

namespace {

// Why the real checks could not run, if they could not.
QString g_skipped;

// Whether this CLI has `lab list --json` yet; else why not.
QString lab_command_missing(const QString& cli) {
  QProcess p;
  p.start(cli, {"lab", "list", "--json"});
  if (!p.waitForFinished(30000)) return QStringLiteral("`nestlab lab list --json` did not finish");
  if (p.exitCode() != 0)
    return QStringLiteral("`nestlab lab list --json` failed: %1")
        .arg(QString::fromUtf8(p.readAllStandardError()).trimmed());
  return {};
}

}  // namespace

class LabClientTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    const auto cli = test::find_cli();
    if (cli.path.isEmpty()) {
      g_skipped = cli.why;
      QSKIP(qPrintable(cli.why));
    }
    m_cli = cli.path;
    if (const QString why = lab_command_missing(m_cli); !why.isEmpty()) {
      g_skipped = why;
      QSKIP(qPrintable(why));
    }
  }

  void missing_cli_says_so() {
    LabClient client(QStringLiteral("/nonexistent/nestlab"), QStringLiteral("/tmp/none.sock"));
    QVERIFY(!client.available());
    QSignalSpy failed(&client, &LabClient::actionFailed);
    client.refresh_labs();
    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.first().at(1).toString().contains("/nonexistent/nestlab"));
    QVERIFY(!client.busy());
  }

  void lists_the_installed_labs() {
    LabClient client(m_cli, QStringLiteral("/tmp/none.sock"));
    QSignalSpy listed(&client, &LabClient::labsListed);
    QSignalSpy busy(&client, &LabClient::busyChanged);
    client.refresh_labs();
    QVERIFY(client.busy());
    QVERIFY2(wait_until([&] { return !client.busy(); }, 30000), qPrintable(client.status()));
    QCOMPARE(listed.size(), 1);
    QCOMPARE(busy.size(), 2);
    LabListModel* labs = client.labs();
    QVERIFY2(labs->rowCount() >= 1, qPrintable(client.log()));
    const int boot = labs->row_of("01-boot");
    QVERIFY(boot >= 0);
    QCOMPARE(labs->index(boot, LabListModel::TitleColumn).data().toString(),
             QString("Boot contract"));
    // lab.toml: five steps worth 100 points.
    QCOMPARE(labs->index(boot, LabListModel::PointsColumn).data().toInt(), 100);
    QCOMPARE(labs->index(boot, LabListModel::StepsColumn).data().toInt(), 5);
  }

  void init_makes_a_lab_directory() {
    QTemporaryDir tmp;
    const QString dir = tmp.filePath("boot");
    LabClient client(m_cli, QStringLiteral("/tmp/none.sock"));
    client.init_lab("01-boot", dir, LabSolution::Starter);
    QVERIFY(wait_until([&] { return !client.busy(); }, 30000));
    QVERIFY2(LabClient::is_lab_dir(dir), qPrintable(client.log()));
    QVERIFY(QFile::exists(QDir(dir).filePath("main.cpp")));
    // A second init into the same, now full, directory is refused, and
    // the runner's reason reaches the caller.
    QSignalSpy failed(&client, &LabClient::actionFailed);
    client.init_lab("01-boot", dir, LabSolution::Starter);
    QVERIFY(wait_until([&] { return !client.busy(); }, 30000));
    QCOMPARE(failed.size(), 1);
    QVERIFY(!failed.first().at(1).toString().isEmpty());
  }

  // The reference passes every step, the starter does not: the per-step
  // results of a real grade against a real kernel.
  void grades_reference_and_starter() {
    if (const QString missing = test::missing_for_kernel_tests(true); !missing.isEmpty()) {
      g_skipped = missing;
      QSKIP(qPrintable(missing));
    }
    KernelProcess nestlabd;
    QVERIFY2(nestlabd.start(test::find_kernel().path), qPrintable(nestlabd.error()));

    LabClient client(m_cli, nestlabd.socket_path());
    QSignalSpy graded(&client, &LabClient::graded);
    client.grade_lab("01-boot", QString(), LabSolution::Reference);
    QVERIFY2(wait_until([&] { return !client.busy(); }, 300000),
             qPrintable(client.status() + "\n" + client.log()));
    QVERIFY2(graded.size() == 1,
             qPrintable(client.status() + "\n" + client.log() + "\n" + nestlabd.log()));
    LabResultModel* results = client.results();
    QVERIFY2(results->passed(), qPrintable(results->summary() + "\n" + client.log()));
    QCOMPARE(results->lab(), QString("01-boot"));
    QCOMPARE(results->rowCount(), 5);
    for (int row = 0; row < results->rowCount(); ++row)
      QVERIFY2(results->index(row, 0).data(LabResultModel::PassedRole).toBool(),
               qPrintable(results->index(row, 0).data().toString()));
    QCOMPARE(results->score(), 100);
    QVERIFY(LabClient::is_lab_dir(client.scratch_dir("01-boot", LabSolution::Reference)));

    client.grade_lab("01-boot", QString(), LabSolution::Starter);
    QVERIFY(wait_until([&] { return !client.busy(); }, 300000));
    QCOMPARE(graded.size(), 2);
    QVERIFY(!graded.last().at(0).toBool());
    QVERIFY(!results->passed());
    QVERIFY(results->passed_steps() < results->rowCount());
    bool explained = false;
    for (int row = 0; row < results->rowCount(); ++row)
      if (!results->index(row, 0).data(LabResultModel::PassedRole).toBool())
        explained |=
            !results->index(row, LabResultModel::ExpectedColumn).data().toString().isEmpty();
    QVERIFY(explained);

    // Run, ungraded: the guest's console reaches the log.
    QSignalSpy succeeded(&client, &LabClient::actionSucceeded);
    client.run_lab("01-boot", QString(), LabSolution::Reference);
    QVERIFY2(wait_until([&] { return !client.busy(); }, 120000), qPrintable(client.log()));
    QVERIFY2(client.log().contains("[lab 01-boot running in") && client.log().contains("nonce: "),
             qPrintable(client.log()));
    QCOMPARE(succeeded.size(), 1);
    QCOMPARE(graded.size(), 2);  // A run grades nothing.

    // Stop ends the runner at once (here still setting the directory up) and
    // drops what was queued (the grade).
    QSignalSpy failed(&client, &LabClient::actionFailed);
    QTemporaryDir fresh;
    client.grade_lab("01-boot", fresh.filePath("new"), LabSolution::Reference);
    QVERIFY(client.busy());
    client.stop();
    QVERIFY(wait_until([&] { return !client.busy(); }, 15000));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(1).toString(), QString("stopped"));
    QCOMPARE(graded.size(), 2);
  }

 private:
  QString m_cli;
};

// Runs the tests; when the CLI (or the kernel) is not built, reports
// ctest's skip status instead of a pass, with the reason.
int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  LabClientTest test;
  const int failures = QTest::qExec(&test, argc, argv);
  if (failures == 0 && !g_skipped.isEmpty()) {
    std::fprintf(stderr, "SKIPPED: %s\n", qPrintable(g_skipped));
    return nestlab::gui::test::kSkipExitCode;
  }
  return failures;
}
#include "lab_client_test.moc"
