#include "vhv/el2/trap/wfe_patch.h"

#include "vhv/common/esr.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

unsigned slot_of(uint64_t pa, unsigned slots) {
  return static_cast<unsigned>((pa >> 2) * 0x9e37'79b9u) % slots;
}

}  // namespace

bool WfePatcher::contains(uint64_t pa) const {
  for (unsigned i = slot_of(pa, kSlots), n = 0; n < kSlots; i = (i + 1) % kSlots, ++n) {
    if (m_sites[i] == pa) return true;
    if (m_sites[i] == 0) return false;
  }
  return false;
}

bool WfePatcher::insert(uint64_t pa) {
  if (contains(pa)) return true;
  if (m_count >= kMaxSites) return false;
  unsigned i = slot_of(pa, kSlots);
  while (m_sites[i] != 0) i = (i + 1) % kSlots;
  ++m_count;
  m_sites[i] = pa;
  return true;
}

void WfePatcher::erase(uint64_t pa) {
  for (unsigned i = slot_of(pa, kSlots), n = 0; n < kSlots && m_sites[i] != 0;
       i = (i + 1) % kSlots, ++n)
    if (m_sites[i] == pa) {
      m_sites[i] = kRemoved;  // later sites of the same probe chain stay reachable
      return;
    }
}

void WfePatcher::reset() {
  for (auto& s : m_sites) s = 0;
  m_count = 0;
}

bool WfePatcher::patch_page(uint64_t pa) {
  auto* words = reinterpret_cast<volatile uint32_t*>(pa);
  bool any = false;
  for (unsigned i = 0; i < Stage2::kPage / 4; ++i) {
    if (words[i] != kWfe) continue;
    if (!insert(pa + 4 * i)) break;  // table full: the rest stay plain WFE (a yield)
    words[i] = kPatch;
    count(TraceWriter::stats().wfe_patched);
    any = true;
  }
  return any;
}

void WfePatcher::unpatch_page(uint64_t pa) const {
  auto* words = reinterpret_cast<volatile uint32_t*>(pa);
  for (unsigned i = 0; i < Stage2::kPage / 4; ++i)
    if (words[i] == kPatch && contains(pa + 4 * i)) words[i] = kWfe;
  // The sites stay in the set: the page is re-patched on its next execution,
  // and an LDR WZR, . the guest writes itself elsewhere is still told apart.
}

uint32_t WfePatcher::original_word(uint64_t word_pa) const {
  const uint32_t word = *reinterpret_cast<volatile uint32_t*>(word_pa);
  return word == kPatch && contains(word_pa) ? kWfe : word;
}

uint8_t WfePatcher::original_byte(uint64_t pa) const {
  return static_cast<uint8_t>(original_word(pa & ~3ull) >> (8 * (pa & 3)));
}

void WfePatcher::store(uint64_t pa, unsigned bytes, uint64_t value) {
  for (unsigned i = 0; i < bytes;) {
    const uint64_t word_pa = (pa + i) & ~3ull;
    uint32_t word = original_word(word_pa);
    for (; i < bytes && ((pa + i) & ~3ull) == word_pa; ++i) {
      const unsigned shift = 8 * ((pa + i) & 3);
      word = (word & ~(0xffu << shift)) | (uint32_t(uint8_t(value >> (8 * i))) << shift);
    }
    auto* target = reinterpret_cast<volatile uint32_t*>(word_pa);
    if (word == kWfe && insert(word_pa)) {
      *target = kPatch;
      count(TraceWriter::stats().wfe_patched);
    } else {
      erase(word_pa);
      *target = word;
    }
  }
}

bool WfePatcher::is_site_load(Vm& vm, const ExitInfo& exit) const {
  const DataAbortIss iss(exit.iss);
  if (!iss.isv || iss.wnr || iss.s1ptw || iss.srt != 31 || iss.access_bytes() != 4) return false;
  if (exit.far != exit.pc) return false;  // LDR (literal) with offset 0 reads itself
  if (vm.stage2().state(Ipa(exit.ipa)) != PageState::ExecOnly) return false;
  const uint64_t pa = vm.stage2().pa_of(Ipa(exit.ipa)).value();
  return (pa & 3) == 0 && contains(pa) && *reinterpret_cast<volatile uint32_t*>(pa) == kPatch;
}

}  // namespace nestlab
