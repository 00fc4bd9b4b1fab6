// Lab 03, hypercalls (your file): ask the firmware interface (PSCI, HVC #0)
// and the nestlab backdoor (BRK #0x5658) what they offer. See README.md for
// what to print and what to store in guestinfo.
#include "lab.h"

namespace {

bool g_ok = true;
void check(bool ok, const char* what) {
  if (!ok) {
    lab::printf("FAILED: %s\n", what);
    g_ok = false;
  }
}

}  // namespace

extern "C" int lab_main(uint64_t) {
  // PSCI: the version (major in bits [31:16], minor in [15:0]).
  const uint32_t version = lab::psci_version();
  const unsigned major = version >> 16, minor = version & 0xffff;
  lab::printf("psci version %u.%u\n", major, minor);

  // TODO 1: PSCI_FEATURES of SYSTEM_OFF, CPU_ON, SYSTEM_RESET and
  // MEM_PROTECT (0x84000013); print
  // "psci features: SYSTEM_OFF <n> CPU_ON <n> SYSTEM_RESET <n> MEM_PROTECT <n>".

  // TODO 2: the backdoor's version service; print
  // "backdoor version <v>, services 0..<highest>".
  const lab::Reply v = {lab::kErrUnknownService, 0, 0, 0};
  check(v.status == 0, "backdoor version");

  // TODO 3: host time -> "host time: YYYY-MM-DD hh:mm:ss UTC".
  // TODO 4: the VM's UUID -> "vm uuid: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".

  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  // TODO 5: print "printed by the lowvisor: <nonce>" with the Print service.
  // TODO 6: store "psci<major>.<minor>-bd<backdoor version>-<nonce>" in the
  // guestinfo key lab.answer, read it back and print "lab.answer = <value>".
  (void)major;
  (void)minor;

  if (g_ok) lab::mark("services");
  return g_ok ? 0 : 1;
}
