#include "vhv/common/mmio_map.h"

namespace nestlab {

Result<void, MmioMapError> MmioMap::add(uint64_t base, uint64_t size, MmioDevice* device) {
  if (size == 0 || base + size < base) return Err{MmioMapError::Empty};
  if (m_count == kMaxRegions) return Err{MmioMapError::Full};
  size_t at = 0;
  while (at < m_count && m_regions[at].base < base) ++at;
  if (at > 0 && m_regions[at - 1].base + m_regions[at - 1].size > base)
    return Err{MmioMapError::Overlap};
  if (at < m_count && base + size > m_regions[at].base) return Err{MmioMapError::Overlap};
  for (size_t i = m_count; i > at; --i) m_regions[i] = m_regions[i - 1];
  m_regions[at] = MmioRegion{base, size, device};
  ++m_count;
  return {};
}

const MmioRegion* MmioMap::find(uint64_t ipa, uint64_t size) const {
  size_t lo = 0, hi = m_count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const MmioRegion& r = m_regions[mid];
    if (ipa < r.base)
      hi = mid;
    else if (ipa - r.base >= r.size)
      lo = mid + 1;
    else
      return (ipa - r.base) + size <= r.size ? &r : nullptr;
  }
  return nullptr;
}

}  // namespace nestlab
