// Exercises every backdoor service through BRK #0x5658 (S4), checks that
// malformed requests get error codes, and that a BRK with another immediate
// still reaches the guest's own handler. With "wait=1" in the bootargs it
// then waits (polling guestinfo) until the host sets host.command=exit.
// The exit code is the number of failed checks.
#include "tests/guests/hypercall.h"
#include "tests/guests/lib/guest.h"

namespace {

using nestlab::backdoor::Error;
using nestlab::backdoor::Service;
using ull = unsigned long long;

int g_failures = 0;
volatile int g_own_brks = 0;

uint64_t svc(Service s) { return static_cast<uint64_t>(s); }
int64_t err(Error e) { return static_cast<int64_t>(e); }

void check(bool ok, const char* what) {
  guest::printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) ++g_failures;
}

char g_no_nul[64];

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame* frame, uint64_t kind) {
  const uint64_t esr = guest::read_esr_el1();
  if (kind == 4 && ((esr >> 26) & 0x3f) == 0x3c) {
    guest::printf("guest handler: BRK #0x%llx (ESR_EL1 0x%llx)\n", ull(esr & 0xffff), ull(esr));
    g_own_brks = g_own_brks + 1;
    frame->elr += 4;
    return;
  }
  guest::printf("backdoor: unexpected exception kind %llu ESR_EL1 0x%llx\n", ull(kind), ull(esr));
  psci_system_off(99);
}

extern "C" int guest_main(uint64_t dtb) {
  guest::install_vectors();
  const char* args = guest::bootargs(dtb);

  auto v = guest::backdoor_brk(svc(Service::Version));
  check(v.status == 0 && v.r1 == 1, "version is 1");

  auto t = guest::backdoor_brk(svc(Service::HostTimeNs));
  guest::printf("host time: %llu s\n", ull(t.r1 / 1000000000ull));
  check(t.status == 0 && t.r1 > 1'600'000'000ull * 1'000'000'000ull, "host time is after 2020");

  auto u = guest::backdoor_brk(svc(Service::VmUuid));
  guest::printf("uuid: %08llx-%04llx-%04llx-%04llx-%012llx\n", ull(u.r1 >> 32),
                ull((u.r1 >> 16) & 0xffff), ull(u.r1 & 0xffff), ull(u.r2 >> 48),
                ull(u.r2 & 0xffff'ffff'ffffull));
  check(u.status == 0 && ((u.r1 >> 12) & 0xf) == 4, "uuid is a version-4 UUID");

  static const char kLine[] = "printed through the backdoor\n";
  auto p = guest::backdoor_brk(svc(Service::Print), reinterpret_cast<uint64_t>(kLine),
                               guest::length(kLine));
  check(p.status == 0 && p.r1 == guest::length(kLine), "print returns the length");

  static const char kKey[] = "guest.greeting";
  static const char kValue[] = "hello-from-guest";
  auto s = guest::backdoor_brk(svc(Service::GuestInfoSet), reinterpret_cast<uint64_t>(kKey),
                               reinterpret_cast<uint64_t>(kValue));
  check(s.status == 0, "guestinfo set");
  char buf[96];
  auto g = guest::backdoor_brk(svc(Service::GuestInfoGet), reinterpret_cast<uint64_t>(kKey),
                               reinterpret_cast<uint64_t>(buf), sizeof(buf));
  check(g.status == 0 && g.r1 == guest::length(kValue) && guest::equals(buf, kValue),
        "guestinfo get");
  static const char kHostKey[] = "host.greeting";
  g = guest::backdoor_brk(svc(Service::GuestInfoGet), reinterpret_cast<uint64_t>(kHostKey),
                          reinterpret_cast<uint64_t>(buf), sizeof(buf));
  if (g.status == 0) guest::printf("host.greeting=%s\n", buf);

  // Malformed requests: each gets its error code, none stops the VM.
  check(guest::backdoor_brk(99).status == err(Error::UnknownService), "unknown service");
  check(guest::backdoor_brk(svc(Service::Print), 0x0900'0000, 4).status == err(Error::BadAddress),
        "print from MMIO space is a bad address");
  check(guest::backdoor_brk(svc(Service::Print), 0x7fff'f000'0000ull, 4).status ==
            err(Error::BadAddress),
        "print from outside RAM is a bad address");
  check(guest::backdoor_brk(svc(Service::Print), reinterpret_cast<uint64_t>(kLine), 1u << 20)
                .status == err(Error::BadArgument),
        "oversized print is refused");
  for (auto& c : g_no_nul) c = 'k';
  check(guest::backdoor_brk(svc(Service::GuestInfoSet), reinterpret_cast<uint64_t>(g_no_nul),
                            reinterpret_cast<uint64_t>(kValue))
                .status == err(Error::BadString),
        "key without terminator");
  check(guest::backdoor_brk(svc(Service::GuestInfoGet), reinterpret_cast<uint64_t>(kKey),
                            reinterpret_cast<uint64_t>(buf), 4)
                .status == err(Error::NoSpace),
        "too small buffer");
  // A buffer that wraps past the top of the address space: refused, and
  // nothing is written anywhere (the lowvisor once skipped the range check
  // for it and wrote through VHV physical address 0).
  check(guest::backdoor_brk(svc(Service::GuestInfoGet), reinterpret_cast<uint64_t>(kKey),
                            0xffff'ffff'ffff'fffcull, 0x80)
                .status == err(Error::BadAddress),
        "buffer wrapping past the top of the address space is a bad address");
  static const char kMissing[] = "no.such.key";
  check(guest::backdoor_brk(svc(Service::GuestInfoGet), reinterpret_cast<uint64_t>(kMissing),
                            reinterpret_cast<uint64_t>(buf), sizeof(buf))
                .status == err(Error::NotFound),
        "missing key");

  // A BRK of the guest's own is delivered to its own handler.
  asm volatile("brk #0x1234" ::: "memory");
  check(g_own_brks == 1, "own BRK #0x1234 reached the guest's handler");

  if (guest::bootarg_number(args, "wait", 0)) {
    static const char kCommand[] = "host.command";
    guest::printf("waiting for host.command=exit\n");
    for (;;) {
      auto c = guest::backdoor_brk(svc(Service::GuestInfoGet), reinterpret_cast<uint64_t>(kCommand),
                                   reinterpret_cast<uint64_t>(buf), sizeof(buf));
      if (c.status == 0 && guest::equals(buf, "exit")) break;
    }
    guest::printf("host said exit\n");
  }
  guest::printf("backdoor: %d failure(s)\n", g_failures);
  return g_failures;
}
