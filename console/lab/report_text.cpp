#include "console/lab/report_writers.h"

#include <algorithm>
#include <cstdio>

namespace nestlab::lab {

namespace {

constexpr size_t kMaxNameWidth = 60;

// Display width of UTF-8 text, counting each code point as one column
// (lab step names are ASCII or simple accented text).
size_t columns(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::string points(const StepResult& s) {
  return std::to_string(s.points) + "/" + std::to_string(s.max_points);
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '\r') continue;
    if (c == '\t' || c >= 0x20) {
      out += static_cast<char>(c);
      continue;
    }
    char esc[8];
    std::snprintf(esc, sizeof esc, "\\x%02x", c);
    out += esc;
  }
  return out;
}

size_t name_column(const LabDefinition& lab) {
  size_t width = 0;
  for (const auto& s : lab.steps) width = std::max(width, columns(s.name));
  return std::min(width, kMaxNameWidth);
}

std::string format_step(const StepResult& s, size_t name_width) {
  const char* mark = s.status == StepStatus::Passed ? "\u2713" : "\u2717";  // ✓ ✗
  std::string line = std::string("  ") + mark + " " + s.name;
  size_t width = columns(s.name);
  line += width < name_width ? std::string(name_width - width, ' ') : std::string();
  line += " " + points(s);
  if (s.status == StepStatus::NotReached) line += "  (not reached)";
  line += "\n";
  if (s.status == StepStatus::Passed) return line;
  if (!s.expected.empty()) line += "      expected: " + printable(s.expected) + "\n";
  if (!s.seen.empty()) line += "      seen:     " + printable(s.seen) + "\n";
  if (!s.console_tail.empty()) {
    line += "      last console lines:\n";
    for (const auto& l : s.console_tail) line += "      | " + printable(l) + "\n";
  }
  return line;
}

std::string format_build_failure(const GradeReport& report) {
  std::string out = "  \u2717 build: `make -C " + report.dir + "` failed\n";
  size_t start = 0;
  const std::string& o = report.build_output;
  while (start < o.size()) {
    size_t nl = o.find('\n', start);
    if (nl == std::string::npos) nl = o.size();
    out += "      | " + printable(std::string_view(o).substr(start, nl - start)) + "\n";
    start = nl + 1;
  }
  return out;
}

std::string format_summary(const GradeReport& report, std::string_view report_dir) {
  size_t failed = 0;
  for (const auto& s : report.steps) failed += s.status != StepStatus::Passed;
  std::string out =
      "\nscore " + std::to_string(report.score()) + "/" + std::to_string(report.max_score) + ": ";
  if (!report.build_ok)
    out += "the build failed, nothing was run\n";
  else if (!report.start_error.empty())
    out += "the program did not start, nothing was graded\n";
  else if (report.passed())
    out += "all " + std::to_string(report.steps.size()) + " steps passed\n";
  else
    out += std::to_string(failed) + " of " + std::to_string(report.steps.size()) +
           " steps did not pass\n";
  if (!report.guest_end.empty()) out += "guest: " + report.guest_end + "\n";
  if (!report.note.empty()) out += "note: " + report.note + "\n";
  if (!report_dir.empty())
    out += "reports: " + std::string(report_dir) + "/report.{json,xml,tap}\n";
  return out;
}

}  // namespace nestlab::lab
