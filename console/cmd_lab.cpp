// `nestlab lab`: the labs a course is made of (docs/labs.md). This file has
// the dispatcher and `list`, `show`, `init`; `grade` and `run` have files of
// their own.
#include "console/cmd_lab.h"

#include <filesystem>

#include "console/client/json_get.h"
#include "console/commands.h"
#include "console/lab/lab_catalog.h"
#include "console/lab/report_writers.h"
#include "console/lab/trace_match.h"
#include "console/size.h"
#include "console/table.h"

namespace nestlab::cli {

namespace {

using client::json;
using client::json_dump;

std::string lab_help() {
  return "Usage: nestlab lab COMMAND [ARGS]\n"
         "\n"
         "Labs: a handout, starter files, and a grader that runs your program in a\n"
         "virtual hypervisor and checks what it does.\n"
         "\n"
         "Commands:\n"
         "  list                         the installed labs\n"
         "  show LAB                     a lab's summary, VM and graded steps\n"
         "  init [--reference] LAB DIR   make DIR a working copy of LAB's starter files\n"
         "  run [DIR]                    build DIR and run it, console on this terminal\n"
         "  grade [DIR]                  build DIR, run it, grade it (exit 0: all passed)\n"
         "\n"
         "LAB is an id (01-boot), a number (1) or a name (boot). DIR defaults to the\n"
         "current directory. Every command accepts --json and --help.\n";
}

bool show_help(const ParsedArgs& args, const std::string& usage) {
  if (!args.help()) return false;
  write_all(1, usage + "\n" + format_options_help({}));
  return true;
}

json step_json(const lab::Step& s) {
  json j = {{"name", s.name}, {"kind", lab::step_kind_name(s.kind)}, {"points", s.points}};
  if (s.fatal) j["fatal"] = true;
  if (s.timeout_guest_ms) j["timeout_guest_ms"] = *s.timeout_guest_ms;
  switch (s.kind) {
    case lab::StepKind::Expect:
      j["pattern"] = s.pattern;
      j["regex"] = s.regex;
      break;
    case lab::StepKind::Send: j["input"] = s.input; break;
    case lab::StepKind::Mark: j["mark"] = s.mark; break;
    case lab::StepKind::Counter:
      j["class"] = s.exit_class;
      if (s.min) j["min"] = *s.min;
      if (s.max) j["max"] = *s.max;
      break;
    case lab::StepKind::GuestInfo:
      j["key"] = s.key;
      j["value"] = s.value;
      break;
    case lab::StepKind::Exit: j["code"] = s.code; break;
    case lab::StepKind::Share:
      if (s.share_min) j["min"] = *s.share_min;
      if (s.share_max) j["max"] = *s.share_max;
      j["window_ms"] = s.window_ms;
      break;
    case lab::StepKind::Trace:
      j["class"] = s.exit_class;
      if (s.min) j["min"] = *s.min;
      if (s.max) j["max"] = *s.max;
      if (s.iss) {
        j["iss"] = *s.iss;
        j["iss_mask"] = s.iss_mask;
      }
      if (s.detail_lo) j["detail"] = {*s.detail_lo, *s.detail_hi};
      if (!s.result.empty()) j["result"] = s.result;
      if (s.min_span_ms) j["min_span_ms"] = *s.min_span_ms;
      break;
  }
  return j;
}

// What a step checks, in a few words, for `lab show`.
std::string step_check(const lab::Step& s) {
  switch (s.kind) {
    case lab::StepKind::Expect:
      return (s.regex ? "output /" : "output \"") + s.pattern + (s.regex ? "/" : "\"");
    case lab::StepKind::Send: return "types \"" + lab::printable(s.input) + "\"";
    case lab::StepKind::Mark: return "marker " + s.mark;
    case lab::StepKind::Counter: {
      std::string range = s.min ? std::to_string(*s.min) : "0";
      range += "..";
      if (s.max) range += std::to_string(*s.max);
      return s.exit_class + " exits " + range;
    }
    case lab::StepKind::GuestInfo: return "guestinfo " + s.key + " = \"" + s.value + "\"";
    case lab::StepKind::Exit: return "exit code " + std::to_string(s.code);
    case lab::StepKind::Trace: return lab::describe_trace_step(s);
    case lab::StepKind::Share:
      return "CPU share " + (s.share_min ? std::to_string(*s.share_min) : std::string("0")) + ".." +
             (s.share_max ? std::to_string(*s.share_max) : std::string("100")) + "%";
  }
  return "";
}

json lab_json(const lab::LabDefinition& d, bool with_steps) {
  json j = {{"id", d.id},
            {"kind", lab::lab_kind_name(d.kind)},
            {"title", d.title},
            {"summary", d.summary},
            {"steps", d.steps.size()},
            {"points", d.max_points()},
            {"path", d.dir}};
  if (!with_steps) return j;
  j["files"] = d.files;
  if (!d.guest.empty()) j["guest"] = d.guest;
  j["vm"] = {{"mem", d.mem},
             {"smp", d.smp},
             {"append", d.append},
             {"pl011", d.random_pl011 ? "random" : "virt"}};
  if (d.mem_max) j["vm"]["mem_range"] = {d.mem_min, d.mem_max};
  j["limits"] = {{"guest_ms", d.guest_ms}, {"wall_cap_s", d.wall_cap_s}};
  j["steps"] = json::array();
  for (const auto& s : d.steps) j["steps"].push_back(step_json(s));
  std::error_code ec;
  if (std::filesystem::exists(d.dir + "/README.md", ec)) j["readme"] = d.dir + "/README.md";
  return j;
}

int lab_list(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, {}, status);
  if (!args) return status;
  if (show_help(*args, "Usage: nestlab lab list [--json]\n\nThe installed labs.\n")) return 0;
  bool json_out = wants_json(inv, *args);
  if (!args->operands.empty())
    return usage_error(inv.name, "unexpected argument '" + args->operands[0] + "'");
  const std::string dir = lab::labs_dir();
  json labs = json::array();
  std::vector<Row> rows, hyp_rows;  // guest labs, hypervisor labs
  std::string problems;
  for (const auto& id : lab::list_lab_ids(dir)) {
    auto d = lab::load_lab_definition(dir + "/" + id);
    if (d.is_error()) {
      problems += d.error().message + "\n";
      continue;
    }
    labs.push_back(lab_json(d.value(), false));
    (d.value().kind == lab::LabKind::Hypervisor ? hyp_rows : rows)
        .push_back({d.value().id, std::to_string(d.value().steps.size()),
                    std::to_string(d.value().max_points()), d.value().title});
  }
  if (!problems.empty()) write_all(2, problems);
  if (json_out) {
    write_all(1, json_dump({{"labs_dir", dir}, {"labs", labs}}, 2) + "\n");
  } else if (rows.empty() && hyp_rows.empty()) {
    write_all(1, "no labs in " + dir + "\n");
  } else {
    static const Column kColumns[] = {
        {"LAB", Align::Left}, {"STEPS", Align::Right}, {"POINTS", Align::Right}, {"TITLE"}};
    std::string out;
    if (!rows.empty())
      out +=
          "Guest labs: your EL1 program on nestlab's hypervisor\n" + format_table(kColumns, rows);
    if (!hyp_rows.empty())
      out += std::string(out.empty() ? "" : "\n") +
             "Hypervisor labs: your EL2 hypervisor (nestlab run --hypervisor) on the lab's "
             "guest\n" +
             format_table(kColumns, hyp_rows);
    write_all(1, out);
  }
  return problems.empty() ? kLabPassed : kLabBad;
}

int lab_show(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, {}, status);
  if (!args) return status;
  if (show_help(*args,
                "Usage: nestlab lab show LAB [--json]\n\nA lab's summary, VM and graded "
                "steps.\n"))
    return 0;
  bool json_out = wants_json(inv, *args);
  if (args->operands.empty()) return usage_error(inv.name, "missing LAB (see `nestlab lab list`)");
  if (args->operands.size() > 1)
    return usage_error(inv.name, "unexpected argument '" + args->operands[1] + "'");
  auto folder = lab::find_lab(lab::labs_dir(), args->operands[0]);
  if (folder.is_error()) return lab_error(inv, json_out, folder.error().message, kLabBad);
  auto d = lab::load_lab_definition(folder.value());
  if (d.is_error()) return lab_error(inv, json_out, d.error().message, kLabBad);
  const lab::LabDefinition& lab = d.value();
  if (json_out) {
    write_all(1, json_dump(lab_json(lab, true), 2) + "\n");
    return kLabPassed;
  }
  std::string out = lab.id + ": " + lab.title + "\n";
  if (!lab.summary.empty()) out += lab.summary + "\n";
  out += "\nVM: " + format_size(lab.mem) + " RAM, " + std::to_string(lab.smp) + " vCPU" +
         (lab.smp == 1 ? "" : "s") +
         (lab.append.empty() ? "" : ", bootargs \"" + lab.append + "\"") +
         "\nlimits: " + std::to_string(lab.guest_ms) + " ms of guest time per step, " +
         std::to_string(lab.wall_cap_s) + " s wall clock in all\n";
  if (lab.kind == lab::LabKind::Hypervisor)
    out += "kind: hypervisor lab: your EL2 hypervisor runs the grading guest " + lab.guest +
           " (nestlab run --hypervisor)\n";
  if (!lab.files.empty()) {
    out += "your files:";
    for (const auto& f : lab.files) out += " " + f;
    out += "\n";
  }
  out += "\n";
  static const Column kColumns[] = {
      {"#", Align::Right}, {"STEP"}, {"POINTS", Align::Right}, {"CHECKS"}};
  std::vector<Row> rows;
  for (size_t i = 0; i < lab.steps.size(); ++i)
    rows.push_back({std::to_string(i + 1),
                    lab.steps[i].name + (lab.steps[i].fatal ? " (fatal)" : ""),
                    std::to_string(lab.steps[i].points), step_check(lab.steps[i])});
  rows.push_back({"", "total", std::to_string(lab.max_points()), ""});
  out += format_table(kColumns, rows);
  std::error_code ec;
  if (std::filesystem::exists(lab.dir + "/README.md", ec))
    out += "\nhandout: " + lab.dir + "/README.md\n";
  out += "start: nestlab lab init " + lab.id + " DIR\n";
  write_all(1, out);
  return kLabPassed;
}

constexpr OptionSpec kInitOptions[] = {
    {"reference", 0, TakesValue::No, "", "copy the reference solution instead of the starter"},
};

int lab_init(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kInitOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1,
              "Usage: nestlab lab init [--reference] LAB DIR\n\n"
              "Creates DIR (new or empty) with LAB's starter files, the lab runtime in\n"
              "common/, a Makefile and .nestlab-lab. Then: cd DIR && nestlab lab grade\n\n" +
                  format_options_help(kInitOptions));
    return 0;
  }
  bool json_out = wants_json(inv, *args);
  if (args->operands.size() < 2)
    return usage_error(inv.name, args->operands.empty() ? "missing LAB and DIR" : "missing DIR");
  if (args->operands.size() > 2)
    return usage_error(inv.name, "unexpected argument '" + args->operands[2] + "'");
  const std::string labs = lab::labs_dir();
  auto folder = lab::find_lab(labs, args->operands[0]);
  if (folder.is_error()) return lab_error(inv, json_out, folder.error().message, kLabBad);
  auto d = lab::load_lab_definition(folder.value());
  if (d.is_error()) return lab_error(inv, json_out, d.error().message, kLabBad);
  const bool reference = args->has("reference");
  const std::string& dir = args->operands[1];
  auto created = lab::init_student_dir(d.value(), labs, dir, reference);
  if (created.is_error()) return lab_error(inv, json_out, created.error().message, kLabBad);
  if (json_out) {
    write_all(1, json_dump({{"lab", d.value().id},
                            {"dir", std::filesystem::absolute(dir).string()},
                            {"reference", reference},
                            {"files", created.value()}},
                           2) +
                     "\n");
    return kLabPassed;
  }
  std::string out = "created " + dir + " for lab " + d.value().id + " (" +
                    (reference ? "reference solution" : "starter files") + "):";
  for (const auto& f : created.value()) out += " " + f;
  out += "\nnext: cd " + dir + " && nestlab lab grade\n";
  write_all(1, out);
  return kLabPassed;
}

}  // namespace

int lab_error(const Invocation& inv, bool json, const std::string& message, int status) {
  if (json) write_all(1, json_dump({{"error", {{"message", message}, {"status", status}}}}) + "\n");
  return fail(inv.name, message, status);
}

HostResult<LabTarget> open_lab_target(const std::string& dir, const std::string& pinned) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return make_error(ErrorCode::NotFound, dir + " is not a directory");
  LabTarget t;
  t.dir = std::filesystem::absolute(dir, ec).lexically_normal().string();
  while (t.dir.size() > 1 && t.dir.back() == '/') t.dir.pop_back();
  auto declared = lab::student_dir_lab(t.dir);
  if (pinned.empty()) {
    if (declared.is_error()) return Err<Error>{declared.release_error()};
    std::string folder = TRY(lab::find_lab(lab::labs_dir(), declared.value()));
    t.lab = TRY(lab::load_lab_definition(folder));
    return t;
  }
  std::string folder = TRY(lab::find_lab(lab::labs_dir(), pinned));
  t.lab = TRY(lab::load_lab_definition(folder));
  const std::string marker = std::string(lab::kLabMarkerFile);
  if (declared.is_error()) {
    t.note = "graded as lab " + t.lab.id + " (--lab); " + marker +
             " was not usable: " + declared.error().message;
  } else if (declared.value() != t.lab.id) {
    // The student's file may name the lab by number or name: compare folders.
    auto theirs = lab::find_lab(lab::labs_dir(), declared.value());
    if (theirs.is_error() || theirs.value() != folder)
      t.note = "graded as lab " + t.lab.id + " (--lab), although " + marker + " names \"" +
               declared.value() + "\"";
  }
  return t;
}

lab::LabVmConfig lab_vm_config(const lab::LabDefinition& lab, const lab::RunPlatform& platform,
                               const lab::Placeholders& values, const std::string& secret,
                               int image_fd, int guest_fd) {
  lab::LabVmConfig c;
  if (lab.kind == lab::LabKind::Hypervisor) {
    c.hypervisor = true;
    c.mem = platform.mem;
    c.smp = lab.smp;
    c.image_fd = image_fd;
    c.image_name = "lab.elf";
    c.guest_fd = guest_fd;
    c.guest_name = lab.guest;
    return c;
  }
  c.mem = platform.mem;
  c.pl011 = platform.pl011;
  c.smp = lab.smp;
  c.append = lab::expand_placeholders(lab.append, values);
  c.guestinfo["lab.secret"] = secret;
  c.image_fd = image_fd;
  c.image_name = "lab.elf";
  c.weight = lab.weight;
  c.competitor = lab.competitor;
  c.competitor_weight = lab.competitor_weight;
  c.competitor_append = lab::expand_placeholders(lab.competitor_append, values);
  return c;
}

int cmd_lab(const Invocation& inv) {
  static constexpr Subcommand kSubs[] = {{"list", lab_list},
                                         {"show", lab_show},
                                         {"init", lab_init},
                                         {"run", lab_run},
                                         {"grade", lab_grade}};
  return dispatch_subcommand(inv, kSubs, lab_help(), "list, show, init, run, grade");
}

}  // namespace nestlab::cli
