// What goes into a VHV's jail (userworld/jail.h): the highvisor, QEMU, their
// libraries, the lowvisor image and the few device nodes they open. Found
// the way the highvisor finds them (docs/protocols.md, "Files and places").
#pragma once

#include <memory>
#include <string>

#include "base/error.h"
#include "userworld/jail.h"

namespace nestlab::kernel {

// `root` is the empty directory the jail's tmpfs is mounted on.
HostResult<std::unique_ptr<userworld::JailLayout>> vhv_jail(const std::string& root,
                                                            const std::string& vhv_path);

// The QEMU the highvisor will run: NESTLAB_QEMU, else qemu-system-aarch64
// from PATH; empty if there is none.
std::string qemu_path();

}  // namespace nestlab::kernel
