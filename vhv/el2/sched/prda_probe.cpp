#include "vhv/el2/sched/prda_probe.h"

#include "vhv/common/backdoor.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/sched/prda.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/sched/task.h"
#include "vhv/el2/trap/trace.h"

namespace nestlab {
namespace {

struct Probe {
  unsigned target;
  PrdaProbeMode mode;
  unsigned obtained_on, operated_on, touched;
};

Task g_task;
Probe g_probe;

// The second half of the operation: through the address obtained earlier.
void operate(Prda* area, Probe& pr) {
  ++area->ops;
  pr.operated_on = this_cpu();
  pr.touched = static_cast<unsigned>(area->cpu);
}

void probe_body(Task& t) {
  Probe& pr = *static_cast<Probe*>(t.arg);
  if (pr.mode == PrdaProbeMode::NoPreempt) {
    NoPreempt guard;
    Prda* area = &this_prda();
    pr.obtained_on = this_cpu();
    task_migrate(pr.target);
    preempt_point();  // held back: the section is not over
    operate(area, pr);
    return;  // the guard ends here, and the task moves
  }
  Prda* area = pr.mode == PrdaProbeMode::HomeAddress ? &prda_home(this_cpu()) : &this_prda();
  pr.obtained_on = this_cpu();
  task_migrate(pr.target);
  preempt_point();  // the task continues on pr.target from here
  operate(area, pr);
}

void publish() {
  trace::TrapStats& s = TraceWriter::stats();
  for (unsigned c = 0; c < kMaxCpus; ++c)
    __atomic_store_n(&s.prda_ops[c], prda_home(c).ops, __ATOMIC_RELAXED);
  __atomic_store_n(&s.task_migrations, task_migrations(), __ATOMIC_RELAXED);
}

}  // namespace

PrdaProbeResult prda_probe(uint64_t target_cpu, uint64_t mode) {
  using backdoor::Error;
  const unsigned self = this_cpu();
  if (mode > uint64_t(PrdaProbeMode::HomeAddress) || target_cpu >= cpu_count() ||
      target_cpu == self)
    return {int64_t(Error::BadArgument), 0, 0, 0, 0};
  g_probe = Probe{static_cast<unsigned>(target_cpu), static_cast<PrdaProbeMode>(mode), 0, 0, 0};
  if (!task_init(g_task, probe_body, &g_probe)) return {int64_t(Error::Busy), 0, 0, 0, 0};
  task_run_here(g_task);
  // It moved: its new CPU runs it when it takes the kick. Let go of the
  // lock meanwhile, as wait_for_other_cpus does.
  Spinlock& lock = sched_lock();
  while (g_task.state != TaskState::Done) {
    lock.unlock();
    asm volatile("yield");
    lock.lock();
  }
  publish();
  return {int64_t(Error::Ok), g_probe.obtained_on, g_probe.operated_on, g_probe.touched,
          g_task.finished_on};
}

}  // namespace nestlab
