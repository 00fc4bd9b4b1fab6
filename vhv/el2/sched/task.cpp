#include "vhv/el2/sched/task.h"

#include "vhv/el2/boot/smp.h"
#include "vhv/el2/runtime/panic.h"
#include "vhv/el2/sched/sched.h"

extern "C" {
void task_switch(nestlab::TaskRegs* save, const nestlab::TaskRegs* load);
void task_trampoline();
[[noreturn]] void task_main(nestlab::Task* t);
}

namespace nestlab {
namespace {

RunQueues<Task, kMaxCpus> g_queues;
uint64_t g_migrations = 0;

}  // namespace

bool task_init(Task& t, void (*entry)(Task&), void* arg) {
  if (t.state == TaskState::Ready || t.state == TaskState::Running || t.state == TaskState::Moving)
    return false;
  t.regs = TaskRegs{};
  t.regs.x19_x28[0] = reinterpret_cast<uint64_t>(&t);
  t.regs.lr = reinterpret_cast<uint64_t>(&task_trampoline);
  t.regs.sp = reinterpret_cast<uint64_t>(t.stack + sizeof(t.stack));
  t.entry = entry;
  t.arg = arg;
  t.move_to = kNoCpu;
  t.next = nullptr;
  t.state = TaskState::Ready;
  return true;
}

void task_run_here(Task& t) {
  Prda& p = this_prda();
  if (p.current) panic("task: CPU %u runs a task inside a task", this_cpu());
  t.state = TaskState::Running;
  p.current = &t;
  task_switch(&p.scheduler, &t.regs);
  p.current = nullptr;
  if (t.state != TaskState::Moving) return;
  const unsigned to = static_cast<unsigned>(t.move_to);
  t.move_to = kNoCpu;
  t.state = TaskState::Ready;
  ++g_migrations;
  if (!g_queues.push(to, &t)) panic("task: cannot queue a task on CPU %u", to);
  sched_kick(to);
}

void task_migrate(unsigned cpu) {
  Task* t = this_prda().current;
  if (t && cpu < cpu_count()) t->move_to = static_cast<int>(cpu);
}

void preempt_point() {
  // `p` is the PRDA window: after the switch below returns, on the new CPU,
  // it names that CPU's block (sched/prda.h).
  Prda& p = this_prda();
  Task* t = p.current;
  if (!t) return;
  if (decide_at_preempt_point(t->move_to, static_cast<unsigned>(p.cpu), p.preempt_off) !=
      PreemptDecision::Migrate) {
    if (t->move_to == static_cast<int>(p.cpu)) t->move_to = kNoCpu;
    return;
  }
  t->state = TaskState::Moving;
  task_switch(&t->regs, &p.scheduler);
}

void sched_run_queued_tasks() {
  const unsigned cpu = this_cpu();
  while (Task* t = g_queues.pop(cpu)) task_run_here(*t);
}

uint64_t task_migrations() { return g_migrations; }

}  // namespace nestlab

extern "C" [[noreturn]] void task_main(nestlab::Task* t) {
  using namespace nestlab;
  t->started_on = this_cpu();
  t->entry(*t);
  t->finished_on = this_cpu();
  t->state = TaskState::Done;
  task_switch(&t->regs, &this_prda().scheduler);
  panic("task: a finished task was resumed");
}
