// Runs a lab's steps in order against one running guest (docs/labs.md, "step
// kinds"): waits count the guest's virtual time, the wall-clock cap bounds
// the whole run, a failed fatal step ends it.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "console/lab/grade_report.h"
#include "console/lab/lab_definition.h"
#include "console/lab/lab_vm.h"
#include "console/lab/placeholders.h"

namespace nestlab::lab {

enum class RunEnd {
  Completed,  // every step ran, or was not reached after a fatal failure or the cap
  Broken,     // a call to the kernel failed (`error`); the client tells if it was Ctrl-C
};

struct RunOutcome {
  RunEnd end = RunEnd::Completed;
  std::string error;
};

class StepRunner {
 public:
  using StepDone = std::function<void(const StepResult&)>;

  StepRunner(const LabDefinition& lab, LabVm& vm, Placeholders values, std::string secret,
             std::chrono::steady_clock::time_point wall_deadline, StepDone on_step)
      : m_lab(lab),
        m_vm(vm),
        m_values(std::move(values)),
        m_secret(std::move(secret)),
        m_deadline(wall_deadline),
        m_on_step(std::move(on_step)),
        m_reads_trace(std::any_of(lab.steps.begin(), lab.steps.end(),
                                  [](const Step& s) { return s.kind == StepKind::Trace; })) {}

  // Appends one result per step of the lab to `results`.
  RunOutcome run(std::vector<StepResult>& results);

 private:
  // Why a wait ended without the step's condition.
  enum class Wait { Met, GuestTimeout, WallCap, GuestEnded, Error };

  // Pumps the VM until `met()` holds, the guest ended, `timeout_ms` of guest
  // time passed since `start_guest_ms`, or the wall-clock cap.
  Wait wait_until(const std::function<bool()>& met, double start_guest_ms, int64_t timeout_ms);

  void run_expect(const Step& step, StepResult& r);
  void run_send(const Step& step, StepResult& r);
  void run_mark(const Step& step, StepResult& r);
  void run_counter(const Step& step, StepResult& r);
  void run_guestinfo(const Step& step, StepResult& r);
  void run_exit(const Step& step, StepResult& r);
  void run_share(const Step& step, StepResult& r);
  void run_trace(const Step& step, StepResult& r);

  // Fills in a failure for a wait that ended in `why`.
  void wait_failed(Wait why, const Step& step, StepResult& r, const std::string& seen_if_ended);
  std::vector<std::string> console_tail() const;
  std::string guest_end() const;  // "powered off with code 7", ...

  const LabDefinition& m_lab;
  LabVm& m_vm;
  Placeholders m_values;
  std::string m_secret;
  std::chrono::steady_clock::time_point m_deadline;
  StepDone m_on_step;
  size_t m_cursor = 0;  // expect searches the console from here
  bool m_wall_cap_hit = false;
  bool m_reads_trace;   // the lab has trace steps: read the exit records as the guest runs
  std::string m_error;  // the kernel's message when a wait hit Error
};

// How the guest ended, worded to follow "the guest ": "powered off with
// code 7", "was stopped by the lowvisor (...)", "still running when grading ended".
std::string describe_guest_end(const LabVm& vm);

// The last `lines` lines of `console` (an unterminated last line included).
std::vector<std::string> last_lines(std::string_view console, size_t lines);

}  // namespace nestlab::lab
