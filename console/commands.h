// The commands of the `nestlab` executable, one file each.
#pragma once

#include "console/command.h"

namespace nestlab::cli {

int cmd_run(const Invocation& inv);
int cmd_console(const Invocation& inv);
int cmd_vhv(const Invocation& inv);
int vhv_stats(const Invocation& inv);   // `vhv stats`, cmd_stats.cpp
int vhv_pause(const Invocation& inv);   // `vhv pause`, cmd_pause.cpp
int vhv_resume(const Invocation& inv);  // `vhv resume`, cmd_pause.cpp
int cmd_vm(const Invocation& inv);
int vm_run(const Invocation& inv);   // `vm run`, cmd_vm_run.cpp
int vm_wait(const Invocation& inv);  // `vm wait`, cmd_vm_run.cpp
int vm_list(const Invocation& inv);  // `vm list`, cmd_vm_list.cpp
int vm_stop(const Invocation& inv);  // `vm stop`, cmd_vm_list.cpp
int cmd_demo(const Invocation& inv);
int cmd_version(const Invocation& inv);
int cmd_kernel(const Invocation& inv);
int cmd_doctor(const Invocation& inv);
int cmd_top(const Invocation& inv);  // cmd_top.cpp
int cmd_tenant(const Invocation& inv);
int cmd_lab(const Invocation& inv);  // cmd_lab.cpp (+ cmd_lab_grade.cpp, cmd_lab_run.cpp)

}  // namespace nestlab::cli
