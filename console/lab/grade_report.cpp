#include "console/lab/grade_report.h"

namespace nestlab::lab {

const char* step_status_name(StepStatus status) {
  switch (status) {
    case StepStatus::Passed: return "passed";
    case StepStatus::Failed: return "failed";
    case StepStatus::NotReached: return "not-reached";
  }
  return "?";
}

int64_t GradeReport::score() const {
  int64_t sum = 0;
  for (const auto& s : steps) sum += s.points;
  return sum;
}

bool GradeReport::passed() const {
  if (!build_ok || !start_error.empty() || steps.empty()) return false;
  for (const auto& s : steps)
    if (s.status != StepStatus::Passed) return false;
  return true;
}

}  // namespace nestlab::lab
