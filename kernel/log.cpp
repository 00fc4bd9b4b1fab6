#include "kernel/log.h"

#include <cstdio>
#include <string>

namespace nestlab::kernel {

void log(std::string_view subsystem, std::string_view text) {
  // One fprintf per line so lines from concurrent writers (highvisors share
  // our stderr) do not interleave mid-line.
  std::string line = "nestlabd: ";
  line.append(subsystem).append(": ").append(text).append("\n");
  std::fputs(line.c_str(), stderr);
}

}  // namespace nestlab::kernel
