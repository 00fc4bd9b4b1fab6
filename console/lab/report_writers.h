// The four forms of a grade report (docs/labs.md, "Reports"), one file each:
// report_text.cpp (the summary a person reads), report_json.cpp,
// report_junit.cpp (JUnit XML for CI dashboards), report_tap.cpp (TAP 13).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "console/lab/grade_report.h"

namespace nestlab::lab {

// Human text. A step's line as the grade goes ("  ✓ name   20/20"), with
// expected / seen / the last console lines under a failure.
// `name_width` is the widest step name of the lab (name_column()).
std::string format_step(const StepResult& step, size_t name_width);
size_t name_column(const LabDefinition& lab);
// The build's failure, with make's output.
std::string format_build_failure(const GradeReport& report);
// The closing lines: score, verdict, where the report files are.
std::string format_summary(const GradeReport& report, std::string_view report_dir);
// Guest output made safe for a terminal: control bytes as \xNN, no '\r'.
std::string printable(std::string_view text);

nlohmann::json report_json(const GradeReport& report);

// One report file: its name in <dir>/grade and its text.
struct ReportFile {
  std::string name;
  std::string text;
};
// Writes `files` into <student_dir>/grade without following a link the
// student left there (report_files.cpp): the reports go into a fresh
// directory the grader creates (mode 0755), each file opened with
// O_CREAT | O_EXCL | O_NOFOLLOW, and that directory then takes the place of
// <student_dir>/grade (whatever was there, a directory or a symlink, is
// removed without following links). Returns the grade directory's path.
HostResult<std::string> write_reports(const std::string& student_dir,
                                      const std::vector<ReportFile>& files);
std::string report_junit(const GradeReport& report);
std::string report_tap(const GradeReport& report);

}  // namespace nestlab::lab
