// Which owner each range of VHV physical memory has: the lowvisor's image and
// shared region, and each running VM's guest RAM. A VM's stage 2 is built
// only over memory that VM owns (Stage2Tables::map_ram asks here), so a
// wrong BootParams or a bug in the highvisor's allocator cannot hand one VM
// another's RAM or the lowvisor's own.
//
// Fixed capacity, no allocation: it runs in the lowvisor. Not thread-safe;
// the lowvisor's wrapper serialises it.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "vhv/common/stage2_types.h"

namespace nestlab {

enum class OwnerError : uint8_t {
  Overlap,   // part of the range belongs to someone else
  Full,      // no free slot
  BadRange,  // empty, or wraps around
};

class PhysOwners {
 public:
  static constexpr unsigned kMaxRanges = 16;

  // [pa, pa + size) becomes owner's; fails if any of it is someone else's
  // (a range the same owner holds already may be claimed again).
  [[nodiscard]] Result<void, OwnerError> claim(Pa pa, uint64_t size, Owner owner);
  // Everything owner holds becomes nobody's.
  void release(Owner owner);
  // The owner of the whole range, or Owner::none() when nobody or more than
  // one owner holds parts of it.
  Owner owner_of(Pa pa, uint64_t size) const;

 private:
  struct Range {
    Pa start;
    uint64_t size = 0;  // 0: a free slot
    Owner owner;
  };
  Range m_ranges[kMaxRanges] = {};
};

}  // namespace nestlab
