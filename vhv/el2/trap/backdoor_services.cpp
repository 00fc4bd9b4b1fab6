#include "vhv/el2/trap/backdoor_services.h"

#include "vhv/common/backdoor.h"
#include "vhv/common/guestinfo.h"
#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/runtime/current_vm.h"
#include "vhv/el2/sched/prda_probe.h"
#include "vhv/el2/trap/guest_memory.h"
#include "vhv/el2/trap/interrupt_security.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

using backdoor::Error;
using backdoor::Service;

// The host keeps the lock only for a copy of a few bytes; a peer that holds
// it longer than this many tries is reported as busy to the guest.
constexpr unsigned kLockTries = 100000;

guestinfo::Page& page_of(unsigned slot) {
  return *reinterpret_cast<guestinfo::Page*>(layout::guest_info_pa(slot % layout::kMaxVms));
}
// The guestinfo page of the VM whose exit this CPU handles.
guestinfo::Page& info_page() { return page_of(current_vm_slot()); }

struct Answer {
  Error status = Error::Ok;
  uint64_t r1 = 0, r2 = 0, r3 = 0;
};

uint64_t host_time_ns() {
  const guestinfo::Page& p = info_page();
  const uint64_t freq = read_sysreg(cntfrq_el0);
  const uint64_t ticks = read_sysreg(cntpct_el0) - p.counter_at_start;
  return p.host_realtime_ns + (ticks / freq) * 1'000'000'000ull +
         (ticks % freq) * 1'000'000'000ull / freq;
}

uint64_t uuid_half(const uint8_t* bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | bytes[i];
  return v;
}

Answer print(Vm& vm, uint64_t va, uint64_t len) {
  if (len > backdoor::kMaxPrint) return {Error::BadArgument};
  uint8_t buf[256];
  // Check the whole string first: a bad buffer prints nothing.
  for (uint64_t done = 0; done < len;) {
    const uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
    if (copy_from_guest(vm, va + done, buf, n) != Error::Ok) return {Error::BadAddress};
    done += n;
  }
  for (uint64_t done = 0; done < len;) {
    const uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
    // Read again: another vCPU may have changed its stage 1 since the
    // check. A chunk that no longer translates ends the print (x1 says how
    // much was printed) instead of printing what the buffer held before.
    if (copy_from_guest(vm, va + done, buf, n) != Error::Ok) {
      vm.console().flush();
      return {Error::BadAddress, done};
    }
    for (uint64_t i = 0; i < n; ++i) vm.console().put(buf[i]);
    done += n;
  }
  vm.console().flush();
  return {Error::Ok, len};
}

Answer guestinfo_get(Vm& vm, uint64_t key_va, uint64_t buf_va, uint64_t size) {
  char key[guestinfo::kMaxKey + 1];
  size_t key_len = 0;
  if (Error e = read_guest_string(vm, key_va, key, guestinfo::kMaxKey, &key_len); e != Error::Ok)
    return {e};
  if (!guestinfo::valid_key(key, key_len)) return {Error::BadArgument};
  char value[guestinfo::kMaxValue + 1];
  size_t value_len = 0;
  guestinfo::Page& page = info_page();
  if (!guestinfo::try_lock(page, kLockTries)) return {Error::Busy};
  const guestinfo::Entry* e = guestinfo::find(page, key, key_len);
  if (e) {
    while (value_len < guestinfo::kMaxValue && e->value[value_len]) {
      value[value_len] = e->value[value_len];
      ++value_len;
    }
    value[value_len] = '\0';
  }
  guestinfo::unlock(page);
  if (!e) return {Error::NotFound};
  if (size < value_len + 1) return {Error::NoSpace, value_len};
  if (copy_to_guest(vm, buf_va, value, value_len + 1) != Error::Ok) return {Error::BadAddress};
  return {Error::Ok, value_len};
}

Answer guestinfo_set(Vm& vm, uint64_t key_va, uint64_t value_va) {
  char key[guestinfo::kMaxKey + 1];
  char value[guestinfo::kMaxValue + 1];
  size_t key_len = 0, value_len = 0;
  if (Error e = read_guest_string(vm, key_va, key, guestinfo::kMaxKey, &key_len); e != Error::Ok)
    return {e};
  if (Error e = read_guest_string(vm, value_va, value, guestinfo::kMaxValue, &value_len);
      e != Error::Ok)
    return {e};
  guestinfo::Page& page = info_page();
  if (!guestinfo::try_lock(page, kLockTries)) return {Error::Busy};
  const guestinfo::Status s = guestinfo::set(page, key, key_len, value, value_len);
  guestinfo::unlock(page);
  if (s == guestinfo::Status::BadKey) return {Error::BadArgument};
  return {static_cast<Error>(static_cast<int64_t>(s))};
}

Answer serve(Vm& vm, const VcpuContext& ctx) {
  if (info_page().magic != guestinfo::kMagic) return {Error::Busy};
  switch (static_cast<Service>(ctx.x[0])) {
    case Service::Version: return {Error::Ok, backdoor::kProtocolVersion, backdoor::kLastService};
    case Service::HostTimeNs: return {Error::Ok, host_time_ns()};
    case Service::VmUuid: {
      const uint8_t* u = info_page().uuid;
      return {Error::Ok, uuid_half(u), uuid_half(u + 8)};
    }
    case Service::Print: return print(vm, ctx.x[1], ctx.x[2]);
    case Service::GuestInfoGet: return guestinfo_get(vm, ctx.x[1], ctx.x[2], ctx.x[3]);
    case Service::GuestInfoSet: return guestinfo_set(vm, ctx.x[1], ctx.x[2]);
    case Service::Echo: return {Error::Ok, ctx.x[1], ctx.x[2], ctx.x[3]};
    case Service::SecretRegion:
      return {static_cast<Error>(isec_declare(vm, ctx.x[1], ctx.x[2], ctx.x[3]))};
    case Service::PrdaProbe: {
      const PrdaProbeResult r = prda_probe(vm, ctx.x[1], ctx.x[2]);
      return {static_cast<Error>(r.status), r.obtained_on | uint64_t(r.finished_on) << 32,
              r.operated_on, r.touched};
    }
  }
  return {Error::UnknownService};
}

}  // namespace

int64_t serve_backdoor(Vm& vm, BackdoorPath path) {
  VcpuContext& ctx = vm.ctx();
  trace::TrapStats& stats = TraceWriter::stats();
  count(path == BackdoorPath::Brk ? stats.backdoor_calls : stats.dcc_calls);
  TraceWriter::set_detail(static_cast<uint16_t>(ctx.x[0] > 0xfffe ? 0xffff : ctx.x[0]));
  const Answer a = serve(vm, ctx);
  if (a.status != Error::Ok) count(stats.bad_requests);
  ctx.x[0] = static_cast<uint64_t>(a.status);
  ctx.x[1] = a.r1;
  ctx.x[2] = a.r2;
  ctx.x[3] = a.r3;
  return static_cast<int64_t>(a.status);
}

void backdoor_on_vm_start(unsigned slot) {
  page_of(slot).counter_at_start = read_sysreg(cntpct_el0);
}

}  // namespace nestlab
