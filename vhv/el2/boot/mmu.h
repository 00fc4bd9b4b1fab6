// The lowvisor's own stage-1 translation at EL2: an identity map with the
// 4 KiB granule and 1 GiB level-1 blocks. [0, 1 GiB) (the machine's MMIO) is
// Device-nGnRE, [1 GiB, 64 GiB) (VHV RAM and beyond) Normal write-back.
// Each CPU gets its own copy of the level-1 table with one more mapping: the
// PRDA window (vhv/common/prda_map.h, S13), the same virtual address on
// every CPU, backed by that CPU's own PRDA page.
#pragma once

#include <cstdint>

namespace nestlab {

// On CPU `cpu`, before anything uses its PRDA: maps `prda_pa` (this CPU's
// PRDA page) at prda_map::kWindowVa and turns the MMU on.
void mmu_enable(unsigned cpu, uint64_t prda_pa);

}  // namespace nestlab
