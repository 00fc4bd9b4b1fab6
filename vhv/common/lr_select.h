// Which interrupts of a vCPU go into the GIC's list registers before it
// enters (IHI 0069 12.4): the hardware has ICH_VTR_EL2.ListRegs + 1 of them
// (QEMU's GICv3 gives 4, hardware up to 16), and when more interrupts want
// one than there are, active ones come first (their deactivation needs a
// list register), then pending ones by priority (lower value first), then
// by INTID. Header-only pure logic, used by the lowvisor (vgic/vgic.cpp)
// and tested on the host (lr_select_test.cpp). Not thread-safe.
#pragma once

#include <cstdint>

namespace nestlab {

// The architectural maximum of list registers (ICH_LR0..15_EL2).
inline constexpr unsigned kMaxListRegisters = 16;

// ICH_VTR_EL2.ListRegs (bits [4:0]) is the number implemented minus one.
constexpr unsigned list_registers_from_vtr(uint64_t vtr) {
  const unsigned n = static_cast<unsigned>(vtr & 0x1f) + 1;
  return n > kMaxListRegisters ? kMaxListRegisters : n;
}
static_assert(list_registers_from_vtr(3) == 4);
static_assert(list_registers_from_vtr(15) == 16);
static_assert(list_registers_from_vtr(0xffff'ffe0) == 1);

// Keeps the best `capacity` of the interrupts offered, in the order they
// go into list registers 0, 1, ...
class LrSelection {
 public:
  explicit constexpr LrSelection(unsigned capacity)
      : m_capacity(capacity == 0                  ? 1
                   : capacity > kMaxListRegisters ? kMaxListRegisters
                                                  : capacity) {}

  constexpr void offer(uint32_t intid, bool active, uint8_t priority) {
    const uint64_t r = rank(intid, active, priority);
    unsigned pos = m_count;
    while (pos > 0 && m_rank[pos - 1] > r) --pos;
    if (pos >= m_capacity) return;  // worse than every one kept, and no room
    const unsigned last = m_count < m_capacity ? m_count : m_capacity - 1;
    for (unsigned k = last; k > pos; --k) {
      m_intid[k] = m_intid[k - 1];
      m_rank[k] = m_rank[k - 1];
    }
    m_intid[pos] = intid;
    m_rank[pos] = r;
    if (m_count < m_capacity) ++m_count;
  }

  constexpr unsigned capacity() const { return m_capacity; }
  constexpr unsigned count() const { return m_count; }  // invariant: <= capacity()
  constexpr uint32_t intid(unsigned i) const { return m_intid[i]; }

 private:
  static constexpr uint64_t rank(uint32_t intid, bool active, uint8_t priority) {
    return (uint64_t{active ? 0u : 1u} << 40) | (uint64_t{priority} << 32) | intid;
  }

  unsigned m_capacity;
  unsigned m_count = 0;
  uint32_t m_intid[kMaxListRegisters] = {};
  uint64_t m_rank[kMaxListRegisters] = {};
};

}  // namespace nestlab
