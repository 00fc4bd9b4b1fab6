#include "vhv/common/vcpu_state.h"

#include <gtest/gtest.h>

#include <cstring>

namespace nestlab {
namespace {

VcpuState valid() {
  VcpuState s;
  s.pstate = 0x3c5;  // EL1h, DAIF masked: how a vCPU boots
  s.list_registers = 4;
  s.debug.breakpoints = 6;
  s.debug.watchpoints = 4;
  return s;
}

TEST(VcpuState, AFreshStateIsValid) {
  EXPECT_EQ(check_vcpu_state(valid()), VcpuStateError::Ok);
  VcpuState el0 = valid();
  el0.pstate = 0;  // EL0t
  EXPECT_EQ(check_vcpu_state(el0), VcpuStateError::Ok);
}

TEST(VcpuState, EachDamageIsNamed) {
  VcpuState s = valid();
  s.magic ^= 1;
  EXPECT_EQ(check_vcpu_state(s), VcpuStateError::BadMagic);
  s = valid();
  s.version = VcpuState::kVersion + 1;
  EXPECT_EQ(check_vcpu_state(s), VcpuStateError::BadVersion);
  s = valid();
  s.size -= 16;
  EXPECT_EQ(check_vcpu_state(s), VcpuStateError::BadSize);
  s = valid();
  s.list_registers = 17;
  EXPECT_EQ(check_vcpu_state(s), VcpuStateError::BadListRegisters);
  s = valid();
  s.debug.watchpoints = 17;
  EXPECT_EQ(check_vcpu_state(s), VcpuStateError::BadDebugCount);
  s = valid();
  s.pstate = 0x3c9;  // EL2h: never a guest's
  EXPECT_EQ(check_vcpu_state(s), VcpuStateError::BadPstate);
  s.pstate = 0x10;  // AArch32
  EXPECT_EQ(check_vcpu_state(s), VcpuStateError::BadPstate);
  EXPECT_STREQ(vcpu_state_error_name(VcpuStateError::BadPstate),
               "PSTATE is not AArch64 EL0t, EL1t or EL1h");
}

// The struct is a wire format: a copy through bytes is the same state.
TEST(VcpuState, PlainBytes) {
  VcpuState s = valid();
  s.x[30] = 0x1234;
  s.fp.v[63] = 0xfeed;
  s.gic.lr[15] = 0xa000'0000'0000'001bull;
  unsigned char bytes[sizeof(VcpuState)];
  std::memcpy(bytes, &s, sizeof(s));
  VcpuState t;
  std::memcpy(&t, bytes, sizeof(t));
  EXPECT_EQ(check_vcpu_state(t), VcpuStateError::Ok);
  EXPECT_EQ(t.x[30], 0x1234u);
  EXPECT_EQ(t.fp.v[63], 0xfeedu);
  EXPECT_EQ(t.gic.lr[15], 0xa000'0000'0000'001bull);
}

}  // namespace
}  // namespace nestlab
