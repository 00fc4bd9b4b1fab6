// KernelConnection against a real nestlabd started by the test (and against
// no kernel at all, for the banner and the retry).
#include "gui/client/kernel_connection.h"

#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <cstdio>

#include "gui/tests/kernel_process.h"
#include "gui/tests/wait.h"

using namespace nestlab::gui;
using nestlab::gui::test::KernelProcess;
using nestlab::gui::test::wait_until;

namespace {

// Calls and spins the event loop until the reply is there (bounded).
std::optional<RpcReply> call_and_wait(KernelConnection& c, const QString& method,
                                      const QJsonObject& params = {},
                                      const std::vector<int>& fds = {}, int timeout_ms = 10000) {
  std::optional<RpcReply> got;
  c.call(
      method, params, &c, [&](const RpcReply& r) { got = r; }, fds);
  if (!wait_until([&] { return got.has_value(); }, timeout_ms)) return std::nullopt;
  return got;
}

// For failure messages: what went wrong with a call, if anything.
QByteArray why(const std::optional<RpcReply>& reply) {
  if (!reply) return "no reply in time";
  return reply->ok() ? QByteArray("ok") : describe(*reply->error).toUtf8();
}

}  // namespace

class KernelConnectionTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() {
    m_kernel_path = test::find_kernel();
    m_kernel = std::make_unique<KernelProcess>();
  }
  void cleanup() { m_kernel.reset(); }

  void absent_kernel_gives_banner_and_retries() {
    QTemporaryDir dir;
    const QString path = dir.filePath("nestlab.sock");
    KernelConnection c(path);
    QSignalSpy down(&c, &KernelConnection::disconnected);
    c.start();
    QCOMPARE(c.state(), KernelConnection::State::Disconnected);
    QCOMPARE(c.status_text(),
             QString("nestlabd is not running at %1 — retrying every 2 s").arg(path));
    // Calls made meanwhile fail, asynchronously, instead of hanging.
    std::optional<RpcReply> got;
    c.call("vhv.list", {}, this, [&](const RpcReply& r) { got = r; });
    QVERIFY(!got);
    QVERIFY(wait_until([&] { return got.has_value(); }, 1000));
    QCOMPARE(got->error->data_code, QString("unavailable"));
    // A second attempt comes about two seconds later, without blocking us.
    QVERIFY(wait_until([&] { return down.size() >= 2; }, 3500));
  }

  void connects_when_kernel_appears_later() {
    if (m_kernel_path.path.isEmpty()) QSKIP(qPrintable(m_kernel_path.why));
    // Learn the kernel's socket path, then have the GUI there first.
    QVERIFY2(m_kernel->start(m_kernel_path.path), qPrintable(m_kernel->error()));
    m_kernel->stop();
    KernelConnection c(m_kernel->socket_path());
    QSignalSpy up(&c, &KernelConnection::connected);
    c.start();
    QCOMPARE(c.state(), KernelConnection::State::Disconnected);
    QVERIFY(c.status_text().startsWith("nestlabd is not running at"));
    QVERIFY2(m_kernel->start(m_kernel_path.path), qPrintable(m_kernel->error()));
    // The next retry (at most 2 s away) finds it.
    QVERIFY(wait_until([&] { return up.size() == 1; }, 5000));
    QCOMPARE(c.state(), KernelConnection::State::Connected);
    QVERIFY(c.status_text().isEmpty());
  }

  void hello_and_list() {
    if (m_kernel_path.path.isEmpty()) QSKIP(qPrintable(m_kernel_path.why));
    QVERIFY2(m_kernel->start(m_kernel_path.path), qPrintable(m_kernel->error()));
    KernelConnection c(m_kernel->socket_path());
    QSignalSpy up(&c, &KernelConnection::connected);
    c.start();
    QVERIFY(wait_until([&] { return up.size() == 1; }, 5000));
    QVERIFY(!c.hello().value("version").toString().isEmpty());
    QVERIFY(c.hello().value("pid").toInteger() > 0);
    const QString mode = c.hello().value("mode").toString();
    QVERIFY2(mode == "system" || mode == "session", qPrintable(mode));
    const auto list = call_and_wait(c, "vhv.list");
    QVERIFY(list && list->ok());
    QVERIFY(list->result.isArray());
    QCOMPARE(list->result.toArray().size(), 0);
  }

  void errors_come_back_as_replies() {
    if (m_kernel_path.path.isEmpty()) QSKIP(qPrintable(m_kernel_path.why));
    QVERIFY2(m_kernel->start(m_kernel_path.path), qPrintable(m_kernel->error()));
    KernelConnection c(m_kernel->socket_path());
    QSignalSpy up(&c, &KernelConnection::connected);
    c.start();
    QVERIFY(wait_until([&] { return up.size() == 1; }, 5000));
    const auto unknown = call_and_wait(c, "vhv.frobnicate");
    QVERIFY(unknown && !unknown->ok());
    QCOMPARE(unknown->error->code, -32601);
    const auto missing = call_and_wait(c, "vhv.inspect", {{"vhv", "no-such-vhv"}});
    QVERIFY(missing && !missing->ok());
    QCOMPARE(missing->error->data_code, QString("not-found"));
    // The connection survives both.
    const auto list = call_and_wait(c, "vhv.list");
    QVERIFY(list && list->ok());
  }

  void image_fd_rides_with_vm_run() {
    if (m_kernel_path.path.isEmpty()) QSKIP(qPrintable(m_kernel_path.why));
    const auto lowvisor = test::find_shared("lowvisor.elf");
    if (lowvisor.path.isEmpty()) QSKIP(qPrintable(lowvisor.why));
    QVERIFY2(m_kernel->start(m_kernel_path.path), qPrintable(m_kernel->error()));
    KernelConnection c(m_kernel->socket_path());
    QSignalSpy up(&c, &KernelConnection::connected);
    QList<QJsonObject> events;
    connect(&c, &KernelConnection::notification, this,
            [&](const QString& method, const QJsonObject& p) {
              if (method == "event") events.append(p);
            });
    c.start();
    QVERIFY(wait_until([&] { return up.size() == 1; }, 5000));
    QVERIFY(call_and_wait(c, "events.subscribe")->ok());

    const auto created = call_and_wait(c, "vhv.create", {{"name", "guitest"}}, {}, 30000);
    QVERIFY2(created && created->ok(), why(created).constData());
    const QString id = created->result.toObject().value("id").toString();
    auto state = [&] {
      const auto r = call_and_wait(c, "vhv.inspect", {{"vhv", id}});
      return r && r->ok() ? r->result.toObject().value("state").toString() : QString("?");
    };
    QVERIFY2(wait_until([&] { return state() == "ready"; }, 30000), qPrintable(state()));

    // A file that is not a guest image: the kernel must have received the
    // fd to read it, and names the problem.
    QTemporaryFile not_an_image;
    QVERIFY(not_an_image.open());
    not_an_image.write("this is not an ELF file\n");
    not_an_image.flush();
    const auto refused =
        call_and_wait(c, "vm.run", {{"vhv", id}, {"image_fd", 0}, {"image_name", "notes.txt"}},
                      {int(not_an_image.handle())}, 30000);
    QVERIFY(refused);
    QVERIFY(!refused->ok());
    QVERIFY2(refused->error->message.contains("notes.txt"), qPrintable(refused->error->message));

    const auto destroyed = call_and_wait(c, "vhv.destroy", {{"vhv", id}}, {}, 30000);
    QVERIFY2(destroyed && destroyed->ok(), why(destroyed).constData());
    const auto list = call_and_wait(c, "vhv.list");
    QCOMPARE(list->result.toArray().size(), 0);
  }

  void lost_connection_fails_pending_calls_and_reconnects() {
    if (m_kernel_path.path.isEmpty()) QSKIP(qPrintable(m_kernel_path.why));
    QVERIFY2(m_kernel->start(m_kernel_path.path), qPrintable(m_kernel->error()));
    KernelConnection c(m_kernel->socket_path());
    QSignalSpy up(&c, &KernelConnection::connected);
    QSignalSpy down(&c, &KernelConnection::disconnected);
    c.start();
    QVERIFY(wait_until([&] { return up.size() == 1; }, 5000));
    m_kernel->stop();
    QVERIFY(wait_until([&] { return c.state() == KernelConnection::State::Disconnected; }, 5000));
    QVERIFY2(c.status_text().contains("retrying every 2 s"), qPrintable(c.status_text()));
    std::optional<RpcReply> got;
    c.call("vhv.list", {}, this, [&](const RpcReply& r) { got = r; });
    QVERIFY(wait_until([&] { return got.has_value(); }, 1000));
    QVERIFY(!got->ok());
    // And it comes back by itself once the kernel does.
    QVERIFY2(m_kernel->start(m_kernel_path.path), qPrintable(m_kernel->error()));
    QVERIFY(wait_until([&] { return up.size() == 2; }, 5000));
    const auto list = call_and_wait(c, "vhv.list");
    QVERIFY2(list && list->ok(), why(list).constData());
  }

 private:
  test::Found m_kernel_path;
  std::unique_ptr<KernelProcess> m_kernel;
};

// Runs the tests; when the kernel (or the guests) are not built, reports
// ctest's skip status instead of a pass, with the reason.
int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  KernelConnectionTest test;
  const int failures = QTest::qExec(&test, argc, argv);
  const QString missing = nestlab::gui::test::missing_for_kernel_tests(true);
  if (failures == 0 && !missing.isEmpty()) {
    std::fprintf(stderr, "SKIPPED: %s\n", qPrintable(missing));
    return nestlab::gui::test::kSkipExitCode;
  }
  return failures;
}
#include "kernel_connection_test.moc"
