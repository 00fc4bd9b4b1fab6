#include "console/lab/report_writers.h"

namespace nestlab::lab {

nlohmann::json report_json(const GradeReport& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps) {
    nlohmann::json j = {{"name", s.name},
                        {"kind", step_kind_name(s.kind)},
                        {"status", step_status_name(s.status)},
                        {"points", s.points},
                        {"max_points", s.max_points},
                        {"guest_ms", s.guest_ms},
                        {"wall_ms", s.wall_ms}};
    if (s.status != StepStatus::Passed) {
      j["expected"] = s.expected;
      j["seen"] = s.seen;
      j["console_tail"] = s.console_tail;
    }
    steps.push_back(std::move(j));
  }
  nlohmann::json out = {{"lab", r.lab},
                        {"title", r.title},
                        {"dir", r.dir},
                        {"build", {{"ok", r.build_ok}}},
                        {"steps", steps},
                        {"score", r.score()},
                        {"max_score", r.max_score},
                        {"passed", r.passed()},
                        {"status", r.exit_status()},
                        {"guest_end", r.guest_end},
                        {"wall_s", r.wall_s}};
  if (!r.build_ok) out["build"]["output"] = r.build_output;
  if (!r.start_error.empty()) out["start_error"] = r.start_error;
  if (!r.note.empty()) out["note"] = r.note;
  if (r.mem) out["platform"] = {{"mem", r.mem}, {"pl011", r.pl011}};
  return out;
}

}  // namespace nestlab::lab
