// Does a data access match one of the guest's watchpoints (Arm ARM D2.10,
// DBGWCR<n>_EL1/DBGWVR<n>_EL1)? The lowvisor asks when it carries out an
// access for the guest (MMIO, a load from an execute-only page, a store into
// the page of the storing instruction): stage 2 stopped that access before
// the CPU's watchpoint check, so without this the guest's watchpoint would
// never see it. Matching follows QEMU's TCG, which is what a guest sees on
// plain QEMU: the watched bytes are the contiguous run of DBGWCR.BAS from
// its lowest set bit (or 2^MASK bytes), PAC selects EL1 (bit 0) and EL0
// (bit 1), LSC loads (bit 0) and stores (bit 1); a watchpoint linked to a
// context breakpoint (WT) or limited to Secure state (SSC = 2) does not
// match a Non-secure guest access here. Header-only pure logic, tested on
// the host (watchpoint_test.cpp).
#pragma once

#include <cstdint>

namespace nestlab {

struct WatchedAccess {
  uint64_t va;    // first byte accessed (FAR)
  unsigned size;  // bytes
  bool write;
  bool el0;  // the access was made at EL0 (else EL1)
};

// DBGWCR<n>_EL1 fields.
inline constexpr uint64_t kWcrEnable = 1ull << 0;
constexpr unsigned wcr_pac(uint64_t wcr) { return unsigned(wcr >> 1) & 3; }
constexpr unsigned wcr_lsc(uint64_t wcr) { return unsigned(wcr >> 3) & 3; }
constexpr unsigned wcr_bas(uint64_t wcr) { return unsigned(wcr >> 5) & 0xff; }
constexpr unsigned wcr_ssc(uint64_t wcr) { return unsigned(wcr >> 14) & 3; }
constexpr bool wcr_wt(uint64_t wcr) { return (wcr >> 20) & 1; }
constexpr unsigned wcr_mask(uint64_t wcr) { return unsigned(wcr >> 24) & 0x1f; }

constexpr bool watchpoint_matches(uint64_t wcr, uint64_t wvr, const WatchedAccess& a) {
  if (!(wcr & kWcrEnable) || a.size == 0) return false;
  if (wcr_wt(wcr) || wcr_ssc(wcr) == 2) return false;
  if (!((wcr_pac(wcr) >> (a.el0 ? 1 : 0)) & 1)) return false;
  if (!((wcr_lsc(wcr) >> (a.write ? 1 : 0)) & 1)) return false;
  uint64_t base = wvr & ~3ull;
  uint64_t len = 0;
  const unsigned mask = wcr_mask(wcr);
  if (mask == 1 || mask == 2) return false;  // reserved
  if (mask != 0) {
    len = 1ull << mask;
    base = wvr & ~(len - 1);
  } else {
    unsigned bas = wcr_bas(wcr);
    if (wvr & 4) bas &= 0xf;  // a word-aligned WVR watches at most 4 bytes
    if (bas == 0) return false;
    unsigned start = 0;
    while (!((bas >> start) & 1)) ++start;
    while ((bas >> (start + len)) & 1) ++len;
    base = wvr + start;
  }
  // The access [va, va + size) overlaps the watched bytes [base, base + len).
  return a.va < base + len && base < a.va + a.size;
}

// DBGWCR: enabled, EL1 and EL0, stores only, 8 bytes.
static_assert(watchpoint_matches(0x1ff7, 0x1000, WatchedAccess{0x1004, 4, true, false}));
static_assert(!watchpoint_matches(0x1ff7, 0x1000, WatchedAccess{0x1004, 4, false, false}));
static_assert(!watchpoint_matches(0x1ff7, 0x1000, WatchedAccess{0x1008, 4, true, false}));

}  // namespace nestlab
