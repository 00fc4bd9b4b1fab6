// S10 guest time across a pause. QEMU's counter (CNTPCT_EL0 under TCG)
// stands still while the VHV is stopped, so without help the guest's time
// would leave the pause out. On resume the highvisor reports how long the
// pause lasted in wall-clock time (ResumeTime frame) and the VM's policy
// decides what guest time does with it:
//   None        - nothing: guest time excludes the pause, no tick is missed;
//   Skip        - guest time jumps forward by the pause at once; a timer whose
//                 deadline fell inside fires once (missed ticks collapse);
//   Accelerated - the pause becomes a debt that guest time pays back by
//                 running at double rate (each guest entry on vCPU 0 moves
//                 the offset by the host time since the previous one), so
//                 missed periodic ticks arrive faster until caught up.
// Guest time = host count - CNTVOFF_EL2 (Arm ARM D11.2.4); the offset only
// ever decreases, so guest time never goes backwards.
#pragma once

#include <cstdint>

#include "vhv/common/channel.h"
#include "vhv/el2/boot/smp.h"

namespace nestlab {

class Vm;

// One VM's guest-time bookkeeping (kept in its Vm), under sched_lock().
struct GuestTime {
  // Debt in host counter ticks still to be added to guest time (Accelerated).
  uint64_t debt = 0;
  uint64_t last_host = 0;  // host count at vCPU 0's previous entry while in debt
  // The offset each vCPU's CPU last loaded into CNTVOFF_EL2 (~0: none yet).
  uint64_t loaded[kMaxCpus] = {~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
};
static_assert(kMaxCpus == 8, "GuestTime::loaded lists one ~0 per CPU");

// The VHV ran again after a pause of `paused_ns`: apply `policy`.
void guest_time_resumed(Vm& vm, channel::TickPolicy policy, uint64_t paused_ns);
// Before every guest entry on `vcpu`: pay back part of the debt (vCPU 0),
// then load this CPU's CNTVOFF_EL2 if the VM's offset moved. Returns true
// when it loaded a new offset (the caller reprograms timers that use it).
bool guest_time_sync(Vm& vm, unsigned vcpu);

}  // namespace nestlab
