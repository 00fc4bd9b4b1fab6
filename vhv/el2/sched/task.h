// Lowvisor tasks (S13): lowvisor contexts that are not vCPUs, each with its
// own stack and saved registers, so that one can stop on one physical CPU
// and go on on another. A task is preempted only at preemption points
// (preempt_point(), and the end of a NoPreempt section, sched/prda.h); a move
// requested with task_migrate() happens at the next point where the task
// is not inside a NoPreempt section. Its new CPU takes it from that CPU's
// run queue when it next handles physical interrupts (sched/sched.cpp): the
// move kicks it.
//
// Everything here runs under sched_lock(), like all of the lowvisor's work
// between a guest exit and the next entry; a task holds the lock the CPU
// that runs it holds.
#pragma once

#include <cstdint>

#include "vhv/common/run_queue.h"
#include "vhv/el2/sched/prda.h"

namespace nestlab {

enum class TaskState : uint32_t { Idle, Ready, Running, Moving, Done };

struct Task {
  TaskRegs regs;  // valid while the task is not running
  void (*entry)(Task&) = nullptr;
  void* arg = nullptr;  // Not owned.
  volatile TaskState state = TaskState::Idle;
  int move_to = kNoCpu;     // requested CPU, kNoCpu when none
  unsigned started_on = 0;  // CPU indices, for reports
  unsigned finished_on = 0;
  Task* next = nullptr;  // run queue link (vhv/common/run_queue.h)
  alignas(16) uint8_t stack[8192];
};

// Prepares `t` to run entry(t) on a fresh stack. False if it is in use.
bool task_init(Task& t, void (*entry)(Task&), void* arg);
// Runs `t` on this CPU until it finishes or moves away (then it is queued
// on its new CPU, which is kicked).
void task_run_here(Task& t);
// Inside a task: asks to continue on `cpu` from the next preemption point.
void task_migrate(unsigned cpu);
// Runs the tasks queued for this CPU (sched/sched.cpp, after the physical
// interrupts are handled).
void sched_run_queued_tasks();
// How many times a task moved between CPUs, since boot.
uint64_t task_migrations();

}  // namespace nestlab
