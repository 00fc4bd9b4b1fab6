// Lab 07, sharing a CPU: the reference. Works for "seconds" of guest time
// (the virtual counter), never sleeping, then reports the units done.
#include "lab.h"

namespace {

uint64_t number(const char* s, uint64_t fallback) {
  if (!s || *s < '0' || *s > '9') return fallback;
  uint64_t v = 0;
  for (; *s >= '0' && *s <= '9'; ++s) v = v * 10 + uint64_t(*s - '0');
  return v;
}

}  // namespace

extern "C" void lab_exception(lab::Frame* frame, unsigned kind) {
  lab::printf("unexpected exception: vector %u, ESR_EL1 0x%llx at 0x%llx\n", kind,
              static_cast<unsigned long long>(frame->esr),
              static_cast<unsigned long long>(frame->elr));
  lab::system_off(lab::kExitCrash);
}

extern "C" int lab_main(uint64_t) {
  lab::install_vectors();
  char text[16];
  const uint64_t seconds = lab::bootarg("seconds", text, sizeof text) ? number(text, 3) : 3;
  const uint64_t hz = lab::frequency();
  const uint64_t start = lab::counter(), end = start + seconds * hz;
  uint64_t units = 0, x = 1;
  while (lab::counter() < end) {
    // One unit: 10,000 steps of a 64-bit LCG (Knuth's MMIX constants).
    for (int i = 0; i < 10000; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
    ++units;
  }
  const uint64_t elapsed_ms = (lab::counter() - start) * 1000 / hz;
  lab::printf("work: %llu units in %llu ms (checksum %llx)\n",
              static_cast<unsigned long long>(units), static_cast<unsigned long long>(elapsed_ms),
              static_cast<unsigned long long>(x));
  return 0;
}
