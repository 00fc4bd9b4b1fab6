#include "vhv/common/vgic_model.h"

#include <gtest/gtest.h>

namespace nestlab::vgic {
namespace {

TEST(VgicModel, DistributorIdentifiesAsGicV3WithAffinityRouting) {
  GicModel m;
  m.reset(2);
  EXPECT_EQ(m.dist_read(0xffe8, 4), 0x3bu);                    // GICD_PIDR2: ArchRev 3
  EXPECT_EQ(m.dist_read(0x0004, 4) & 0x1f, kIntids / 32 - 1);  // ITLinesNumber
  EXPECT_NE(m.dist_read(0x0000, 4) & GicModel::kCtlrAre, 0u);
  m.dist_write(0x0000, 4, GicModel::kCtlrEnableGrp1);
  EXPECT_TRUE(m.group1_enabled());
}

TEST(VgicModel, RedistributorsAreFoundByTyperWithLastBit) {
  GicModel m;
  m.reset(3);
  EXPECT_EQ(m.redist_read(0x0008, 8) >> 32, 0u);
  EXPECT_EQ(m.redist_read(kGicrStride + 0x0008, 8) >> 32, 1u);
  EXPECT_EQ(m.redist_read(2 * kGicrStride + 0x0008, 8) & (1u << 4), 1u << 4);
  EXPECT_EQ(m.redist_read(kGicrStride + 0x0008, 8) & (1u << 4), 0u);
  EXPECT_EQ(m.redist_read(3 * kGicrStride + 0x0008, 8), 0u);  // beyond the last one
}

TEST(VgicModel, PendingAndEnableBitsReadBack) {
  GicModel m;
  m.reset(2);
  const uint64_t sgi = kGicrStride + 0x10000;  // vCPU 1's SGI_base
  m.redist_write(sgi + 0x100, 4, 1u << 27);    // ISENABLER0: PPI 27
  m.redist_write(sgi + 0x200, 4, 1u << 27);    // ISPENDR0
  EXPECT_EQ(m.redist_read(sgi + 0x100, 4), 1u << 27);
  EXPECT_EQ(m.redist_read(sgi + 0x200, 4), 1u << 27);
  EXPECT_EQ(m.redist_read(0x10000 + 0x200, 4), 0u);  // vCPU 0 unaffected
  m.redist_write(sgi + 0x280, 4, 1u << 27);          // ICPENDR0
  EXPECT_EQ(m.redist_read(sgi + 0x200, 4), 0u);
  // SPI 40 through the distributor, with priority and route.
  m.dist_write(0x100 + 4, 4, 1u << 8);
  m.dist_write(0x400 + 40, 1, 0xa0);
  m.dist_write(0x6000 + 8 * 40, 8, 1);
  EXPECT_EQ(m.dist_read(0x100 + 4, 4), 1u << 8);
  EXPECT_EQ(m.dist_read(0x400 + 40, 1), 0xa0u);
  EXPECT_EQ(m.dist_read(0x6000 + 8 * 40, 8), 1u);
  EXPECT_EQ(m.dist_read(0x100, 4), 0u);  // private INTIDs are RAZ in GICD
}

TEST(VgicModel, DeliverableNeedsEnableGroupAndRoute) {
  GicModel m;
  m.reset(2);
  m.raise(0, 40);
  EXPECT_FALSE(m.deliverable(0, 40));
  m.dist_write(0x0000, 4, GicModel::kCtlrEnableGrp1);
  m.dist_write(0x100 + 4, 4, 1u << 8);
  EXPECT_TRUE(m.deliverable(0, 40));
  m.dist_write(0x6000 + 8 * 40, 8, 1);
  EXPECT_FALSE(m.deliverable(0, 40));
  EXPECT_TRUE(m.deliverable(1, 40));
  EXPECT_TRUE(m.any_deliverable(1));
}

TEST(VgicModel, SgiTargetsListOrAllButSelf) {
  GicModel m;
  m.reset(4);
  EXPECT_EQ(m.send_sgi(0, (3ull << 24) | 0b0110), 0b0110u);
  EXPECT_TRUE(m.irq(1, 3).pending);
  EXPECT_TRUE(m.irq(2, 3).pending);
  EXPECT_FALSE(m.irq(3, 3).pending);
  EXPECT_EQ(m.send_sgi(2, (5ull << 24) | (1ull << 40)), 0b1011u);
  EXPECT_EQ(m.send_sgi(0, (1ull << 24) | (1ull << 16) | 1), 0u);  // Aff1 = 1: nobody
}

TEST(VgicModel, PrioritiesKeepFiveBits) {
  GicModel m;
  m.reset(1);
  m.redist_write(0x10000 + 0x400 + 4, 4, 0xff'a0'47'13);
  EXPECT_EQ(m.redist_read(0x10000 + 0x400 + 4, 4), 0xf8'a0'40'10u);
}

}  // namespace
}  // namespace nestlab::vgic
