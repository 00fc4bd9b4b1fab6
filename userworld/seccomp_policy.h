// The two seccomp allowlists of a userworld (DESIGN.md S5; like
// Firecracker's per-thread filters): one for the highvisor, installed by
// the highvisor itself once QEMU runs, and one for QEMU, installed in its
// process just before exec (QEMU's own `-sandbox on` filter stacks on top).
// Both lists allow clone only for threads (no new process, no namespace),
// answer clone3 with ENOSYS, and leave out io_uring, unshare and setns;
// QEMU's lets exactly one execve through, its own (seccomp_exec.h).
// Anything not listed is a violation:
//   highvisor: SIGSYS, whose handler tells the kernel the syscall's name on
//              the control socket and exits (seccomp_report.h);
//   QEMU:      a user notification to the highvisor, which kills QEMU and
//              says which syscall it was.
// NESTLAB_SECCOMP=log turns both into SECCOMP_RET_LOG (the kernel logs the
// call, the process goes on): for finding what a policy is missing.
// NESTLAB_SECCOMP_DENY=name,qemu:name,highvisor:name,... removes calls from
// both lists or one (stricter only; the tests use it to make a real
// highvisor or QEMU violate).
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "base/error.h"

namespace nestlab::userworld {

enum class SeccompMode { Enforce, Log };
SeccompMode seccomp_mode_from_env();

// Installs the highvisor's allowlist on the calling process (all threads).
HostResult<void> install_highvisor_filter(SeccompMode mode);

// QEMU's allowlist as classic BPF, built before fork so the child only has
// to load it (load_filter).
HostResult<std::vector<sock_filter>> qemu_filter_program(SeccompMode mode);

// Loads a program with seccomp(2); async-signal-safe. Returns the user
// notification listener fd when the program can notify (Enforce), 0 when
// it cannot (Log), -1 on failure with errno set.
int load_filter(const std::vector<sock_filter>& program, bool with_listener);

// "openat" for the native architecture's number, or "syscall 1234".
std::string syscall_name(int nr);

}  // namespace nestlab::userworld
