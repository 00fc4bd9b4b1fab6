// Benchmark guest for a VHV: the HVC round trip through the lowvisor's full
// dispatch (PSCI_VERSION), as a guest at EL1 sees it.
#include "bench/guests/hvc_measure.h"

extern "C" int guest_main(uint64_t) {
  bench::measure_hvc("hvc-loop");
  return 0;
}
