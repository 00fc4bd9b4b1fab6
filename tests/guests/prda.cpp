// S13: asks the lowvisor (backdoor service 8, PrdaProbe) to run a PRDA
// operation in a lowvisor task and to move that task to another CPU between
// the two halves of the operation (obtaining the PRDA address, then updating
// the area through it), in each of the three modes, `rounds=N` times
// (default 3). Prints what happened and checks that the operation touched
// the area of the CPU it ran on (window), that a NoPreempt section held the
// move back (no-preempt), and that a cached home address, the unsafe way,
// reaches the old CPU's area (home-address). Then the same with this vCPU as
// the context that moves (vcpu-window there, vcpu-no-preempt back): its exit
// handler obtains the address, the vCPU leaves its CPU and the operation
// completes on the new CPU before the vCPU runs again. With "wait=1" it then waits
// until the host sets guestinfo host.command=exit, so that the host can read
// the per-CPU counters (`nestlab vm stats`). Needs a VHV with two CPUs or
// more (`nestlab run --smp 2`); vCPU 1 stays off. Exit code: failed checks.
#include "tests/guests/hypercall.h"
#include "tests/guests/lib/guest.h"

namespace {

using nestlab::backdoor::Error;
using nestlab::backdoor::Service;

int g_failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    guest::printf("FAIL: %s\n", what);
    ++g_failures;
  }
}

struct Outcome {
  int64_t status;
  unsigned obtained_on, finished_on, operated_on, touched;
};

Outcome probe(unsigned cpu, unsigned mode) {
  const auto r = guest::backdoor_brk(static_cast<uint64_t>(Service::PrdaProbe), cpu, mode);
  return {r.status, unsigned(r.r1 & 0xffffffff), unsigned(r.r1 >> 32), unsigned(r.r2),
          unsigned(r.r3)};
}

}  // namespace

extern "C" int guest_main(uint64_t dtb) {
  const char* args = guest::bootargs(dtb);
  const unsigned target = static_cast<unsigned>(guest::bootarg_number(args, "cpu", 1));
  const uint64_t rounds = guest::bootarg_number(args, "rounds", 3);
  static const char* const kModes[] = {"window", "no-preempt", "home-address", "vcpu-window",
                                       "vcpu-no-preempt"};
  for (uint64_t round = 0; round < rounds; ++round) {
    // This vCPU moves there and back (it starts on CPU 0).
    const Outcome there = probe(target, 3);
    const Outcome back = probe(0, 4);
    if (round == 0) {
      const Outcome* both[] = {&there, &back};
      for (const Outcome* o : both)
        guest::printf(
            "prda: %s: status %lld, address obtained on cpu %u, operation on cpu %u, touched "
            "cpu %u's area, vcpu now on cpu %u\n",
            kModes[o == &there ? 3 : 4], static_cast<long long>(o->status), o->obtained_on,
            o->operated_on, o->touched, o->finished_on);
    }
    check(there.status == 0 && there.obtained_on == 0 && there.finished_on == target &&
              there.operated_on == target && there.touched == target,
          "vcpu-window: the operation touched the area of the CPU the vCPU moved to");
    check(back.status == 0 && back.obtained_on == target && back.finished_on == 0 &&
              back.operated_on == target && back.touched == target,
          "vcpu-no-preempt: the vCPU moved when the section ended");
    for (unsigned mode = 0; mode < 3; ++mode) {
      const Outcome o = probe(target, mode);
      if (round == 0)
        guest::printf(
            "prda: %s: status %lld, address obtained on cpu %u, operation on cpu %u, touched "
            "cpu %u's area, task finished on cpu %u\n",
            kModes[mode], static_cast<long long>(o.status), o.obtained_on, o.operated_on, o.touched,
            o.finished_on);
      check(o.status == 0 && o.obtained_on == 0 && o.finished_on == target, "the task moved");
      if (mode == 0)
        check(o.operated_on == target && o.touched == target,
              "window: the operation touched the area of the CPU it ran on");
      if (mode == 1)
        check(o.operated_on == 0 && o.touched == 0,
              "no-preempt: the move waited for the end of the section");
      if (mode == 2)
        check(o.operated_on == target && o.touched == 0,
              "home-address: a cached home address reaches the old CPU's area");
    }
  }
  check(probe(0, 0).status == static_cast<int64_t>(Error::BadArgument), "to its own CPU");
  check(probe(99, 0).status == static_cast<int64_t>(Error::BadArgument), "to no CPU");
  check(probe(target, 7).status == static_cast<int64_t>(Error::BadArgument), "unknown mode");
  check(probe(0, 3).status == static_cast<int64_t>(Error::BadArgument), "a vCPU to its own CPU");

  if (guest::bootarg_number(args, "wait", 0)) {
    static const char kCommand[] = "host.command";
    static char buf[32];
    guest::printf("waiting for host.command=exit\n");
    for (;;) {
      auto c = guest::backdoor_brk(static_cast<uint64_t>(Service::GuestInfoGet),
                                   reinterpret_cast<uint64_t>(kCommand),
                                   reinterpret_cast<uint64_t>(buf), sizeof(buf));
      if (c.status == 0 && guest::equals(buf, "exit")) break;
    }
  }
  guest::printf("prda: %llu rounds, %d failure(s)\n", static_cast<unsigned long long>(rounds),
                g_failures);
  return g_failures;
}
