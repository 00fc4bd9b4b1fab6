// The lowvisor's own stage-1 translation at EL2: an identity map with the
// 4 KiB granule and 1 GiB level-1 blocks. [0, 1 GiB) (the machine's MMIO) is
// Device-nGnRE, [1 GiB, 64 GiB) (VHV RAM and beyond) Normal write-back.
#pragma once

namespace nestlab {

void mmu_enable();

}  // namespace nestlab
