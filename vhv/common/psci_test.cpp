#include "vhv/common/psci.h"

#include <gtest/gtest.h>

namespace nestlab::psci {
namespace {

const Platform kOneCpu{1, 0};

TEST(Psci, VersionIsOnePointZero) {
  Outcome o = handle_call(0x8400'0000, 0, 0, 0, kOneCpu);
  EXPECT_EQ(o.action, Action::Return);
  EXPECT_EQ(o.x0, 0x10000u);
}

TEST(Psci, FeaturesReportsWhatIsImplemented) {
  EXPECT_EQ(handle_call(0x8400'000A, 0x8400'0008, 0, 0, kOneCpu).x0, 0u);
  EXPECT_EQ(handle_call(0x8400'000A, 0xC400'0003, 0, 0, kOneCpu).x0, 0u);
  EXPECT_EQ(handle_call(0x8400'000A, 0xC400'0001, 0, 0, kOneCpu).x0,
            status_value(Status::NotSupported));
  EXPECT_EQ(handle_call(0x8400'000A, 0x1234, 0, 0, kOneCpu).x0, ~0ull);
}

TEST(Psci, SystemOffCarriesTheExitCode) {
  Outcome o = handle_call(0x8400'0008, 0x1'2a, 0, 0, kOneCpu);
  EXPECT_EQ(o.action, Action::SystemOff);
  EXPECT_EQ(o.exit_code, 0x2a);
  EXPECT_EQ(handle_call(0x8400'0009, 0, 0, 0, kOneCpu).action, Action::SystemReset);
}

TEST(Psci, SingleCpuTopology) {
  EXPECT_EQ(handle_call(0xC400'0003, 0, 0x4008'0000, 0, kOneCpu).x0,
            status_value(Status::AlreadyOn));
  EXPECT_EQ(handle_call(0xC400'0003, 1, 0x4008'0000, 0, kOneCpu).x0,
            status_value(Status::InvalidParameters));
  EXPECT_EQ(handle_call(0xC400'0004, 0, 0, 0, kOneCpu).x0, 0u);  // ON
  EXPECT_EQ(handle_call(0xC400'0004, 0x100, 0, 0, kOneCpu).x0,
            status_value(Status::InvalidParameters));
  EXPECT_EQ(handle_call(0x8400'0002, 0, 0, 0, kOneCpu).action, Action::CpuOff);
}

TEST(Psci, UnknownFunctionsAreNotSupported) {
  EXPECT_EQ(handle_call(0x8000'0000, 0, 0, 0, kOneCpu).x0, ~0ull);  // SMCCC_VERSION
  EXPECT_EQ(handle_call(0xC400'0001, 0, 0, 0, kOneCpu).x0, ~0ull);  // CPU_SUSPEND
  // Only W0 names the function: garbage in the top half is ignored.
  EXPECT_EQ(handle_call(0xdead'beef'8400'0000ull, 0, 0, 0, kOneCpu).x0, 0x10000u);
}

}  // namespace
}  // namespace nestlab::psci

namespace nestlab::psci {
namespace {

TEST(PsciSmp, CpuOnStartsAnOffVcpuAndReportsOthersStates) {
  const AffinityState states[4] = {AffinityState::On, AffinityState::Off, AffinityState::OnPending,
                                   AffinityState::On};
  const Platform p{4, 0, states};
  Outcome o = handle_call(0xC400'0003, 1, 0x4008'0000, 7, p);
  EXPECT_EQ(o.action, Action::CpuOn);
  EXPECT_EQ(o.target, 1u);
  EXPECT_EQ(o.x0, 0u);
  EXPECT_EQ(handle_call(0xC400'0003, 2, 0x4008'0000, 0, p).x0, status_value(Status::OnPending));
  EXPECT_EQ(handle_call(0xC400'0003, 3, 0x4008'0000, 0, p).x0, status_value(Status::AlreadyOn));
  EXPECT_EQ(handle_call(0xC400'0003, 4, 0x4008'0000, 0, p).x0,
            status_value(Status::InvalidParameters));
  EXPECT_EQ(handle_call(0xC400'0004, 1, 0, 0, p).x0, uint64_t(AffinityState::Off));
  EXPECT_EQ(handle_call(0xC400'0004, 2, 0, 0, p).x0, uint64_t(AffinityState::OnPending));
  EXPECT_EQ(handle_call(0xC400'0004, 3, 0, 0, p).x0, uint64_t(AffinityState::On));
}

}  // namespace
}  // namespace nestlab::psci
