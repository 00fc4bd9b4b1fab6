// The guest's MMIO space: devices registered by IPA interval, looked up on
// every stage-2 abort. A fixed array sorted by base (few devices, no heap).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "vhv/common/mmio_device.h"

namespace nestlab {

enum class MmioMapError : uint8_t { Full, Overlap, Empty };

struct MmioRegion {
  uint64_t base;
  uint64_t size;
  MmioDevice* device;  // Not owned.
};

class MmioMap {
 public:
  static constexpr size_t kMaxRegions = 16;

  [[nodiscard]] Result<void, MmioMapError> add(uint64_t base, uint64_t size, MmioDevice* device);
  // The region containing [ipa, ipa + size), or nullptr.
  const MmioRegion* find(uint64_t ipa, uint64_t size = 1) const;
  size_t count() const { return m_count; }
  void clear() { m_count = 0; }

 private:
  MmioRegion m_regions[kMaxRegions] = {};
  size_t m_count = 0;  // invariant: m_regions[0..m_count) sorted, disjoint
};

}  // namespace nestlab
