#include "vhv/common/prda_map.h"

#include <gtest/gtest.h>

#include <map>

#include "vhv/common/run_queue.h"

namespace nestlab {
namespace {

using prda_map::CpuTables;

constexpr uint64_t kGiB = 1ull << 30;
constexpr unsigned kNormal = 1;

// Two CPUs' tables at made-up physical addresses, as boot/mmu.cpp builds them.
struct Machine {
  alignas(4096) uint64_t shared[512] = {};
  alignas(4096) uint64_t l1[2][512] = {};
  alignas(4096) uint64_t l2[2][512] = {};
  alignas(4096) uint64_t l3[2][512] = {};
  std::map<uint64_t, const uint64_t*> at;  // physical address -> table

  Machine() {
    for (unsigned i = 1; i < 64; ++i) shared[i] = i * kGiB | prda_map::kDescBlock | prda_map::kAf;
    for (unsigned c = 0; c < 2; ++c) {
      const uint64_t l2_pa = 0x4100'0000 + c * 0x2000, l3_pa = l2_pa + 0x1000;
      at[l2_pa] = l2[c];
      at[l3_pa] = l3[c];
      EXPECT_TRUE(prda_map::build(shared, CpuTables{l1[c], l2[c], l2_pa, l3[c], l3_pa},
                                  prda_page(c), kNormal));
    }
  }
  static uint64_t prda_page(unsigned cpu) { return 0x4020'0000 + cpu * 0x1000; }
  bool walk(unsigned cpu, uint64_t va, uint64_t* pa) {
    return prda_map::translate(
        l1[cpu], va,
        [](uint64_t table_pa, void* self) -> const uint64_t* {
          auto& m = static_cast<Machine*>(self)->at;
          auto it = m.find(table_pa);
          return it == m.end() ? nullptr : it->second;
        },
        this, pa);
  }
};

TEST(PrdaMap, TheSameAddressNamesEachCpusOwnArea) {
  Machine m;
  // An address obtained on CPU 0 (a field at offset 0x18 of the PRDA) is
  // used after the context moved to CPU 1: it reaches CPU 1's page.
  const uint64_t field = prda_map::kWindowVa + 0x18;
  uint64_t pa0 = 0, pa1 = 0;
  ASSERT_TRUE(m.walk(0, field, &pa0));
  ASSERT_TRUE(m.walk(1, field, &pa1));
  EXPECT_EQ(pa0, Machine::prda_page(0) + 0x18);
  EXPECT_EQ(pa1, Machine::prda_page(1) + 0x18);
}

TEST(PrdaMap, KeepsTheIdentityMapAndMapsNothingElse) {
  Machine m;
  uint64_t pa = 0;
  ASSERT_TRUE(m.walk(1, 0x4400'1234, &pa));
  EXPECT_EQ(pa, 0x4400'1234u);
  EXPECT_FALSE(m.walk(1, 0x10, &pa));                                // level 1 entry 0 left empty
  EXPECT_FALSE(m.walk(0, prda_map::kWindowVa + 0x1000, &pa));        // only one page
  EXPECT_FALSE(m.walk(0, prda_map::kWindowVa + (2ull << 20), &pa));  // nor another 2 MiB
  EXPECT_FALSE(m.walk(0, 1ull << 39, &pa));                          // beyond 39 bits
  const uint64_t leaf = m.l3[0][0];
  EXPECT_TRUE(leaf & prda_map::kXn);
  EXPECT_TRUE(leaf & prda_map::kAf);
  EXPECT_EQ((leaf >> 2) & 7, kNormal);
}

TEST(PrdaMap, RefusesBadArguments) {
  Machine m;
  CpuTables t{m.l1[0], m.l2[0], 0x4100'0000, m.l3[0], 0x4100'1000};
  EXPECT_FALSE(prda_map::build(m.shared, t, 0x4020'0010, kNormal));  // unaligned page
  EXPECT_FALSE(prda_map::build(m.shared, t, 0x4020'0000, 8));        // no such MAIR index
  m.shared[prda_map::kWindowL1Index] = 256 * kGiB | prda_map::kDescBlock;
  EXPECT_FALSE(prda_map::build(m.shared, t, 0x4020'0000, kNormal));  // would hide a mapping
}

struct Item {
  int id;
  Item* next = nullptr;
};

TEST(RunQueues, FifoPerCpuAndNoItemTwice) {
  RunQueues<Item, 2> q;
  Item a{1}, b{2}, c{3};
  EXPECT_TRUE(q.push(1, &a));
  EXPECT_TRUE(q.push(1, &b));
  EXPECT_FALSE(q.push(0, &b));  // already waiting on CPU 1
  EXPECT_FALSE(q.push(2, &c));  // no CPU 2
  EXPECT_TRUE(q.empty(0));
  EXPECT_EQ(q.pop(0), nullptr);
  EXPECT_EQ(q.pop(1), &a);
  EXPECT_EQ(q.pop(1), &b);
  EXPECT_TRUE(q.empty(1));
  EXPECT_TRUE(q.push(0, &a));  // taken off, it may move again
  EXPECT_EQ(q.pop(0), &a);
}

TEST(PreemptPoint, MovesOnlyOutsideNonPreemptibleSections) {
  EXPECT_EQ(decide_at_preempt_point(kNoCpu, 0, 0), PreemptDecision::Continue);
  EXPECT_EQ(decide_at_preempt_point(0, 0, 0), PreemptDecision::Continue);  // already there
  EXPECT_EQ(decide_at_preempt_point(1, 0, 0), PreemptDecision::Migrate);
  EXPECT_EQ(decide_at_preempt_point(1, 0, 2), PreemptDecision::Defer);
}

}  // namespace
}  // namespace nestlab
