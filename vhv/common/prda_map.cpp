#include "vhv/common/prda_map.h"

namespace nestlab::prda_map {

bool build(const uint64_t* shared_l1, const CpuTables& t, uint64_t prda_pa, unsigned normal_attr) {
  if (!shared_l1 || !t.l1 || !t.l2 || !t.l3 || normal_attr > 7) return false;
  if ((prda_pa | t.l2_pa | t.l3_pa) & (kPageSize - 1)) return false;
  if (shared_l1[kWindowL1Index] & 1) return false;  // the window would hide a mapping
  for (unsigned i = 0; i < kEntries; ++i) {
    t.l1[i] = shared_l1[i];
    t.l2[i] = 0;
    t.l3[i] = 0;
  }
  t.l1[kWindowL1Index] = (t.l2_pa & kAddrMask) | kDescTable;
  t.l2[(kWindowVa >> 21) % kEntries] = (t.l3_pa & kAddrMask) | kDescTable;
  t.l3[(kWindowVa >> 12) % kEntries] =
      (prda_pa & kAddrMask) | kDescPage | kAf | kShInner | kXn | (uint64_t(normal_attr) << 2);
  return true;
}

bool translate(const uint64_t* l1, uint64_t va, TableAt read, void* cookie, uint64_t* pa) {
  if (va >> 39) return false;  // beyond a 39-bit VA space (T0SZ 25)
  const uint64_t* table = l1;
  for (unsigned level = 1; level <= 3; ++level) {
    if (!table) return false;
    const unsigned shift = 39 - 9 * level;  // 30, 21, 12
    const uint64_t d = table[(va >> shift) % kEntries];
    if (!(d & 1)) return false;
    const bool leaf = level == 3 ? (d & 3) == kDescPage : (d & 3) == kDescBlock;
    if (leaf) {
      const uint64_t size = 1ull << shift;
      *pa = (d & kAddrMask & ~(size - 1)) | (va & (size - 1));
      return true;
    }
    if (level == 3) return false;  // 0b01 at level 3 is reserved
    table = read(d & kAddrMask, cookie);
  }
  return false;
}

}  // namespace nestlab::prda_map
