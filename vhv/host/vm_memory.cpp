#include "vhv/host/vm_memory.h"

#include <algorithm>
#include <string>

namespace nestlab::vhv {

namespace {

std::string in_mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

uint64_t round_up_2m(uint64_t v) { return (v + VmMemory::kAlign - 1) & ~(VmMemory::kAlign - 1); }

}  // namespace

VmMemory::VmMemory(uint64_t base, uint64_t size, uint64_t guest_capacity)
    : m_base(round_up_2m(base)),
      m_end((base + size) & ~(kAlign - 1)),
      m_guest_capacity(guest_capacity & ~(kAlign - 1)) {
  if (m_end < m_base) m_end = m_base;
}

HostResult<MemBlock> VmMemory::allocate(uint64_t bytes, BlockKind kind) {
  if (bytes == 0 || bytes > m_end - m_base)
    return make_error(ErrorCode::InvalidArgument,
                      bytes == 0 ? std::string("a memory block of 0 bytes")
                                 : in_mib(bytes) + " is more than this VHV's RAM for guests (" +
                                       in_mib(m_end - m_base) + ")");
  const uint64_t size = round_up_2m(bytes);
  if (kind == BlockKind::GuestRam && size > m_guest_capacity - m_guest_used)
    return make_error(ErrorCode::InvalidArgument,
                      "the VHV has " + in_mib(m_guest_capacity - m_guest_used) + " of its " +
                          in_mib(m_guest_capacity) + " left for guests; ask for less with --mem " +
                          "or make the VHV bigger with `vhv create --mem`");
  uint64_t at = m_base;
  auto pos = m_used.begin();
  for (; pos != m_used.end(); ++pos) {
    if (pos->block.pa - at >= size) break;
    at = pos->block.pa + pos->block.size;
  }
  if (pos == m_used.end() && m_end - at < size) {
    if (kind == BlockKind::GuestRam)
      return make_error(ErrorCode::InvalidArgument,
                        "the VHV has " + in_mib(m_guest_capacity - m_guest_used) + " of its " +
                            in_mib(m_guest_capacity) +
                            " left for guests, but in pieces of at most " + in_mib(largest_free()) +
                            "; ask for less with --mem");
    return make_error(
        ErrorCode::InvalidArgument,
        "no room to stage " + in_mib(size) + " of image and initrd: the largest free " +
            "block of this VHV's RAM is " + in_mib(largest_free()) +
            "; wait for a VM to start or make the VHV bigger with `vhv create --mem`");
  }
  MemBlock block{at, size};
  m_used.insert(pos, Used{block, kind});
  if (kind == BlockKind::GuestRam) m_guest_used += size;
  return block;
}

void VmMemory::free(const MemBlock& block) {
  auto it =
      std::find_if(m_used.begin(), m_used.end(), [&](const Used& u) { return u.block == block; });
  if (it == m_used.end()) return;
  if (it->kind == BlockKind::GuestRam) m_guest_used -= it->block.size;
  m_used.erase(it);
}

uint64_t VmMemory::largest_free() const {
  uint64_t best = 0;
  uint64_t at = m_base;
  for (const Used& u : m_used) {
    best = std::max(best, u.block.pa - at);
    at = u.block.pa + u.block.size;
  }
  return std::max(best, m_end - at);
}

uint64_t VmMemory::free_bytes() const {
  uint64_t used = 0;
  for (const Used& u : m_used) used += u.block.size;
  return (m_end - m_base) - used;
}

uint64_t VmMemory::guest_available() const {
  return std::min(m_guest_capacity - m_guest_used, largest_free());
}

}  // namespace nestlab::vhv
