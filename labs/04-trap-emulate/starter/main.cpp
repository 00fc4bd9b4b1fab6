// Lab 04, trap and emulate (your file). Two system registers that a VHV
// traps and emulates: MDCCSR_EL0 (the DCC channel) and CNTPCT_EL0 (the
// physical counter). See README.md.
#include "lab.h"

namespace {

constexpr int kReads = 256;

uint64_t read_cntvct() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
  return v;
}

// TODO: read_cntpct(), like read_cntvct() but for CNTPCT_EL0.

}  // namespace

extern "C" int lab_main(uint64_t) {
  // Output through the lowvisor's Print service (one BRK64 per line), so
  // that the SYS64 exits are the ones this lab is about.
  lab::console_via_backdoor(true);

  // TODO 1: read MDCCSR_EL0 without the magic (x9 = 0) and print
  // "mdccsr without magic: 0x<value>".

  // 2. Requests over the channel.
  const lab::Reply v = lab::dcc(lab::service::kVersion);
  lab::printf("dcc: version %llu, services 0..%llu\n", static_cast<unsigned long long>(v.r1),
              static_cast<unsigned long long>(v.r2));

  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  // TODO 2: turn the nonce (16 hex digits) into a number n, send n, ~n and
  // 0x4e4c with the Echo service over the DCC, print "dcc echo: <r1 as 16 hex
  // digits>" and check all three came back.
  // TODO 3: store the nonce in guestinfo key lab.dcc, over the DCC, and
  // print "dcc guestinfo set: <status>".

  // TODO 4: show that CNTPCT_EL0 and CNTVCT_EL0 count the same time (read
  // CNTVCT, CNTPCT, CNTVCT and check the order), then time kReads reads of
  // each with CNTVCT and print
  // "256 reads: cntvct <ns> ns each, cntpct <ns> ns each".
  (void)read_cntvct;

  // TODO 5: lab::mark("trapped") when every check above held.
  return 0;
}
