// Stage-2 translation for one VM (Arm ARM D8.2, "Stage 2 translation"):
// guest RAM [ram_ipa, +size) maps to VHV PA ram_pa with 2 MiB level-2
// blocks, Normal write-back, read/write/execute. Nothing else is mapped, so
// every access below RAM (the MMIO space) traps as DABT_LOW/IABT_LOW.
#pragma once

#include <cstdint>

namespace nestlab {

class Stage2 {
 public:
  static constexpr uint64_t kBlock = 2ull << 20;
  static constexpr uint64_t kMaxRam = 8ull << 30;

  // ram_ipa, ram_pa and size are 2 MiB aligned; size <= kMaxRam; ram_ipa
  // is 1 GiB aligned. Programs VTCR_EL2 and VTTBR_EL2 and flushes the TLBs.
  static void map_guest_ram(uint64_t ram_ipa, uint64_t ram_pa, uint64_t size);
};

}  // namespace nestlab
