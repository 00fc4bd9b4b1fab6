#include "vhv/common/esr.h"

#include <gtest/gtest.h>

#include <string>

namespace nestlab {
namespace {

TEST(Esr, ClassValuesAreTheArchitecturalOnes) {
  EXPECT_EQ(uint8_t(ExceptionClass::WFx), 0x01);
  EXPECT_EQ(uint8_t(ExceptionClass::HVC64), 0x16);
  EXPECT_EQ(uint8_t(ExceptionClass::SMC64), 0x17);
  EXPECT_EQ(uint8_t(ExceptionClass::SYS64), 0x18);
  EXPECT_EQ(uint8_t(ExceptionClass::IABT_LOW), 0x20);
  EXPECT_EQ(uint8_t(ExceptionClass::DABT_LOW), 0x24);
  EXPECT_EQ(uint8_t(ExceptionClass::BRK64), 0x3C);
}

TEST(Esr, Names) {
  EXPECT_EQ(std::string(exception_class_name(ExceptionClass::HVC64)), "HVC64");
  EXPECT_EQ(std::string(exception_class_name(ExceptionClass::DABT_LOW)), "DABT_LOW");
  EXPECT_EQ(std::string(exception_class_name(static_cast<ExceptionClass>(0x2a))), "UNALLOCATED");
}

TEST(Esr, DecodesARealDataAbortSyndrome) {
  // Observed in QEMU: STR w1, [x0] from EL1 to an unmapped IPA, ESR_EL2 0x93810045.
  const uint64_t esr = 0x9381'0045;
  EXPECT_EQ(esr_class(esr), ExceptionClass::DABT_LOW);
  EXPECT_TRUE(esr_il(esr));
  DataAbortIss iss(esr_iss(esr));
  EXPECT_TRUE(iss.isv);
  EXPECT_EQ(iss.access_bytes(), 4u);
  EXPECT_EQ(iss.srt, 1);
  EXPECT_TRUE(iss.wnr);
  EXPECT_EQ(iss.dfsc, 0x05);
}

TEST(Esr, HvcAndSysReg) {
  EXPECT_EQ(HvcIss(esr_iss(0x5a00'0042)).imm16, 0x42);
  // MRS x5, CNTPCT_EL0: op0 3, op1 3, CRn 14, CRm 0, op2 1.
  uint32_t iss = (1u << 17) | (3u << 20) | (3u << 14) | (14u << 10) | (0u << 1) | (5u << 5) | 1u;
  SysRegIss s(iss);
  EXPECT_EQ(s.op0, 3);
  EXPECT_EQ(s.op1, 3);
  EXPECT_EQ(s.crn, 14);
  EXPECT_EQ(s.crm, 0);
  EXPECT_EQ(s.op2, 1);
  EXPECT_EQ(s.rt, 5);
  EXPECT_EQ(s.direction, SysRegDirection::Read);
}

}  // namespace
}  // namespace nestlab
