// What the `nestlab lab` subcommands share (cmd_lab.cpp: list, show, init;
// cmd_lab_grade.cpp; cmd_lab_run.cpp): the student directory they work on,
// errors in text or JSON, the exit statuses of docs/labs.md.
#pragma once

#include <chrono>
#include <string>

#include "console/command.h"
#include "console/lab/lab_definition.h"
#include "console/lab/lab_vm.h"
#include "console/lab/placeholders.h"
#include "console/lab/platform.h"

namespace nestlab::cli {

// How long a lab's `make` may run before `nestlab lab run|grade` stops it.
inline constexpr auto kMakeTimeout = std::chrono::seconds(300);

// docs/labs.md, "Reports": 0 every step passed, 1 a step failed (or the
// build did), 2 a bad lab, directory or command line; like `nestlab run`,
// 125 when the kernel or the VHV failed and 130 when interrupted.
inline constexpr int kLabPassed = 0;
inline constexpr int kLabFailed = 1;
inline constexpr int kLabBad = 2;

// "nestlab lab grade: message" on stderr, and with --json an
// {"error": {message, status}} line on stdout; returns `status`.
int lab_error(const Invocation& inv, bool json, const std::string& message, int status);

// A student directory and the installed definition of its lab (the
// definition never comes from the student's copy).
struct LabTarget {
  std::string dir;  // absolute
  lab::LabDefinition lab;
  // With --lab: what the student's .nestlab-lab said when it disagrees (or
  // is missing), worded for the report; empty when they agree.
  std::string note;
};
// The lab is the one `pinned` names (`--lab ID`: a grader in CI always pins
// it, since .nestlab-lab is the student's file and could name an easier
// lab); without it, the one the directory's .nestlab-lab names.
HostResult<LabTarget> open_lab_target(const std::string& dir, const std::string& pinned = "");

// The VM a lab describes, on this run's platform, with its placeholders and
// marker secret; for a hypervisor lab, `guest_fd` is its grading guest
// (lab::open_hyp_guest) and the image is the student's hypervisor.
lab::LabVmConfig lab_vm_config(const lab::LabDefinition& lab, const lab::RunPlatform& platform,
                               const lab::Placeholders& values, const std::string& secret,
                               int image_fd, int guest_fd = -1);

int lab_grade(const Invocation& inv);  // cmd_lab_grade.cpp
int lab_run(const Invocation& inv);    // cmd_lab_run.cpp

}  // namespace nestlab::cli
