// Lab 04, trap and emulate (reference solution). Two system registers that
// a VHV traps (MDCR_EL2.TDE, CNTHCTL_EL2) and emulates:
//  - MDCCSR_EL0, the debug comms channel status: a plain read shows an idle
//    channel; with the magic in x9 the read is a request to the lowvisor
//    (the "DCC channel", the same services as the BRK backdoor);
//  - CNTPCT_EL0, the physical counter: the lowvisor answers with the guest's
//    own time base, so it agrees with the untrapped virtual counter
//    CNTVCT_EL0, only each read costs a trip to EL2.
#include "lab.h"

namespace {

constexpr int kReads = 256;

uint64_t read_cntvct() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
  return v;
}

uint64_t read_cntpct() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
  return v;
}

// 16 hex digits -> a number (false if they are not hex).
bool parse_hex64(const char* s, uint64_t& out) {
  out = 0;
  for (int i = 0; i < 16; ++i) {
    const char c = s[i];
    unsigned d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return false;
    out = out << 4 | d;
  }
  return true;
}

}  // namespace

extern "C" int lab_main(uint64_t) {
  // Output through the lowvisor's Print service (one BRK64 per line), so
  // that the SYS64 exits are the ones this lab is about.
  lab::console_via_backdoor(true);

  // 1. A plain read: x9 holds no magic, so this is just the DCC's status.
  register uint64_t x9 asm("x9") = 0;
  asm volatile("mrs x9, mdccsr_el0" : "+r"(x9));
  lab::printf("mdccsr without magic: 0x%llx\n", static_cast<unsigned long long>(x9));

  // 2. Requests over the channel.
  const lab::Reply v = lab::dcc(lab::service::kVersion);
  lab::printf("dcc: version %llu, services 0..%llu\n", static_cast<unsigned long long>(v.r1),
              static_cast<unsigned long long>(v.r2));

  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  uint64_t n = 0;
  if (!parse_hex64(nonce, n)) lab::puts("nonce is not 16 hex digits\n");
  const lab::Reply e = lab::dcc(lab::service::kEcho, n, ~n, 0x4e4c);
  lab::printf("dcc echo: %016llx\n", static_cast<unsigned long long>(e.r1));
  const bool echo_ok = e.status == 0 && e.r1 == n && e.r2 == ~n && e.r3 == 0x4e4c;

  const lab::Reply s = lab::dcc(lab::service::kGuestInfoSet, reinterpret_cast<uint64_t>("lab.dcc"),
                                reinterpret_cast<uint64_t>(nonce));
  lab::printf("dcc guestinfo set: %lld\n", static_cast<long long>(s.status));

  // 3. The two counters: same values, very different costs.
  const uint64_t v0 = read_cntvct();
  const uint64_t p = read_cntpct();
  const uint64_t v1 = read_cntvct();
  const bool same_base = v0 <= p && p <= v1;
  lab::printf("cntvct %llu <= cntpct %llu <= cntvct %llu: %s\n",
              static_cast<unsigned long long>(v0), static_cast<unsigned long long>(p),
              static_cast<unsigned long long>(v1), same_base ? "yes" : "no");

  uint64_t sink = 0;
  const uint64_t t0 = read_cntvct();
  for (int i = 0; i < kReads; ++i) sink += read_cntvct();
  const uint64_t t1 = read_cntvct();
  for (int i = 0; i < kReads; ++i) sink += read_cntpct();
  const uint64_t t2 = read_cntvct();
  const uint64_t hz = lab::frequency();
  const uint64_t ns_v = (t1 - t0) * 1'000'000'000ull / hz / kReads;
  const uint64_t ns_p = (t2 - t1) * 1'000'000'000ull / hz / kReads;
  lab::printf("%d reads: cntvct %llu ns each, cntpct %llu ns each (checksum %llu)\n", kReads,
              static_cast<unsigned long long>(ns_v), static_cast<unsigned long long>(ns_p),
              static_cast<unsigned long long>(sink & 0xff));

  if (v.status == 0 && echo_ok && s.status == 0 && same_base) lab::mark("trapped");
  return 0;
}
