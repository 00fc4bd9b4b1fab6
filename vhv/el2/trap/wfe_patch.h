// Reaching EL2 from a guest WFE under QEMU TCG, which never traps WFE (it
// executes it as a yield whatever HCR_EL2.TWE says). S14's WFE channel needs
// the exit, so the lowvisor patches WFE sites itself (docs/traps.md):
//  - when a code page is first executed (the S15 fault, exec_fault.cpp),
//    every WFE word in it is replaced by BRK #kBrkImmediate, which traps to
//    EL2 through MDCR_EL2.TDE, and the page is mapped execute-only at stage 2;
//  - any data access to that page (a read that would see the patch, or a
//    write) faults: the original WFE words are put back and the page becomes
//    ordinary read/write data, to be patched again on its next execution.
// So the guest's loads always see its own bytes, and its fetches the patch.
#pragma once

#include <cstdint>

#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;

class WfePatcher {
 public:
  static constexpr uint16_t kBrkImmediate = 0x5746;  // "WF"
  static constexpr uint32_t kWfe = 0xd503'205f;
  static constexpr uint32_t kPatch = 0xd420'0000u | (uint32_t{kBrkImmediate} << 5);
  static constexpr unsigned kMaxSites = 4096;

  // Forgets every site (a new VM; its RAM is reloaded).
  static void reset();
  // Patches the WFE words of the 4 KiB page at pa; true if it patched any.
  static bool patch_page(uint64_t pa);
  // Restores the original WFE words of the page at pa.
  static void unpatch_page(uint64_t pa);
  // The byte the guest wrote at pa (a patched site reads as its WFE).
  static uint8_t original_byte(uint64_t pa);
  // True when the guest's pc is a WFE site the lowvisor patched.
  static bool is_patched_site(const Vm& vm, uint64_t pc);
};

// The WFE channel and watchdog (wfe_channel.cpp), reached from a patched site.
ExitAction handle_wfe_channel(Vm& vm, const ExitInfo& exit);
// Called at every exit: fires the watchdog when its deadline passed. Returns
// the action that replaces the handler's, or `action` itself.
ExitAction watchdog_check(Vm& vm, const ExitInfo& exit, ExitAction action);
void watchdog_reset();

}  // namespace nestlab
