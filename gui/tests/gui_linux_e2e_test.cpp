// End to end, issue 14: a Linux guest from the GUI. A real nestlabd and the
// real main window: Create VHV, then the Run dialog's kernel and initrd
// fields boot Debian's arm64 kernel with the busybox initramfs, and the
// terminal widget renders the shell /init leaves on the console.
#include <QApplication>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

#include "gui/client/session.h"
#include "gui/tests/kernel_process.h"
#include "gui/tests/wait.h"
#include "gui/tests/window_driver.h"
#include "gui/views/create_vhv_dialog.h"
#include "gui/views/main_window.h"
#include "gui/views/run_guest_dialog.h"
#include "gui/views/terminal_view.h"

using namespace nestlab::gui;
using nestlab::gui::test::KernelProcess;
using nestlab::gui::test::make_active;
using nestlab::gui::test::wait_for_visible_child;
using nestlab::gui::test::wait_until;

class GuiLinuxEndToEndTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    // Window layout must not leak into (or come from) the user's settings.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings_dir.path());
    QApplication::setOrganizationName("nestlab");
    QApplication::setApplicationName("nestlab-gui-linux-e2e");
  }

  // Issue 14: the Run dialog boots Debian's arm64 kernel with the busybox
  // initramfs (kernel and initrd fields), and the terminal renders the
  // shell /init leaves on the console: a typed command's output shows.
  void linux_shell_from_the_run_dialog() {
    const auto kernel = test::find_kernel();
    if (kernel.path.isEmpty()) QSKIP(qPrintable(kernel.why));
    const auto image = test::find_shared("linux/Image");
    if (image.path.isEmpty()) QSKIP(qPrintable(image.why));
    const auto initrd = test::find_shared("linux/initrd");
    if (initrd.path.isEmpty()) QSKIP(qPrintable(initrd.why));

    KernelProcess nestlabd;
    QVERIFY2(nestlabd.start(kernel.path), qPrintable(nestlabd.error()));
    Session session(nestlabd.socket_path());
    MainWindow window(&session, QFileInfo(image.path).path());
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    session.connection()->start();
    QVERIFY(wait_until([&] { return window.create_action()->isEnabled(); }, 5000));

    make_active(window);
    QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
    auto* create = wait_for_visible_child<CreateVhvDialog>(&window, 2000);
    QVERIFY2(create, "Ctrl+N did not open the Create VHV dialog");
    create->name_edit()->setText("gui-linux");
    create->memory_mib()->setValue(640);
    QTest::mouseClick(create->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    VhvListModel* vhvs = session.vhvs()->model();
    QVERIFY(wait_until([&] { return vhvs->rowCount() == 1; }, 30000));
    QVERIFY2(wait_until([&] { return window.run_action()->isEnabled(); }, 60000),
             qPrintable(vhvs->info(0).value("state").toString()));

    make_active(window);
    QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
    auto* run = wait_for_visible_child<RunGuestDialog>(&window, 2000);
    QVERIFY2(run, "Ctrl+R did not open the Run guest dialog");
    run->image_edit()->setText(image.path);
    run->initrd_edit()->setText(initrd.path);
    run->append_edit()->setText("console=ttyAMA0 panic=-1 quiet nestlab.shell");
    run->memory_mib()->setValue(512);
    QPushButton* run_button = run->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY2(run_button->isEnabled(), qPrintable(run->problem_label()->text()));
    QTest::mouseClick(run_button, Qt::LeftButton);

    TerminalView* terminal = window.terminal();
    QVERIFY2(wait_until([&] { return terminal->plain_text().contains("init: a busybox shell"); },
                        120000),
             qPrintable("terminal shows:\n" + terminal->plain_text() + "\nstatus: " +
                        window.statusBar()->currentMessage() + "\nkernel log:\n" + nestlabd.log()));
    QVERIFY(wait_until([&] { return terminal->is_writer(); }, 10000));
    QTest::qWait(500);  // the shell's prompt follows the line above
    QTest::keyClicks(terminal->text_edit(), "echo hi-$((6*7))");
    QTest::keyClick(terminal->text_edit(), Qt::Key_Return);
    QVERIFY2(wait_until([&] { return terminal->plain_text().contains("hi-42"); }, 30000),
             qPrintable("terminal shows:\n" + terminal->plain_text()));
    QTest::keyClicks(terminal->text_edit(), "poweroff -f");
    QTest::keyClick(terminal->text_edit(), Qt::Key_Return);
    session.connection()->stop();
    nestlabd.stop();
  }

 private:
  QTemporaryDir m_settings_dir;
};

// Runs the test; when the kernel (or the Linux guest) is not built,
// reports ctest's skip status instead of a pass, with the reason.
int main(int argc, char** argv) {
  QApplication app(argc, argv);
  GuiLinuxEndToEndTest test;
  const int failures = QTest::qExec(&test, argc, argv);
  const QString missing = nestlab::gui::test::missing_for_kernel_tests(true);
  if (failures == 0 && !missing.isEmpty()) {
    std::fprintf(stderr, "SKIPPED: %s\n", qPrintable(missing));
    return nestlab::gui::test::kSkipExitCode;
  }
  return failures;
}
#include "gui_linux_e2e_test.moc"
