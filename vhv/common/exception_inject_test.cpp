#include "vhv/common/exception_inject.h"

#include <gtest/gtest.h>

namespace nestlab {
namespace {

TEST(ExceptionInject, VectorOffsetsFollowTheTakingState) {
  EXPECT_EQ(sync_vector_offset(0x3c5), VectorOffset::CurrentSpx);    // EL1h
  EXPECT_EQ(sync_vector_offset(0x3c4), VectorOffset::CurrentSp0);    // EL1t
  EXPECT_EQ(sync_vector_offset(0x000), VectorOffset::LowerAArch64);  // EL0t
  EXPECT_EQ(sync_vector_offset(0x010), VectorOffset::LowerAArch32);  // AArch32 user
  EXPECT_EQ(uint64_t(VectorOffset::CurrentSpx), 0x200u);
  EXPECT_EQ(uint64_t(VectorOffset::LowerAArch64), 0x400u);
}

TEST(ExceptionInject, DataAbortSyndromes) {
  uint64_t from_el1 = external_data_abort_esr(0x3c5, false);
  EXPECT_EQ(esr_class(from_el1), ExceptionClass::DABT_CUR);
  EXPECT_EQ(from_el1, 0x9600'0010u);
  uint64_t from_el0_write = external_data_abort_esr(0x0, true);
  EXPECT_EQ(esr_class(from_el0_write), ExceptionClass::DABT_LOW);
  EXPECT_TRUE(DataAbortIss(esr_iss(from_el0_write)).wnr);
  EXPECT_EQ(DataAbortIss(esr_iss(from_el0_write)).dfsc, kDfscSyncExternal);
}

TEST(ExceptionInject, UndefinedAndEntryState) {
  EXPECT_EQ(undefined_esr(), 0x0200'0000u);
  EXPECT_EQ(pstate_on_exception_entry(0x0), 0x3c5u);
}

}  // namespace
}  // namespace nestlab
