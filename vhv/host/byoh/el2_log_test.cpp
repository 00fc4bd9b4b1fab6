#include "vhv/host/byoh/el2_log.h"

#include <gtest/gtest.h>

namespace nestlab::vhv {
namespace {

// What QEMU 7.2 wrote for tests/hyp/hyp.elf: one HVC from EL1, its return,
// and the PSCI SYSTEM_OFF that QEMU's firmware serves at "EL3".
constexpr std::string_view kHvc =
    "Taking exception 11 [Hypervisor Call] on CPU 0\n"
    "...from EL1 to EL2\n"
    "...with ESR 0x16/0x5a000012\n"
    "...with ELR 0x40200814\n"
    "...to EL2 PC 0x40201400 PSTATE 0x3c9\n"
    "Exception return from AArch64 EL2 to AArch64 EL1 PC 0x40200814\n";
constexpr std::string_view kPsci =
    "Taking exception 13 [Secure Monitor Call] on CPU 0\n"
    "...from EL2 to EL3\n"
    "...with ESR 0x17/0x5e000000\n"
    "...handled as PSCI call\n";

TEST(El2LogParser, CountsHvcsAndIgnoresPsci) {
  El2LogParser p;
  for (int i = 0; i < 3; ++i) p.feed(kHvc, 100 + i);
  p.feed(kPsci, 200);
  EXPECT_EQ(p.total(), 3u);
  EXPECT_EQ(p.by_class()[0x16], 3u);
  EXPECT_EQ(p.by_class()[0x17], 0u);
  EXPECT_EQ(p.psci_calls(), 1u);
  EXPECT_EQ(p.erets_to_lower(), 3u);
  ASSERT_EQ(p.recent().size(), 3u);
  const El2Exception& e = p.recent().back();
  EXPECT_EQ(e.seq, 3u);
  EXPECT_EQ(e.time_ns, 102u);
  EXPECT_EQ(e.from_el, 1u);
  EXPECT_EQ(e.ec, 0x16u);
  EXPECT_EQ(e.esr, 0x5a000012u);
  EXPECT_EQ(e.elr, 0x40200814u);
  EXPECT_EQ(e.vector_pc, 0x40201400u);
  EXPECT_EQ(El2LogParser::class_name(e.ec), "HVC64");
}

TEST(El2LogParser, RecordsSplitAnywhereParseTheSame) {
  std::string all;
  for (int i = 0; i < 5; ++i) all += kHvc;
  for (size_t step : {1u, 2u, 7u, 64u}) {
    El2LogParser p;
    for (size_t at = 0; at < all.size(); at += step)
      p.feed(std::string_view(all).substr(at, step), 0);
    EXPECT_EQ(p.by_class()[0x16], 5u) << "step " << step;
  }
}

TEST(El2LogParser, AsyncExceptionsByNameAndOnlyThoseToEl2) {
  El2LogParser p;
  p.feed(
      "Taking exception 5 [IRQ] on CPU 1\n"
      "...from EL1 to EL2\n"
      "...with ESR 0x16/0x5a000012\n"  // stale syndrome of an earlier HVC
      "...to EL2 PC 0x40201480 PSTATE 0x3c9\n"
      "Taking exception 4 [Data Abort] on CPU 0\n"
      "...from EL2 to EL2\n"
      "...with ESR 0x25/0x96000045\n"
      "...with FAR 0x8\n"
      "...with ELR 0x40200100\n"
      "...to EL2 PC 0x40201200 PSTATE 0x3c9\n"
      "Taking exception 1 [Undefined Instruction] on CPU 0\n"
      "...from EL0 to EL1\n"
      "...with ESR 0x0/0x2000000\n"
      "...to EL1 PC 0x40000200 PSTATE 0x3c5\n",
      7);
  EXPECT_EQ(p.total(), 2u);
  EXPECT_EQ(p.irqs(), 1u);
  EXPECT_EQ(p.by_class()[0x16], 0u);
  EXPECT_EQ(p.by_class()[0x25], 1u);
  EXPECT_EQ(p.by_class()[0x00], 0u);  // taken to EL1, not the hypervisor's
  EXPECT_EQ(p.from_el2(), 1u);
  EXPECT_EQ(p.recent().front().cpu, 1u);
  EXPECT_EQ(El2LogParser::class_name(p.recent().front().ec), "IRQ");
}

TEST(El2LogParser, OverlongAndGarbledLinesAreDroppedNotTrusted) {
  El2LogParser p;
  p.feed(std::string(10000, 'x') + "\n", 0);
  EXPECT_EQ(p.lines_dropped(), 1u);
  // A record cut short by another is not counted.
  p.feed("Taking exception 11 [Hypervisor Call] on CPU 0\n...from EL1 to EL2\n", 0);
  p.feed(kHvc, 0);
  p.feed("...to EL2 PC 0x1 PSTATE 0x0\n", 0);  // no open record: ignored
  p.feed("Taking exception zz\n...to EL2 PC 0x1\n", 0);
  EXPECT_EQ(p.total(), 1u);
  EXPECT_EQ(p.bytes(), 10001u + 66u + kHvc.size() + 28u + 37u);
}

TEST(El2LogParser, KeepsOnlyTheLatestRecords) {
  El2LogParser p;
  for (size_t i = 0; i < El2LogParser::kMaxRecent + 10; ++i) p.feed(kHvc, i);
  EXPECT_EQ(p.recent().size(), El2LogParser::kMaxRecent);
  EXPECT_EQ(p.recent().front().seq, 11u);
  EXPECT_EQ(p.total(), El2LogParser::kMaxRecent + 10);
}

}  // namespace
}  // namespace nestlab::vhv
