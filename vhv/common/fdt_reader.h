// Just enough device tree reading for the lowvisor to learn its own
// machine's RAM from the blob QEMU leaves in memory: the first
// /memory@... node's reg (2 address cells, 2 size cells, as on -M virt).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab {

struct MemoryRange {
  uint64_t base;
  uint64_t size;
};

// False when `blob` is not a valid v17 tree no larger than max_size or has
// no memory node.
bool fdt_find_memory(const void* blob, size_t max_size, MemoryRange* out);

}  // namespace nestlab
