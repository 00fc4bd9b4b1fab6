// The platform of one lab run (docs/labs.md, "Varied platform"): where a
// lab's answer is a fact of the platform, a fresh value per run, announced
// only in the device tree the guest receives, so that a program that
// hard-codes the answer fails. Every other run (and every lab that does not
// ask) gets QEMU virt's platform exactly.
#pragma once

#include <cstdint>

#include "console/lab/lab_definition.h"
#include "console/lab/placeholders.h"

namespace nestlab::lab {

// Where the PL011 may be moved: a random 4 KiB page in [kPl011Low, kPl011High)
// (the free MMIO space above QEMU virt's own PL011 and PL031, below guest RAM).
inline constexpr uint64_t kPl011Low = 0x0901'1000;
inline constexpr uint64_t kPl011High = 0x4000'0000;

struct RunPlatform {
  uint64_t mem = 0;    // guest RAM, bytes
  uint64_t pl011 = 0;  // the PL011's address; 0 = QEMU virt's (0x0900_0000)
};

RunPlatform choose_platform(const LabDefinition& lab);

// The placeholders of a run on `platform`, with a fresh nonce; uuid is
// filled in once the VM runs.
Placeholders run_placeholders(const RunPlatform& platform);

// A uniformly random number in [0, n), n > 0, from the kernel's random source.
uint64_t random_below(uint64_t n);

}  // namespace nestlab::lab
