// Where the CLI's files are: the share directory and sibling programs. The
// kernel's socket and state directory follow base/places.h.
#pragma once

#include <string>

#include "base/places.h"

namespace nestlab::client {

// The directory holding the running executable (dirname of /proc/self/exe).
std::string executable_dir();

// NESTLAB_SHARE_DIR, else executable_dir()/../share/nestlab.
std::string share_dir();

// NESTLAB_KERNEL, else executable_dir()/nestlabd.
std::string kernel_executable();

}  // namespace nestlab::client
