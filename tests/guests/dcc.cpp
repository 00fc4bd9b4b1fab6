// The same backdoor services through trapped reads of MDCCSR_EL0 (S2):
// request in x0..x5 with the magic in x9, answer in x0..x3 and the status in
// the MRS destination. A read without the magic is an idle DCC status.
// The exit code is the number of failed checks.
#include "tests/guests/hypercall.h"
#include "tests/guests/lib/guest.h"

namespace {

using nestlab::backdoor::Error;
using nestlab::backdoor::Service;

int g_failures = 0;

void check(bool ok, const char* what) {
  guest::printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) ++g_failures;
}

uint64_t svc(Service s) { return static_cast<uint64_t>(s); }

}  // namespace

extern "C" int guest_main(uint64_t) {
  check(guest::read_mdccsr() == 0, "plain MDCCSR_EL0 read shows an idle DCC");
  auto v = guest::backdoor_dcc(svc(Service::Version));
  check(v.status == 0 && v.r1 == 1, "version is 1 over DCC");
  auto t = guest::backdoor_dcc(svc(Service::HostTimeNs));
  check(t.status == 0 && t.r1 > 1'600'000'000ull * 1'000'000'000ull, "host time over DCC");
  auto u = guest::backdoor_dcc(svc(Service::VmUuid));
  check(u.status == 0 && ((u.r1 >> 12) & 0xf) == 4, "uuid over DCC");
  static const char kLine[] = "printed through the DCC channel\n";
  auto p = guest::backdoor_dcc(svc(Service::Print), reinterpret_cast<uint64_t>(kLine),
                               sizeof(kLine) - 1);
  check(p.status == 0 && p.r1 == sizeof(kLine) - 1, "print over DCC");
  static const char kKey[] = "dcc.key";
  static const char kValue[] = "dcc-value";
  check(guest::backdoor_dcc(svc(Service::GuestInfoSet), reinterpret_cast<uint64_t>(kKey),
                            reinterpret_cast<uint64_t>(kValue))
                .status == 0,
        "guestinfo set over DCC");
  char buf[32] = {};
  auto g = guest::backdoor_dcc(svc(Service::GuestInfoGet), reinterpret_cast<uint64_t>(kKey),
                               reinterpret_cast<uint64_t>(buf), sizeof(buf));
  check(g.status == 0 && g.r1 == sizeof(kValue) - 1 && buf[0] == 'd' && buf[8] == 'e',
        "guestinfo get over DCC");
  auto e = guest::backdoor_dcc(svc(Service::Echo), 1, 2, 3);
  check(e.status == 0 && e.r1 == 1 && e.r2 == 2 && e.r3 == 3, "echo over DCC");
  check(guest::backdoor_dcc(1234).status == static_cast<int64_t>(Error::UnknownService),
        "unknown service over DCC");
  check(guest::backdoor_dcc(svc(Service::Print), 0x0800'0000, 8).status ==
            static_cast<int64_t>(Error::BadAddress),
        "bad address over DCC");
  guest::printf("dcc: %d failure(s)\n", g_failures);
  return g_failures;
}
