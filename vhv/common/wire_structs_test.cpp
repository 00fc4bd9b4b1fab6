// Pins the wire layout of the structs shared with the highvisor, so that a
// change to either side breaks a test rather than a running VHV.
#include <gtest/gtest.h>

#include <cstddef>

#include "vhv/common/boot_params.h"
#include "vhv/common/channel.h"
#include "vhv/common/layout.h"
#include "vhv/common/status_page.h"
#include "vhv/common/trace_ring.h"

namespace nestlab {
namespace {

TEST(WireStructs, Layouts) {
  EXPECT_EQ(sizeof(channel::VmExitPayload), 24u);
  EXPECT_EQ(sizeof(channel::ReadyPayload), 8u);
  EXPECT_EQ(sizeof(channel::VirtioNotifyPayload), 40u);
  EXPECT_EQ(offsetof(channel::VirtioNotifyPayload, desc), 16u);
  EXPECT_EQ(sizeof(channel::VirtioInterruptPayload), 8u);
  EXPECT_EQ(offsetof(BootParams, bootargs), 160u);
  EXPECT_EQ(offsetof(BootParams, pl011_ipa), 1184u);
  EXPECT_EQ(offsetof(BootParams, initrd_pa), 1192u);
  EXPECT_EQ(offsetof(BootParams, weight), 1208u);  // BootParams v4 (issue 13)
  EXPECT_EQ(sizeof(BootParams), 1384u);
  EXPECT_EQ(offsetof(StatusPage, total_exits), 16u + 64 * 8);
  EXPECT_EQ(offsetof(StatusPage, vcpu_count), 16u + 64 * 8 + 24);
  EXPECT_EQ(sizeof(StatusPage), 16u + 64 * 8 + 24 + 8 + 8 * 32 + 8);
  // The trap statistics the highvisor reads (vhv/host/trap_observer.cpp).
  EXPECT_EQ(offsetof(trace::TrapStats, task_migrations), 160u);
  EXPECT_EQ(offsetof(trace::TrapStats, wfe_yields), 176u);
  EXPECT_EQ(offsetof(trace::TrapStats, s2_pool_exhausted), 168u);
  EXPECT_EQ(sizeof(trace::TrapStats), 256u);
  // Issue 13: slot 0 is where a single VM's blocks always were.
  EXPECT_EQ(layout::boot_params_pa(0), layout::kBootParamsPa);
  EXPECT_EQ(layout::status_pa(0), layout::kStatusPa);
  EXPECT_EQ(layout::trace_pa(0, 1), layout::kTracePa + layout::kTraceStride);
  EXPECT_EQ(layout::status_pa(3), layout::kStatusPa + 3 * layout::kVmSlotSize);
  EXPECT_EQ(layout::kBootParamsPa, 0x4300'0000u);
  EXPECT_EQ(layout::kStatusPa, 0x4300'1000u);
  EXPECT_EQ(layout::kGuestRamPa, 0x4400'0000u);
  EXPECT_EQ(layout::trace_pa(2, 1),
            layout::kTracePa + 2 * layout::kVmSlotSize + layout::kTraceStride);
}

TEST(WireStructs, ChecksumCoversEverythingBeforeIt) {
  BootParams bp{};
  bp.magic = BootParams::kMagic;
  uint32_t a = boot_params_checksum(bp);
  bp.bootargs[1023] = 'x';
  EXPECT_NE(boot_params_checksum(bp), a);
  bp.bootargs[1023] = 0;
  bp.reserved1 = 7;  // after the checksum: not covered
  EXPECT_EQ(boot_params_checksum(bp), a);
}

}  // namespace
}  // namespace nestlab
