// TAP version 13 (testanything.org/tap-version-13-specification.html): one
// test point per step, the failure details in a YAML block under it.
#include "console/lab/report_writers.h"

namespace nestlab::lab {

namespace {

// A YAML double-quoted scalar.
std::string yaml_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : printable(s)) {
    if (c == '"' || c == '\\') out += '\\';
    out += static_cast<char>(c);
  }
  return out + "\"";
}

// Test point descriptions must not contain '#' (it starts a directive).
std::string description(std::string_view name) {
  std::string out = printable(name);
  for (char& c : out)
    if (c == '#') c = '_';
  return out;
}

}  // namespace

std::string report_tap(const GradeReport& r) {
  std::string out = "TAP version 13\n";
  if (!r.build_ok) {
    out += "1..1\nnot ok 1 - build\n  ---\n  message: \"make failed\"\n  output: |\n";
    size_t start = 0;
    while (start < r.build_output.size()) {
      size_t nl = r.build_output.find('\n', start);
      if (nl == std::string::npos) nl = r.build_output.size();
      out += "    " + printable(std::string_view(r.build_output).substr(start, nl - start)) + "\n";
      start = nl + 1;
    }
    return out + "  ...\n";
  }
  if (!r.start_error.empty())
    return out + "1..1\nnot ok 1 - start\n  ---\n  message: " + yaml_quote(r.start_error) +
           "\n  ...\n";
  out += "1.." + std::to_string(r.steps.size()) + "\n";
  for (size_t i = 0; i < r.steps.size(); ++i) {
    const StepResult& s = r.steps[i];
    bool ok = s.status == StepStatus::Passed;
    out += std::string(ok ? "ok " : "not ok ") + std::to_string(i + 1) + " - " +
           description(s.name) + "\n";
    out += "  ---\n  kind: " + std::string(step_kind_name(s.kind)) +
           "\n  status: " + step_status_name(s.status) + "\n  points: " + std::to_string(s.points) +
           "\n  max_points: " + std::to_string(s.max_points) + "\n";
    if (!ok) {
      out += "  expected: " + yaml_quote(s.expected) + "\n  seen: " + yaml_quote(s.seen) + "\n";
      if (!s.console_tail.empty()) {
        out += "  console_tail:\n";
        for (const auto& l : s.console_tail) out += "    - " + yaml_quote(l) + "\n";
      }
    }
    out += "  ...\n";
  }
  out += "# score " + std::to_string(r.score()) + "/" + std::to_string(r.max_score) + "\n";
  return out;
}

}  // namespace nestlab::lab
