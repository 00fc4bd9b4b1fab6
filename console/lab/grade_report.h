// What a grade found, independent of how it is shown: the human summary
// (report_text), JSON (report_json), JUnit XML (report_junit) and TAP 13
// (report_tap) are all written from this one struct.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "console/lab/lab_definition.h"

namespace nestlab::lab {

enum class StepStatus { Passed, Failed, NotReached };

const char* step_status_name(StepStatus status);  // "passed", "failed", "not-reached"

struct StepResult {
  std::string name;
  StepKind kind = StepKind::Expect;
  int64_t points = 0;  // earned
  int64_t max_points = 0;
  StepStatus status = StepStatus::NotReached;
  std::string expected;                   // what the step wanted (failures)
  std::string seen;                       // what there was instead (failures)
  std::vector<std::string> console_tail;  // the last console lines when it failed
  double guest_ms = 0;                    // guest time the step took
  double wall_ms = 0;
};

struct GradeReport {
  std::string lab;
  std::string title;
  std::string dir;   // the student directory
  std::string note;  // e.g. that --lab overrode the directory's .nestlab-lab
  // The run's platform (docs/labs.md, "Varied platform"); 0 before the run.
  uint64_t mem = 0;
  uint64_t pl011 = 0;
  bool build_ok = true;
  std::string build_output;  // make's output (bounded), kept when the build failed
  std::string start_error;   // why the built program could not be started (the loader's reason)
  std::vector<StepResult> steps;
  int64_t max_score = 0;
  std::string guest_end;  // "powered off with code 7", "still running when grading ended", ...
  std::string console;    // the run's console output, its last 64 KiB
  double wall_s = 0;

  int64_t score() const;
  bool passed() const;  // built and every step passed
  // 0 when passed, 1 otherwise (docs/labs.md, "Reports").
  int exit_status() const { return passed() ? 0 : 1; }
};

}  // namespace nestlab::lab
