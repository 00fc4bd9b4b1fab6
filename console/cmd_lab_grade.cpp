// `nestlab lab grade [DIR]`: make, then run build/lab.elf in an ephemeral VHV
// and grade it step by step (docs/labs.md). Whatever ends the grade — the
// last step, a fatal failure, the wall-clock cap, Ctrl-C — the VHV is
// destroyed before we exit, and with our connection in any case.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "console/client/json_get.h"
#include "console/cmd_lab.h"
#include "console/lab/hyp_guest.h"
#include "console/lab/make_build.h"
#include "console/lab/report_writers.h"
#include "console/lab/step_runner.h"
#include "console/signals.h"
#include "console/vm_exit.h"
#include "vhv/common/layout.h"

namespace nestlab::cli {

namespace {

using client::json_dump;

constexpr size_t kReportConsole = 64 * 1024;

class Grader {
 public:
  Grader(const Invocation& inv, const ParsedArgs& args, LabTarget target, bool json)
      : m_inv(inv), m_args(args), m_target(std::move(target)), m_json(json) {}
  int run();

 private:
  int interrupted(lab::LabVm* vm);
  int broken(const std::string& message, lab::LabVm* vm);
  int finish();
  void say(const std::string& text) {
    if (!m_json) write_all(1, text);
  }

  const Invocation& m_inv;
  const ParsedArgs& m_args;
  LabTarget m_target;
  bool m_json;
  std::unique_ptr<InterruptSignals> m_signals;
  lab::GradeReport m_report;
  std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
};

int Grader::interrupted(lab::LabVm* vm) {
  m_signals->consume();  // a second Ctrl-C then ends the cleanup's wait
  if (vm) vm->destroy();
  return lab_error(m_inv, m_json, "interrupted; the lab's VM was destroyed", kExitInterrupted);
}

int Grader::broken(const std::string& message, lab::LabVm* vm) {
  if (vm) vm->destroy();
  return lab_error(m_inv, m_json, message, kExitFailed);
}

int Grader::run() {
  const lab::LabDefinition& lab = m_target.lab;
  m_report.lab = lab.id;
  m_report.title = lab.title;
  m_report.dir = m_target.dir;
  m_report.max_score = lab.max_points();
  m_report.note = m_target.note;
  auto signals = InterruptSignals::install();
  if (signals.is_error()) return lab_error(m_inv, m_json, signals.error().message, kExitFailed);
  m_signals = signals.release_value();

  say("grading " + m_target.dir + ": lab " + lab.id + ", " + lab.title + "\n");
  if (!m_target.note.empty()) say("  note: " + m_target.note + "\n");
  auto build = lab::run_make(m_target.dir, m_signals->fd(), kMakeTimeout);
  if (build.is_error()) return lab_error(m_inv, m_json, build.error().message, kExitFailed);
  if (build.value().interrupted) return interrupted(nullptr);
  const std::string image = m_target.dir + "/build/lab.elf";
  int fd = -1;
  if (build.value().ok) {
    fd = ::open(image.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      build.value().output += "\nnestlab: make succeeded but " + image +
                              " cannot be opened: " + std::strerror(errno) + "\n";
  }
  if (fd < 0) {
    m_report.build_ok = false;
    m_report.build_output = build.value().output;
    for (const auto& s : lab.steps)
      m_report.steps.push_back({s.name,
                                s.kind,
                                0,
                                s.points,
                                lab::StepStatus::NotReached,
                                "",
                                "not reached: the build failed",
                                {},
                                0,
                                0});
    say(lab::format_build_failure(m_report));
    return finish();
  }
  say("  \u2713 build\n");

  auto client = connect(m_inv, m_args);
  if (client.is_error()) {
    ::close(fd);
    return lab_error(m_inv, m_json, client.error().message, kExitFailed);
  }
  client.value()->set_interrupt_fd(m_signals->fd());
  // A fresh platform per run where the lab varies it: hard-coded answers fail.
  const lab::RunPlatform platform = lab::choose_platform(lab);
  m_report.mem = platform.mem;
  m_report.pl011 = platform.pl011 ? platform.pl011 : layout::kGuestPl011Ipa;
  lab::Placeholders values = lab::run_placeholders(platform);
  const std::string secret = lab::fresh_hex(32);
  lab::LabVm vm(*client.value());
  // The cap is for the VM: make has its own limit.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(lab.wall_cap_s);
  // A hypervisor lab's grading guest carries this run's nonce.
  int guest_fd = -1;
  if (lab.kind == lab::LabKind::Hypervisor) {
    auto guest = lab::open_hyp_guest(lab, values.nonce);
    if (guest.is_error()) {
      ::close(fd);
      return broken(guest.error().message, &vm);
    }
    guest_fd = guest.value();
  }
  auto booted = vm.boot(lab_vm_config(lab, platform, values, secret, fd, guest_fd));
  ::close(fd);
  if (guest_fd >= 0) ::close(guest_fd);
  // No lowvisor under a student's hypervisor, so no VM UUID to read.
  if (booted.is_ok() && lab.kind == lab::LabKind::Guest) {
    auto uuid = vm.uuid();  // for {uuid}: known once the VM runs
    if (uuid.is_error())
      return broken("cannot read the lab VM's UUID: " + uuid.error().message, &vm);
    values.uuid = uuid.value();
  }
  if (booted.is_error()) {
    if (client.value()->interrupted() == client::Interrupted::Yes) return interrupted(&vm);
    // A VHV that exists but refused the image: the student's program is at
    // fault (a bad ELF, a segment outside RAM), so it is a failed grade.
    if (vm.vhv().empty() || booted.error().code != ErrorCode::InvalidArgument)
      return broken("cannot start the lab's VM: " + booted.error().message, &vm);
    vm.destroy();
    m_report.start_error = booted.error().message;
    m_report.guest_end = "did not start";
    say("  \u2717 start: " + lab::printable(booted.error().message) + "\n");
    for (const auto& s : lab.steps)
      m_report.steps.push_back({s.name,
                                s.kind,
                                0,
                                s.points,
                                lab::StepStatus::NotReached,
                                "",
                                "not reached: the guest did not start",
                                {},
                                0,
                                0});
    return finish();
  }
  lab::StepRunner runner(lab, vm, values, secret, deadline,
                         [this, width = lab::name_column(lab)](const lab::StepResult& r) {
                           say(lab::format_step(r, width));
                         });
  lab::RunOutcome outcome = runner.run(m_report.steps);
  if (outcome.end == lab::RunEnd::Broken) {
    if (client.value()->interrupted() == client::Interrupted::Yes) return interrupted(&vm);
    return broken(outcome.error, &vm);
  }
  m_report.guest_end = lab::describe_guest_end(vm);
  const std::string& console = vm.console();
  m_report.console =
      console.substr(console.size() > kReportConsole ? console.size() - kReportConsole : 0);
  vm.destroy();
  return finish();
}

int Grader::finish() {
  m_report.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
  const std::vector<lab::ReportFile> files = {
      {"report.json", json_dump(lab::report_json(m_report), 2) + "\n"},
      {"report.xml", lab::report_junit(m_report)},
      {"report.tap", lab::report_tap(m_report)}};
  std::string written;
  if (auto w = lab::write_reports(m_target.dir, files); w.is_error())
    fail(m_inv.name, w.error().message, 0);
  else
    written = w.value();
  if (m_json) {
    nlohmann::json j = lab::report_json(m_report);
    j["reports"] = written.empty() ? nlohmann::json(nullptr) : nlohmann::json(written);
    write_all(1, json_dump(j, 2) + "\n");
  } else {
    write_all(1, lab::format_summary(m_report, written));
  }
  return m_report.exit_status();
}

}  // namespace

constexpr OptionSpec kGradeOptions[] = {
    {"lab", 0, TakesValue::Yes, "ID",
     "grade as this lab whatever DIR/.nestlab-lab says (graders in CI always pin it)"},
};

int lab_grade(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kGradeOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1,
              "Usage: nestlab lab grade [--lab ID] [DIR]\n\n"
              "Runs `make -C DIR`, then DIR/build/lab.elf in a fresh virtual hypervisor, and\n"
              "checks each step of the lab (`nestlab lab show LAB`). Writes\n"
              "DIR/grade/report.json, report.xml (JUnit) and report.tap (TAP 13).\n"
              "Exit status: 0 every step passed, 1 something failed, 2 bad lab or DIR,\n"
              "125 the kernel or VHV failed, 130 interrupted.\n\n" +
                  format_options_help(kGradeOptions));
    return 0;
  }
  bool json_out = wants_json(inv, *args);
  if (args->operands.size() > 1)
    return usage_error(inv.name, "unexpected argument '" + args->operands[1] + "'");
  auto target = open_lab_target(args->operands.empty() ? "." : args->operands[0],
                                args->value("lab").value_or(""));
  if (target.is_error()) return lab_error(inv, json_out, target.error().message, kLabBad);
  Grader grader(inv, *args, target.release_value(), json_out);
  return grader.run();
}

}  // namespace nestlab::cli
