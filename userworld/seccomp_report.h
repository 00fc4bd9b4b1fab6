// How the highvisor reports its own seccomp violation: the filter traps
// (SIGSYS), and this handler writes one control line naming the syscall,
// {"event":"seccomp","process":"highvisor","syscall":"openat"}, then exits
// with 128 + SIGSYS. Names are resolved before the handler is installed;
// the handler itself only calls write and _exit.
#pragma once

namespace nestlab::userworld {

void install_sigsys_reporter(int control_fd);

}  // namespace nestlab::userworld
