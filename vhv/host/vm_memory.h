// Where the VMs of a VHV live in its RAM (issue 13): a first-fit allocator of
// 2 MiB-aligned blocks over [layout::kGuestRamPa, end of VHV RAM). A VM gets
// one block of guest RAM, given back at its VmExit (or RunFailed), and one
// block for its staged image and initrd, given back when the lowvisor says
// VmStarted. Guest RAM is also counted against the VHV's guest capacity (its
// `vhv create --mem`); the staging blocks live in the rest of the range, so
// that one VM as large as the capacity still has room for its image.
// Pure bookkeeping: it never touches the memory it hands out.
#pragma once

#include <cstdint>
#include <vector>

#include "base/error.h"

namespace nestlab::vhv {

struct MemBlock {
  uint64_t pa = 0;    // VHV physical address, 2 MiB aligned
  uint64_t size = 0;  // bytes, a multiple of 2 MiB
  bool operator==(const MemBlock&) const = default;
};

enum class BlockKind { GuestRam, Staging };

class VmMemory {
 public:
  static constexpr uint64_t kAlign = 2ull << 20;

  // Manages [base, base + size); at most guest_capacity bytes of it are
  // guest RAM at any time. base is 2 MiB aligned; size is cut down to 2 MiB.
  VmMemory(uint64_t base, uint64_t size, uint64_t guest_capacity);

  // A block of `bytes` rounded up to 2 MiB, the lowest free one that fits.
  // Errors say how much is left and what to do.
  HostResult<MemBlock> allocate(uint64_t bytes, BlockKind kind);
  // Gives back a block allocate() returned; anything else is ignored.
  void free(const MemBlock& block);

  // Guest RAM a new VM could still get: what is left of the capacity, no
  // more than the largest free block.
  uint64_t guest_available() const;
  uint64_t guest_capacity() const { return m_guest_capacity; }
  uint64_t guest_used() const { return m_guest_used; }
  uint64_t largest_free() const;
  uint64_t free_bytes() const;

 private:
  struct Used {
    MemBlock block;
    BlockKind kind;
  };
  uint64_t m_base;
  uint64_t m_end;
  uint64_t m_guest_capacity;
  uint64_t m_guest_used = 0;
  std::vector<Used> m_used;  // invariant: sorted by pa, no two overlap, all inside [base, end)
};

}  // namespace nestlab::vhv
