#include "vhv/common/stage2_tables.h"

namespace nestlab {
namespace {

using s2desc::Perms;

bool has(PageInfo info, uint8_t flag) { return (info.flags & flag) != 0; }

PageInfo with(PageInfo info, uint8_t set, uint8_t clear) {
  info.flags = static_cast<uint8_t>((info.flags | set) & ~clear);
  return info;
}

// Whether `to` allows everything `from` did (then stale TLB entries of the
// old entry can only fault, never grant too much).
bool allows_all_of(Perms to, Perms from) {
  return (to.read || !from.read) && (to.write || !from.write) && (to.exec || !from.exec);
}

constexpr PageInfo kFreshRam{0, PageInfo::kReadable | PageInfo::kWritable | PageInfo::kDirty};

}  // namespace

const char* stage2_error_text(Stage2Error e) {
  switch (e) {
    case Stage2Error::BadArgument: return "a misaligned, empty or too large range";
    case Stage2Error::NotOwner: return "memory that belongs to the lowvisor or another VM";
    case Stage2Error::NotRam: return "an address outside the VM's RAM";
    case Stage2Error::PoolExhausted: return "no level-3 table left in the VM's pool";
  }
  return "an unknown stage-2 error";
}

// What the guest may do with a page, derived from its state alone: this is
// where W^X and the write protection of clean pages come from.
Perms Stage2Tables::perms(PageInfo info) const {
  if (has(info, PageInfo::kUntracked)) return Perms{true, true, true};
  const bool exec = has(info, PageInfo::kExecutable);
  return Perms{has(info, PageInfo::kReadable),
               has(info, PageInfo::kWritable) && has(info, PageInfo::kDirty) && !exec, exec};
}

uint64_t Stage2Tables::block_desc(unsigned block, PageInfo info) const {
  if (Owner::from_raw(info.owner) != m_self) return 0;
  return s2desc::block(m_ram_pa + uint64_t(block) * kBlock, perms(info));
}

uint64_t Stage2Tables::page_desc(Ipa page, PageInfo info) const {
  if (Owner::from_raw(info.owner) != m_self) return 0;
  return s2desc::page(pa_of(page), perms(info));
}

uint64_t* Stage2Tables::l2_slot(unsigned block) const {
  return &table(m_l2[block / s2desc::kEntries])[block % s2desc::kEntries];
}

// A descriptor the walker may be reading: one single-copy-atomic 64-bit
// store (Arm ARM B2.2.1), never torn into halves.
void Stage2Tables::store(uint64_t* slot, uint64_t value) {
  __atomic_store_n(slot, value, __ATOMIC_RELAXED);
  m_hooks->stored(slot, value);
}

void Stage2Tables::set_entry(uint64_t* slot, uint64_t desc, Ipa ipa, uint64_t size) {
  const uint64_t old = *slot;
  if (old == desc) return;
  const bool remap = s2desc::output(old) != s2desc::output(desc) ||
                     (old & s2desc::kTypeMask) != (desc & s2desc::kTypeMask);
  if (s2desc::valid(old) && s2desc::valid(desc) && remap) {
    // Break-before-make (Arm ARM D8.15.1): two valid translations for one
    // address may otherwise both live in TLBs, which is CONSTRAINED
    // UNPREDICTABLE (a TLB conflict abort, or the wrong output).
    store(slot, 0);
    m_hooks->invalidate(ipa, size, TlbChange::Restrict);
    store(slot, desc);
    return;
  }
  store(slot, desc);
  if (!s2desc::valid(old)) return;  // nothing of an invalid entry is cached
  const bool relax = s2desc::valid(desc) && allows_all_of(s2desc::perms(desc), s2desc::perms(old));
  m_hooks->invalidate(ipa, size, relax ? TlbChange::Relax : TlbChange::Restrict);
}

void Stage2Tables::unmap_all() {
  uint64_t* l1 = table(0);
  for (unsigned i = 0; i < s2desc::kEntries; ++i)
    if (l1[i] != 0) store(&l1[i], 0);
  // Always: the VMID may still have entries of an earlier VM in its slot.
  m_hooks->invalidate_all();
  m_ram_size = 0;
  m_l2_count = 0;
  m_next_table = 1;
}

Result<void, Stage2Error> Stage2Tables::map_ram(Ipa ipa, Pa pa, uint64_t size,
                                                const PhysOwners& owners) {
  const uint64_t gibs = (size + s2desc::kGiB - 1) / s2desc::kGiB;
  if (size == 0 || size > kMaxRam || !ipa.aligned(s2desc::kGiB) || !pa.aligned(kBlock) ||
      size % kBlock != 0 || ipa.value() >= kMaxIpa || kMaxIpa - ipa.value() < size ||
      pa.value() + size < pa.value() || m_arena.count < 1 + gibs)
    return Err{Stage2Error::BadArgument};
  if (owners.owner_of(pa, size) != m_self) return Err{Stage2Error::NotOwner};
  unmap_all();
  m_ram_ipa = ipa;
  m_ram_pa = pa;
  m_ram_size = size;
  m_l2_count = static_cast<unsigned>(gibs);
  const unsigned blocks = static_cast<unsigned>(size / kBlock);
  for (unsigned g = 0; g < m_l2_count; ++g) {
    m_l2[g] = static_cast<uint16_t>(m_next_table++);
    // Not reachable by the walker until level 1 points at it.
    for (unsigned i = 0; i < s2desc::kEntries; ++i) table(m_l2[g])[i] = 0;
  }
  for (unsigned b = 0; b < blocks; ++b) {
    m_l3_of_block[b] = kUnsplit;
    m_block_info[b] = PageInfo{m_self.raw(), kFreshRam.flags};
    store(l2_slot(b), block_desc(b, m_block_info[b]));
  }
  uint64_t* l1 = table(0);
  for (unsigned g = 0; g < m_l2_count; ++g)
    store(&l1[ipa.value() / s2desc::kGiB + g], s2desc::table(table_pa(m_l2[g])));
  return {};
}

Result<void, Stage2Error> Stage2Tables::split(unsigned block) {
  if (m_l3_of_block[block] != kUnsplit) return {};
  if (m_next_table >= m_arena.count) {
    ++m_pool_exhausted;
    return Err{Stage2Error::PoolExhausted};
  }
  const unsigned index = m_next_table++;
  const Ipa base = m_ram_ipa + uint64_t(block) * kBlock;
  const PageInfo info = m_block_info[block];
  // The new table translates exactly as the block did; not reachable yet.
  for (unsigned i = 0; i < s2desc::kEntries; ++i) {
    m_arena.info[index][i] = info;
    store(&table(index)[i], page_desc(base + uint64_t(i) * kPage, info));
  }
  m_l3_of_block[block] = static_cast<uint16_t>(index);
  set_entry(l2_slot(block), s2desc::table(table_pa(index)), base, kBlock);
  return {};
}

PageInfo Stage2Tables::info_of(Ipa page) const {
  const unsigned block = block_of(page);
  const uint16_t l3 = m_l3_of_block[block];
  if (l3 == kUnsplit) return m_block_info[block];
  return m_arena.info[l3][((page - m_ram_ipa) % kBlock) / kPage];
}

template <typename Fn>
Result<void, Stage2Error> Stage2Tables::update_page(Ipa ipa, Fn fn) {
  if (!in_ram(ipa)) return Err{Stage2Error::NotRam};
  const Ipa page = ipa.align_down(kPage);
  const unsigned block = block_of(page);
  if (m_l3_of_block[block] == kUnsplit) {
    if (fn(m_block_info[block]) == m_block_info[block]) return {};
    if (auto r = split(block); r.is_error()) return r;
  }
  const unsigned i = static_cast<unsigned>(((page - m_ram_ipa) % kBlock) / kPage);
  const uint16_t l3 = m_l3_of_block[block];
  PageInfo& info = m_arena.info[l3][i];
  const PageInfo next = fn(info);
  if (next == info) return {};
  info = next;
  set_entry(&table(l3)[i], page_desc(page, next), page, kPage);
  return {};
}

Result<PageStatus, Stage2Error> Stage2Tables::state(Ipa ipa) const {
  if (!in_ram(ipa)) return Err{Stage2Error::NotRam};
  const PageInfo info = info_of(ipa.align_down(kPage));
  return PageStatus{Owner::from_raw(info.owner),    has(info, PageInfo::kReadable),
                    has(info, PageInfo::kWritable), has(info, PageInfo::kExecutable),
                    has(info, PageInfo::kDirty),    has(info, PageInfo::kUntracked)};
}

Result<void, Stage2Error> Stage2Tables::make_executable(Ipa ipa, ExecMode mode) {
  if (in_ram(ipa) && Owner::from_raw(info_of(ipa.align_down(kPage)).owner) != m_self)
    return Err{Stage2Error::NotOwner};
  const uint8_t read = mode == ExecMode::ReadExecute ? PageInfo::kReadable : 0;
  return update_page(ipa, [read](PageInfo i) {
    return with(i, PageInfo::kExecutable | read, PageInfo::kReadable & ~read);
  });
}

Result<void, Stage2Error> Stage2Tables::revoke_execute(Ipa ipa) {
  if (in_ram(ipa) && Owner::from_raw(info_of(ipa.align_down(kPage)).owner) != m_self)
    return Err{Stage2Error::NotOwner};
  // An untracked page is tracked again: someone other than its own code
  // wrote it (the lowvisor), so it must be made coherent before it runs.
  return update_page(ipa, [](PageInfo i) {
    return with(i, PageInfo::kReadable, PageInfo::kExecutable | PageInfo::kUntracked);
  });
}

Result<void, Stage2Error> Stage2Tables::make_untracked(Ipa ipa) {
  if (in_ram(ipa) && Owner::from_raw(info_of(ipa.align_down(kPage)).owner) != m_self)
    return Err{Stage2Error::NotOwner};
  return update_page(ipa, [](PageInfo i) {
    return with(i, PageInfo::kUntracked | PageInfo::kDirty | PageInfo::kReadable, 0);
  });
}

Result<void, Stage2Error> Stage2Tables::mark_dirty(Ipa ipa) {
  if (!in_ram(ipa)) return Err{Stage2Error::NotRam};
  const Ipa page = ipa.align_down(kPage);
  if (Owner::from_raw(info_of(page).owner) != m_self) return Err{Stage2Error::NotOwner};
  const auto dirty = [](PageInfo i) { return with(i, PageInfo::kDirty, 0); };
  auto r = update_page(page, dirty);
  if (r.is_ok() || r.error() != Stage2Error::PoolExhausted) return r;
  // No table to split the clean block: all of it is dirty now.
  const unsigned block = block_of(page);
  m_block_info[block] = dirty(m_block_info[block]);
  set_entry(l2_slot(block), block_desc(block, m_block_info[block]),
            m_ram_ipa + uint64_t(block) * kBlock, kBlock);
  return {};
}

Result<void, Stage2Error> Stage2Tables::clean(Ipa ipa, uint64_t size) {
  if (size == 0 || !ipa.aligned(kPage) || size % kPage != 0) return Err{Stage2Error::BadArgument};
  if (!in_ram(ipa) || m_ram_size - (ipa - m_ram_ipa) < size) return Err{Stage2Error::NotRam};
  const Ipa end = ipa + size;
  // Only the first and the last block can be covered in part; check that
  // their splits fit the pool before changing anything.
  const unsigned first = block_of(ipa), last = block_of(Ipa(end.value() - kPage));
  const auto needs_split = [&](unsigned b) {
    const Ipa base = m_ram_ipa + uint64_t(b) * kBlock;
    return m_l3_of_block[b] == kUnsplit && !(base >= ipa && base + kBlock <= end);
  };
  const unsigned splits = (needs_split(first) ? 1u : 0u) + (last != first && needs_split(last));
  if (m_arena.count - m_next_table < splits) {
    ++m_pool_exhausted;
    return Err{Stage2Error::PoolExhausted};
  }
  const auto clear = [](PageInfo i) {
    if (has(i, PageInfo::kUntracked)) return i;  // read/write/execute for good
    return with(i, 0, PageInfo::kDirty);
  };
  for (unsigned b = first; b <= last; ++b) {
    const Ipa base = m_ram_ipa + uint64_t(b) * kBlock;
    if (m_l3_of_block[b] == kUnsplit && base >= ipa && base + kBlock <= end) {
      m_block_info[b] = clear(m_block_info[b]);
      set_entry(l2_slot(b), block_desc(b, m_block_info[b]), base, kBlock);
      continue;
    }
    const Ipa from = base < ipa ? ipa : base;
    const Ipa to = base + kBlock > end ? end : base + kBlock;
    for (Ipa p = from; p < to; p = p + kPage)
      if (auto r = update_page(p, clear); r.is_error()) return r;  // cannot: checked above
  }
  return {};
}

Result<void, Stage2Error> Stage2Tables::set_owner(Ipa ipa, Owner owner) {
  const uint8_t raw = owner.raw();
  const bool mine = owner == m_self;
  return update_page(ipa, [raw, mine](PageInfo i) {
    if (i.owner == raw) return i;
    // A page that comes back to the VM holds whatever its last owner left:
    // not executable before it has been made coherent, and not saved.
    return mine ? PageInfo{raw, kFreshRam.flags} : PageInfo{raw, 0};
  });
}

uint64_t Stage2Tables::descriptor(Ipa ipa) const {
  if (!in_ram(ipa)) return 0;
  const unsigned block = block_of(ipa);
  const uint64_t l2 = *l2_slot(block);
  if (!s2desc::is_table(l2)) return l2;
  return table(m_l3_of_block[block])[((ipa - m_ram_ipa) % kBlock) / kPage];
}

}  // namespace nestlab
