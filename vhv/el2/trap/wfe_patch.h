// Reaching EL2 from a guest WFE under QEMU TCG, which never traps WFE (it
// executes it as a yield whatever HCR_EL2.TWE says). S14's WFE channel needs
// the exit, so the lowvisor patches WFE sites itself (docs/traps.md):
//  - when a code page is first executed (the S15 fault, exec_fault.cpp),
//    every WFE word in it is replaced by LDR WZR, . (a load of the word
//    itself into the zero register) and the page is mapped execute-only at
//    stage 2, so the load is a stage-2 permission fault (DABT_LOW, ISV set,
//    SRT 31, FAR = PC) from EL0 and EL1 alike, whatever the guest's own
//    debugging does with MDCR_EL2.TDE (a BRK would go to the guest while it
//    debugs itself, self_hosted_debug.cpp). A page the faulting context
//    cannot read at stage 1 is not patched: the load would fault there, in
//    the guest;
//  - any data access to that page (a read that would see the patch, or a
//    write) faults: the original WFE words are put back and the page becomes
//    ordinary read/write data, to be patched again on its next execution.
// So the guest's loads always see its own bytes, and its fetches the patch.
#pragma once

#include <cstdint>

#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;

// One VM's patched WFE sites (kept in its Vm). All calls under sched_lock().
class WfePatcher {
 public:
  static constexpr uint32_t kWfe = 0xd503'205f;
  static constexpr uint32_t kPatch = 0x1800'001f;  // LDR WZR, . (Arm ARM C6.2.167, imm19 = 0)
  static constexpr unsigned kMaxSites = 4096;

  // Forgets every site (a new VM; its RAM is reloaded).
  void reset();
  // Patches the WFE words of the 4 KiB page at pa; true if it patched any.
  bool patch_page(uint64_t pa);
  // Restores the original WFE words of the page at pa.
  void unpatch_page(uint64_t pa) const;
  // The byte the guest wrote at pa (a patched site reads as its WFE).
  uint8_t original_byte(uint64_t pa) const;
  // A store of `bytes` little-endian bytes at pa into a patched page,
  // carried out for the guest: the bytes land in the guest's own view, and
  // the patch follows what the word holds afterwards (a WFE written becomes
  // a site, a site overwritten with anything else is a site no longer).
  void store(uint64_t pa, unsigned bytes, uint64_t value);
  // True when this data abort is the load of a patched WFE site (the guest
  // executed the patch at exit.pc, which reads exit.pc itself).
  bool is_site_load(Vm& vm, const ExitInfo& exit) const;

 private:
  static constexpr unsigned kSlots = 2 * kMaxSites;
  static constexpr uint64_t kRemoved = 1;  // never a word address
  bool contains(uint64_t pa) const;
  bool insert(uint64_t pa);
  void erase(uint64_t pa);
  uint32_t original_word(uint64_t word_pa) const;

  // Open-addressing set of patched word addresses (VHV PA); 0 is free,
  // kRemoved a site that was overwritten (its slot stays used).
  uint64_t m_sites[kSlots] = {};
  unsigned m_count = 0;  // used slots; invariant: <= kMaxSites
};

// The WFE channel and watchdog (wfe_channel.cpp), reached from a patched site.
ExitAction handle_wfe_channel(Vm& vm, const ExitInfo& exit);
// Called at every exit: fires the watchdog when its deadline passed. Returns
// the action that replaces the handler's, or `action` itself.
ExitAction watchdog_check(Vm& vm, const ExitInfo& exit, ExitAction action);

}  // namespace nestlab
