// JUnit XML as Jenkins, GitLab and GitHub test reporters read it: one
// <testsuite> for the lab, one <testcase> per step, <failure> or <skipped>.
#include "console/lab/report_writers.h"

#include <cstdio>

namespace nestlab::lab {

namespace {

// Escapes XML text and drops what XML 1.0 cannot hold at all (most control
// bytes); guest output may contain anything.
std::string xml(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t') {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\x%02x", c);
          out += esc;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string seconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", ms / 1000.0);
  return text;
}

}  // namespace

std::string report_junit(const GradeReport& r) {
  size_t failures = 0, skipped = 0;
  for (const auto& s : r.steps) {
    failures += s.status == StepStatus::Failed;
    skipped += s.status == StepStatus::NotReached;
  }
  // A build that failed, or a program that did not start, is one failing
  // test case in place of the steps.
  const bool ran = r.build_ok && r.start_error.empty();
  if (!ran) {
    failures = 1;
    skipped = 0;
  }
  const size_t tests = ran ? r.steps.size() : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"nestlab lab grade\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(failures) + "\">\n";
  out += "  <testsuite name=\"" + xml(r.lab) + "\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
         std::to_string(skipped) + "\" time=\"" + seconds(r.wall_s * 1000) + "\">\n";
  out += "    <properties>\n      <property name=\"score\" value=\"" + std::to_string(r.score()) +
         "\"/>\n      <property name=\"max_score\" value=\"" + std::to_string(r.max_score) +
         "\"/>\n    </properties>\n";
  if (!r.build_ok) {
    out += "    <testcase classname=\"" + xml(r.lab) + "\" name=\"build\">\n";
    out += "      <failure message=\"make failed\">" + xml(r.build_output) + "</failure>\n";
    out += "    </testcase>\n";
  }
  if (r.build_ok && !r.start_error.empty()) {
    out += "    <testcase classname=\"" + xml(r.lab) + "\" name=\"start\">\n";
    out += "      <failure message=\"" + xml(r.start_error) + "\"/>\n    </testcase>\n";
  }
  for (const auto& s : ran ? r.steps : std::vector<StepResult>{}) {
    out += "    <testcase classname=\"" + xml(r.lab) + "\" name=\"" + xml(s.name) + "\" time=\"" +
           seconds(s.wall_ms) + "\">\n";
    if (s.status == StepStatus::Failed) {
      std::string body = "expected: " + s.expected + "\nseen: " + s.seen + "\n";
      for (const auto& l : s.console_tail) body += "| " + l + "\n";
      out += "      <failure message=\"" + xml(s.seen) + "\" type=\"" + step_kind_name(s.kind) +
             "\">" + xml(body) + "</failure>\n";
    } else if (s.status == StepStatus::NotReached) {
      out += "      <skipped message=\"" + xml(s.seen) + "\"/>\n";
    }
    out += "    </testcase>\n";
  }
  out += "    <system-out>" + xml(r.console) + "</system-out>\n";
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace nestlab::lab
