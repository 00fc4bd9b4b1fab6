// Where labs are and how a student directory names its lab: the installed
// labs in <share>/labs (NESTLAB_LABS_DIR overrides it), looked up by id
// ("01-boot"), number ("01", "1") or name ("boot"); a student directory's
// `.nestlab-lab` file (TOML: lab = "<id>"); `nestlab lab init`'s copy.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "console/lab/lab_definition.h"

namespace nestlab::lab {

std::string labs_dir();

// The ids of the labs in `dir` (folders holding a lab.toml), sorted.
std::vector<std::string> list_lab_ids(const std::string& dir);

// The folder of the lab `name` names.
HostResult<std::string> find_lab(const std::string& dir, const std::string& name);

// The lab a student directory was made for (its .nestlab-lab).
HostResult<std::string> student_dir_lab(const std::string& student_dir);

inline constexpr const char* kLabMarkerFile = ".nestlab-lab";

// Creates `target` (missing or empty) with the lab's starter (or, with
// `reference`, its reference) files, the runtime in common/, its Makefile
// and .nestlab-lab. Returns the paths created, relative to `target`.
HostResult<std::vector<std::string>> init_student_dir(const LabDefinition& lab,
                                                      const std::string& labs,
                                                      const std::string& target, bool reference);

}  // namespace nestlab::lab
