// Stage-2 VMSAv8-64 descriptors with a 4 KiB granule (Arm ARM D8.3, "Translation
// table descriptor formats", and D8.4.2/D8.5.5 for the stage-2 attributes):
// what the manager writes and what the table walker reads. Encoding only, no
// policy: which permissions a page gets is stage2_tables.h's business.
#pragma once

#include <cstdint>

#include "vhv/common/stage2_types.h"

namespace nestlab::s2desc {

inline constexpr uint64_t kPage = 4096;
inline constexpr uint64_t kBlock = 2ull << 20;  // level 2
inline constexpr uint64_t kGiB = 1ull << 30;    // level 1
inline constexpr unsigned kEntries = 512;

// Bits [1:0]: 0b01 block (levels 1 and 2), 0b11 table (levels 0-2) or page
// (level 3); bit 0 clear is invalid (the walker ignores the rest).
inline constexpr uint64_t kValid = 1ull << 0;
inline constexpr uint64_t kTypeMask = 0b11;
inline constexpr uint64_t kTypeBlock = 0b01;
inline constexpr uint64_t kTypeTable = 0b11;
inline constexpr uint64_t kTypePage = 0b11;
// MemAttr[3:0] (bits [5:2], FEAT_S2FWB off): 0b1111 Normal, outer and inner
// write-back cacheable. The guest's stage 1 combines with it.
inline constexpr uint64_t kMemAttrNormalWb = 0xfull << 2;
// S2AP[1:0] (bits [7:6]): bit 6 read, bit 7 write.
inline constexpr uint64_t kS2apRead = 1ull << 6;
inline constexpr uint64_t kS2apWrite = 1ull << 7;
inline constexpr uint64_t kS2apMask = 3ull << 6;
inline constexpr uint64_t kShInner = 3ull << 8;  // SH[1:0] (bits [9:8]) Inner Shareable
inline constexpr uint64_t kAf = 1ull << 10;      // access flag: set, so no AF faults
// XN[1:0] (bits [54:53]): bit 54 set is execute-never at EL1 and EL0 (bit 53
// only matters with FEAT_XNX; we leave it 0).
inline constexpr uint64_t kXn = 1ull << 54;
inline constexpr uint64_t kOutputMask = 0x0000'ffff'ffff'f000ull;  // OA[47:12]
inline constexpr uint64_t kNormalAttrs = kMemAttrNormalWb | kShInner | kAf;

struct Perms {
  bool read = false;
  bool write = false;
  bool exec = false;
  constexpr bool operator==(const Perms&) const = default;
};

constexpr uint64_t perm_bits(Perms p) {
  return (p.read ? kS2apRead : 0) | (p.write ? kS2apWrite : 0) | (p.exec ? 0 : kXn);
}
constexpr uint64_t block(Pa pa, Perms p) {
  return (pa.value() & kOutputMask) | kTypeBlock | kNormalAttrs | perm_bits(p);
}
constexpr uint64_t page(Pa pa, Perms p) {
  return (pa.value() & kOutputMask) | kTypePage | kNormalAttrs | perm_bits(p);
}
constexpr uint64_t table(Pa next) { return (next.value() & kOutputMask) | kTypeTable; }

constexpr bool valid(uint64_t d) { return (d & kValid) != 0; }
// At levels 1 and 2; at level 3 the same encoding is a page.
constexpr bool is_table(uint64_t d) { return (d & kTypeMask) == kTypeTable; }
constexpr bool is_block(uint64_t d) { return (d & kTypeMask) == kTypeBlock; }
constexpr Pa output(uint64_t d) { return Pa(d & kOutputMask); }
constexpr Perms perms(uint64_t d) {
  return Perms{(d & kS2apRead) != 0, (d & kS2apWrite) != 0, (d & kXn) == 0};
}

// Checked against the field positions of D8.3 / D8.5.
static_assert(block(Pa(0x4020'0000), Perms{true, true, false}) == 0x0040'0000'4020'07fdull);
static_assert(page(Pa(0x4000'1000), Perms{true, false, true}) == 0x0000'0000'4000'177full);
static_assert(table(Pa(0x4300'0000)) == 0x4300'0003ull);
static_assert(perms(page(Pa(0), Perms{false, false, true})) == Perms{false, false, true});
static_assert(!valid(0) && valid(block(Pa(0), Perms{})));

}  // namespace nestlab::s2desc
