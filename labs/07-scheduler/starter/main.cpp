// Lab 07, sharing a CPU (your file): work as hard as you can for the
// number of seconds the boot arguments give ("seconds=3"), never sleeping,
// then say how much you did. See README.md.
#include "lab.h"

extern "C" void lab_exception(lab::Frame* frame, unsigned kind) {
  lab::printf("unexpected exception: vector %u, ESR_EL1 0x%llx at 0x%llx\n", kind,
              static_cast<unsigned long long>(frame->esr),
              static_cast<unsigned long long>(frame->elr));
  lab::system_off(lab::kExitCrash);
}

extern "C" int lab_main(uint64_t) {
  lab::install_vectors();
  uint64_t units = 0;
  const uint64_t start = lab::counter();
  // TODO: read "seconds" from the boot arguments (lab::bootarg), then do
  // units of work (any computation the compiler cannot remove) until that
  // much guest time has passed on lab::counter().
  const uint64_t elapsed_ms = (lab::counter() - start) * 1000 / lab::frequency();
  lab::printf("work: %llu units in %llu ms\n", static_cast<unsigned long long>(units),
              static_cast<unsigned long long>(elapsed_ms));
  return 0;
}
