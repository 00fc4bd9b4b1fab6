// S13: the lowvisor's per-CPU private data area (PRDA) lives at one virtual
// address on every CPU. Each CPU's EL2 stage-1 tables are a copy of the
// shared identity map plus a window at kWindowVa that maps that CPU's own
// PRDA page. A PRDA address obtained on one CPU is therefore still the right
// address after the context that holds it moves to another CPU: there it
// names the new CPU's area (the seed's first embodiment).
//
// Descriptor formats: Arm ARM D8.3 (VMSAv8-64, 4 KiB granule, 39-bit VA,
// lookup starting at level 1). Pure logic: the lowvisor builds the tables
// with it (boot/mmu.cpp) and the host tests walk them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab::prda_map {

inline constexpr unsigned kEntries = 512;
inline constexpr uint64_t kPageSize = 4096;
// Level-1 entry 256 (256 GiB): far above the identity-mapped 64 GiB.
inline constexpr uint64_t kWindowVa = 0x40'0000'0000ull;
inline constexpr unsigned kWindowL1Index = static_cast<unsigned>(kWindowVa >> 30);

inline constexpr uint64_t kDescTable = 0b11;  // level 1/2 table descriptor
inline constexpr uint64_t kDescBlock = 0b01;  // level 1/2 block descriptor
inline constexpr uint64_t kDescPage = 0b11;   // level 3 page descriptor
inline constexpr uint64_t kAf = 1ull << 10;
inline constexpr uint64_t kShInner = 3ull << 8;
inline constexpr uint64_t kXn = 1ull << 54;
inline constexpr uint64_t kAddrMask = 0x0000'ffff'ffff'f000ull;

// One CPU's tables: `l1` (a copy of the shared level-1 table plus the
// window), `l2` and `l3` for the window; each 512 entries, 4 KiB aligned.
// The *_pa values are the tables' addresses as the MMU sees them.
struct CpuTables {
  uint64_t* l1;
  uint64_t* l2;
  uint64_t l2_pa;
  uint64_t* l3;
  uint64_t l3_pa;
};

// Fills `t` for a CPU whose PRDA page is at `prda_pa` (4 KiB aligned),
// mapped Normal (MAIR index `normal_attr`), inner shareable, never
// executable. Entry kWindowL1Index of `shared_l1` must be invalid.
// Returns false (and writes nothing) when an argument breaks these rules.
bool build(const uint64_t* shared_l1, const CpuTables& t, uint64_t prda_pa, unsigned normal_attr);

// A software walk of the tables built above, for tests and self-checks:
// `read(pa)` returns the 512-entry table at physical address `pa`, or null.
// Returns false for a VA that is not mapped.
using TableAt = const uint64_t* (*)(uint64_t pa, void* cookie);
bool translate(const uint64_t* l1, uint64_t va, TableAt read, void* cookie, uint64_t* pa);

}  // namespace nestlab::prda_map
