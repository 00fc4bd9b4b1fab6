#include "vhv/common/phys_owners.h"

namespace nestlab {
namespace {

bool overlaps(Pa a, uint64_t a_size, Pa b, uint64_t b_size) {
  return a.value() < b.value() + b_size && b.value() < a.value() + a_size;
}

}  // namespace

Result<void, OwnerError> PhysOwners::claim(Pa pa, uint64_t size, Owner owner) {
  if (size == 0 || pa.value() + size < pa.value()) return Err{OwnerError::BadRange};
  Range* free_slot = nullptr;
  for (Range& r : m_ranges) {
    if (r.size == 0) {
      if (!free_slot) free_slot = &r;
      continue;
    }
    if (overlaps(pa, size, r.start, r.size) && r.owner != owner) return Err{OwnerError::Overlap};
  }
  if (!free_slot) return Err{OwnerError::Full};
  *free_slot = Range{pa, size, owner};
  return {};
}

void PhysOwners::release(Owner owner) {
  for (Range& r : m_ranges)
    if (r.size != 0 && r.owner == owner) r = Range{};
}

Owner PhysOwners::owner_of(Pa pa, uint64_t size) const {
  if (size == 0 || pa.value() + size < pa.value()) return Owner::none();
  // Every byte must lie in a range of one owner: walk the range forward
  // through the ranges that cover it (they may be claimed in pieces).
  Owner found = Owner::none();
  uint64_t at = pa.value();
  const uint64_t end = pa.value() + size;
  while (at < end) {
    const Range* cover = nullptr;
    for (const Range& r : m_ranges)
      if (r.size != 0 && r.start.value() <= at && at - r.start.value() < r.size) cover = &r;
    if (!cover || (found != Owner::none() && cover->owner != found)) return Owner::none();
    found = cover->owner;
    at = cover->start.value() + cover->size;
  }
  return found;
}

}  // namespace nestlab
