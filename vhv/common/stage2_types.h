// Address and owner types of the stage-2 memory manager (stage2_tables.h).
// An intermediate physical address (what the guest calls physical) and a VHV
// physical address (what the lowvisor and the table walker see) are both
// 64-bit numbers; mixing them up maps a guest onto memory it must never
// reach. So each is its own type: explicit construction, no conversion
// between them, and only the arithmetic the manager needs.
#pragma once

#include <cstdint>

namespace nestlab {

template <typename Tag>
class Address {
 public:
  constexpr Address() = default;
  constexpr explicit Address(uint64_t value) : m_value(value) {}
  constexpr uint64_t value() const { return m_value; }

  constexpr Address operator+(uint64_t offset) const { return Address(m_value + offset); }
  constexpr Address operator-(uint64_t offset) const { return Address(m_value - offset); }
  constexpr uint64_t operator-(Address other) const { return m_value - other.m_value; }
  constexpr Address align_down(uint64_t size) const { return Address(m_value & ~(size - 1)); }
  constexpr bool aligned(uint64_t size) const { return (m_value & (size - 1)) == 0; }
  constexpr bool operator==(const Address&) const = default;
  constexpr bool operator<(Address o) const { return m_value < o.m_value; }
  constexpr bool operator<=(Address o) const { return m_value <= o.m_value; }
  constexpr bool operator>(Address o) const { return m_value > o.m_value; }
  constexpr bool operator>=(Address o) const { return m_value >= o.m_value; }

 private:
  uint64_t m_value = 0;
};

using Ipa = Address<struct IpaTag>;  // guest physical (stage-2 input)
using Pa = Address<struct PaTag>;    // VHV physical (stage-2 output)

// Who a page of memory belongs to: nobody, the lowvisor, or one VM (its id).
// A guest's stage 2 maps only pages its VM owns.
class Owner {
 public:
  constexpr Owner() = default;  // nobody
  static constexpr Owner none() { return Owner(0); }
  static constexpr Owner lowvisor() { return Owner(kLowvisor); }
  static constexpr Owner vm(unsigned id) { return Owner(static_cast<uint8_t>(id + 1)); }
  static constexpr Owner from_raw(uint8_t raw) { return Owner(raw); }
  constexpr uint8_t raw() const { return m_raw; }
  constexpr bool is_vm() const { return m_raw != 0 && m_raw != kLowvisor; }
  constexpr bool operator==(const Owner&) const = default;

 private:
  static constexpr uint8_t kLowvisor = 0xff;
  constexpr explicit Owner(uint8_t raw) : m_raw(raw) {}
  uint8_t m_raw = 0;
};

static_assert(Owner::vm(0) != Owner::none() && Owner::vm(0).is_vm());
static_assert(!Owner::lowvisor().is_vm() && !Owner::none().is_vm());

}  // namespace nestlab
