#include "vhv/common/guest_fdt.h"

#include <gtest/gtest.h>

#include <libfdt.h>
#include <cstring>

#include <string>
#include <vector>

namespace nestlab {
namespace {

class GuestFdt : public ::testing::Test {
 protected:
  void build(const char* bootargs, uint32_t cpus = 1) {
    m_buf.assign(64 * 1024, 0);
    auto r = build_guest_fdt(m_buf.data(), m_buf.size(),
                             GuestFdtConfig{0x4000'0000, 128ull << 20, cpus, bootargs});
    ASSERT_TRUE(r.is_ok());
    ASSERT_EQ(fdt_check_header(m_buf.data()), 0);
    ASSERT_EQ(fdt_totalsize(m_buf.data()), r.value());
  }
  int node(const char* path) { return fdt_path_offset(m_buf.data(), path); }
  std::string str(const char* path, const char* prop) {
    int len = 0;
    const void* p = fdt_getprop(m_buf.data(), node(path), prop, &len);
    return p ? std::string(static_cast<const char*>(p), len - 1) : "<missing>";
  }
  std::vector<uint32_t> cells(const char* path, const char* prop) {
    int len = 0;
    const auto* p = static_cast<const fdt32_t*>(fdt_getprop(m_buf.data(), node(path), prop, &len));
    std::vector<uint32_t> v;
    for (int i = 0; p && i < len / 4; ++i) v.push_back(fdt32_to_cpu(p[i]));
    return v;
  }
  std::vector<uint8_t> m_buf;
};

TEST_F(GuestFdt, RootAndChosen) {
  build("exit=3 console=ttyAMA0");
  EXPECT_TRUE(fdt_node_check_compatible(m_buf.data(), 0, "linux,dummy-virt") == 0);
  EXPECT_EQ(cells("/", "#address-cells"), std::vector<uint32_t>{2});
  EXPECT_EQ(cells("/", "#size-cells"), std::vector<uint32_t>{2});
  EXPECT_EQ(str("/chosen", "bootargs"), "exit=3 console=ttyAMA0");
  EXPECT_EQ(str("/chosen", "stdout-path"), "/pl011@9000000");
  // interrupt-parent resolves to the GIC.
  uint32_t parent = cells("/", "interrupt-parent").at(0);
  EXPECT_EQ(fdt_node_offset_by_phandle(m_buf.data(), parent), node("/intc@8000000"));
}

TEST_F(GuestFdt, NoInitrdNoInitrdProperties) {
  build("");
  EXPECT_TRUE(cells("/chosen", "linux,initrd-start").empty());
  EXPECT_TRUE(cells("/chosen", "linux,initrd-end").empty());
}

TEST(GuestFdtInitrd, ChosenNamesTheInitrdInTwoCells) {
  std::vector<uint8_t> buf(64 * 1024);
  GuestFdtConfig config{0x4000'0000, 512ull << 20, 2, "console=ttyAMA0"};
  config.initrd_start = 0x4800'0000;
  config.initrd_end = 0x481c'3200;
  auto r = build_guest_fdt(buf.data(), buf.size(), config);
  ASSERT_TRUE(r.is_ok());
  int chosen = fdt_path_offset(buf.data(), "/chosen");
  int len = 0;
  // Properties are only 4-byte aligned: read them with fdt64_ld.
  const auto* start =
      static_cast<const fdt64_t*>(fdt_getprop(buf.data(), chosen, "linux,initrd-start", &len));
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(len, 8);
  EXPECT_EQ(fdt64_ld(start), 0x4800'0000u);
  const auto* end =
      static_cast<const fdt64_t*>(fdt_getprop(buf.data(), chosen, "linux,initrd-end", &len));
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(fdt64_ld(end), 0x481c'3200u);
}

TEST_F(GuestFdt, EmptyBootargsAreAnEmptyString) {
  build("");
  EXPECT_EQ(str("/chosen", "bootargs"), "");
}

TEST_F(GuestFdt, MemoryCpusPsci) {
  build("", 2);
  EXPECT_EQ(cells("/memory@40000000", "reg"),
            (std::vector<uint32_t>{0, 0x4000'0000, 0, 0x0800'0000}));
  EXPECT_EQ(str("/memory@40000000", "device_type"), "memory");
  EXPECT_GE(node("/cpus/cpu@0"), 0);
  EXPECT_GE(node("/cpus/cpu@1"), 0);
  EXPECT_EQ(str("/cpus/cpu@1", "compatible"), "arm,cortex-a72");
  EXPECT_EQ(str("/cpus/cpu@1", "enable-method"), "psci");
  EXPECT_EQ(cells("/cpus/cpu@1", "reg"), std::vector<uint32_t>{1});
  EXPECT_EQ(str("/psci", "method"), "hvc");
  EXPECT_EQ(fdt_node_check_compatible(m_buf.data(), node("/psci"), "arm,psci-0.2"), 0);
  EXPECT_EQ(fdt_node_check_compatible(m_buf.data(), node("/psci"), "arm,psci-1.0"), 0);
}

TEST_F(GuestFdt, TimerGicUartMatchQemuVirt) {
  build("");
  EXPECT_EQ(fdt_node_check_compatible(m_buf.data(), node("/timer"), "arm,armv8-timer"), 0);
  EXPECT_EQ(cells("/timer", "interrupts"),
            (std::vector<uint32_t>{1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4}));
  EXPECT_EQ(fdt_node_check_compatible(m_buf.data(), node("/intc@8000000"), "arm,gic-v3"), 0);
  EXPECT_EQ(cells("/intc@8000000", "reg"),
            (std::vector<uint32_t>{0, 0x0800'0000, 0, 0x10000, 0, 0x080a'0000, 0, 0xf6'0000}));
  EXPECT_EQ(cells("/intc@8000000", "#interrupt-cells"), std::vector<uint32_t>{3});
  int len = 0;
  EXPECT_NE(fdt_getprop(m_buf.data(), node("/intc@8000000"), "interrupt-controller", &len),
            nullptr);
  EXPECT_EQ(fdt_node_check_compatible(m_buf.data(), node("/pl011@9000000"), "arm,pl011"), 0);
  EXPECT_EQ(fdt_node_check_compatible(m_buf.data(), node("/pl011@9000000"), "arm,primecell"), 0);
  EXPECT_EQ(cells("/pl011@9000000", "reg"), (std::vector<uint32_t>{0, 0x0900'0000, 0, 0x1000}));
  EXPECT_EQ(cells("/pl011@9000000", "interrupts"), (std::vector<uint32_t>{0, 1, 4}));
  EXPECT_EQ(fdt_stringlist_get(m_buf.data(), node("/pl011@9000000"), "clock-names", 1, &len),
            std::string("apb_pclk"));
  uint32_t clk = cells("/pl011@9000000", "clocks").at(0);
  int clock = fdt_node_offset_by_phandle(m_buf.data(), clk);
  ASSERT_GE(clock, 0);
  EXPECT_EQ(fdt32_to_cpu(*static_cast<const fdt32_t*>(
                fdt_getprop(m_buf.data(), clock, "clock-frequency", &len))),
            24'000'000u);
}

// kvm-unit-tests arm/pl031.c finds the RTC by "arm,pl031" and asserts an
// SPI in three cells; Linux's rtc-pl031 (an AMBA driver) needs apb_pclk.
TEST_F(GuestFdt, RtcMatchesQemuVirt) {
  build("");
  const char* rtc = "/pl031@9010000";
  EXPECT_EQ(fdt_node_check_compatible(m_buf.data(), node(rtc), "arm,pl031"), 0);
  EXPECT_EQ(fdt_node_check_compatible(m_buf.data(), node(rtc), "arm,primecell"), 0);
  EXPECT_EQ(cells(rtc, "reg"), (std::vector<uint32_t>{0, 0x0901'0000, 0, 0x1000}));
  EXPECT_EQ(cells(rtc, "interrupts"), (std::vector<uint32_t>{0, 2, 4}));
  EXPECT_EQ(str(rtc, "clock-names"), "apb_pclk");
  EXPECT_EQ(cells(rtc, "clocks"), std::vector<uint32_t>{cells("/pl011@9000000", "clocks").at(0)});
}

TEST_F(GuestFdt, TooSmallBufferIsAnError) {
  uint8_t small[256];
  EXPECT_TRUE(build_guest_fdt(small, sizeof(small), GuestFdtConfig{0x4000'0000, 1 << 27, 1, ""})
                  .is_error());
}

}  // namespace
}  // namespace nestlab

namespace nestlab {
namespace {

// The lab grader moves the PL011 to another free page; the node's name, its
// reg and stdout-path all follow, and nothing is left at QEMU virt's place.
TEST(GuestFdtPl011, MovedUartIsDescribedWhereItIs) {
  std::vector<uint8_t> buf(64 * 1024);
  GuestFdtConfig config{0x4000'0000, 128ull << 20, 1, ""};
  config.pl011_ipa = 0x0a3c'5000;
  ASSERT_TRUE(build_guest_fdt(buf.data(), buf.size(), config).is_ok());
  const void* fdt = buf.data();
  int len = 0;
  EXPECT_LT(fdt_path_offset(fdt, "/pl011@9000000"), 0);
  const int uart = fdt_path_offset(fdt, "/pl011@a3c5000");
  ASSERT_GE(uart, 0);
  EXPECT_EQ(fdt_node_check_compatible(fdt, uart, "arm,pl011"), 0);
  const auto* reg = static_cast<const fdt32_t*>(fdt_getprop(fdt, uart, "reg", &len));
  ASSERT_EQ(len, 16);
  EXPECT_EQ(fdt32_to_cpu(reg[1]), 0x0a3c'5000u);
  EXPECT_EQ(std::string(static_cast<const char*>(
                fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", &len))),
            "/pl011@a3c5000");
  EXPECT_TRUE(valid_pl011_ipa(0x0900'0000));
  EXPECT_TRUE(valid_pl011_ipa(0x0a3c'5000));
  EXPECT_FALSE(valid_pl011_ipa(0x0800'0000));  // the GIC distributor
  EXPECT_FALSE(valid_pl011_ipa(0x0901'0000));  // the PL031
  EXPECT_FALSE(valid_pl011_ipa(0x0a3c'5800));  // not a page
  EXPECT_FALSE(valid_pl011_ipa(0x4000'0000));  // guest RAM
}

TEST(GuestFdtMailbox, SecondariesUseSpinTableIntoTheirMailboxes) {
  std::vector<uint8_t> buf(64 * 1024);
  const uint64_t region = 0x4000'0000 + (128ull << 20) - (64 << 10);
  GuestFdtConfig config{0x4000'0000, 128ull << 20, 3, ""};
  config.mailbox_region = region;
  ASSERT_TRUE(build_guest_fdt(buf.data(), buf.size(), config).is_ok());
  const void* fdt = buf.data();
  int len = 0;
  auto method = [&](const char* path) {
    const char* p = static_cast<const char*>(
        fdt_getprop(fdt, fdt_path_offset(fdt, path), "enable-method", &len));
    return p ? std::string(p) : std::string("<missing>");
  };
  EXPECT_EQ(method("/cpus/cpu@0"), "psci");
  EXPECT_EQ(method("/cpus/cpu@2"), "spin-table");
  const auto* addr = static_cast<const fdt64_t*>(
      fdt_getprop(fdt, fdt_path_offset(fdt, "/cpus/cpu@2"), "cpu-release-addr", &len));
  ASSERT_NE(addr, nullptr);
  fdt64_t raw;  // properties are only 4-byte aligned
  std::memcpy(&raw, addr, sizeof raw);
  EXPECT_EQ(fdt64_to_cpu(raw), region + 3 * 4096 + 8);
  EXPECT_GE(fdt_path_offset(fdt, "/reserved-memory"), 0);
}

}  // namespace
}  // namespace nestlab

namespace nestlab {
namespace {

// S3 and S9, read back with libfdt.
class BootTables : public ::testing::Test {
 protected:
  void build(const GuestFdtConfig& c) {
    m_buf.assign(64 * 1024, 0);
    auto r = build_guest_fdt(m_buf.data(), m_buf.size(), c);
    ASSERT_TRUE(r.is_ok());
    ASSERT_EQ(fdt_check_header(m_buf.data()), 0);
  }
  int node(const char* path) { return fdt_path_offset(m_buf.data(), path); }
  std::vector<std::string> strings(const char* path, const char* prop) {
    int len = 0;
    const char* p = static_cast<const char*>(fdt_getprop(m_buf.data(), node(path), prop, &len));
    std::vector<std::string> v;
    for (int i = 0; p && i < len; i += static_cast<int>(std::strlen(p + i)) + 1)
      v.emplace_back(p + i);
    return v;
  }
  std::vector<uint8_t> m_buf;
};

TEST_F(BootTables, StandardNodesAndASecondTableForNestlabsOwnDevices) {
  build(GuestFdtConfig{0x4000'0000, 128ull << 20, 1, ""});
  // Components with a standard binding: standard nodes, no nestlab ID.
  EXPECT_GE(node("/pl011@9000000"), 0);
  EXPECT_GE(node("/intc@8000000"), 0);
  EXPECT_EQ(strings("/pl011@9000000", "nestlab,device-id").size(), 0u);
  // The others: one entry each in /nestlab-devices with a nestlab ID and
  // the compatible of a standard component.
  EXPECT_EQ(strings("/nestlab-devices", "compatible"),
            std::vector<std::string>{"nestlab,device-table"});
  EXPECT_EQ(strings("/nestlab-devices/wfe-watchdog", "nestlab,device-id"),
            std::vector<std::string>{"NLAB0003"});
  EXPECT_EQ(strings("/nestlab-devices/wfe-watchdog", "compatible-id"),
            std::vector<std::string>{"arm,sbsa-gwdt"});
  EXPECT_EQ(strings("/nestlab-devices/backdoor", "nestlab,interface"),
            std::vector<std::string>{"brk #0x5658"});
  int children = 0, child = 0;
  fdt_for_each_subnode(child, m_buf.data(), node("/nestlab-devices"))++ children;
  EXPECT_EQ(children, 4);
  // No map given: no map node.
  EXPECT_LT(node("/nestlab-device-map"), 0);
}

TEST_F(BootTables, TheTreeFollowsTheInventory) {
  const GuestDevice only[] = {GuestDevice::Gicv3, GuestDevice::Pl011, GuestDevice::GuestInfo};
  GuestFdtConfig c{0x4000'0000, 128ull << 20, 1, ""};
  c.devices = only;
  c.device_count = 3;
  build(c);
  EXPECT_GE(node("/pl011@9000000"), 0);
  EXPECT_LT(node("/psci"), 0);
  EXPECT_LT(node("/nestlab-devices/backdoor"), 0);
  EXPECT_EQ(strings("/nestlab-devices/guestinfo", "nestlab,device-id"),
            std::vector<std::string>{"NLAB0004"});
  c.device_count = 2;  // only standard devices: no second table
  build(c);
  EXPECT_LT(node("/nestlab-devices"), 0);
}

TEST_F(BootTables, TheUsersMappingTravelsWithTheTree) {
  const char text[] =
      "# watchdog for the acme driver\nNLAB0003 = acme,dogwatch-3000\narm,pl011=acme,uart\n";
  device_map::Table map;
  device_map::ParseError err;
  ASSERT_TRUE(device_map::parse(text, sizeof(text) - 1, &map, &err));
  GuestFdtConfig c{0x4000'0000, 128ull << 20, 1, ""};
  c.device_map = &map;
  build(c);
  EXPECT_EQ(strings("/nestlab-device-map", "map"),
            (std::vector<std::string>{"NLAB0003", "acme,dogwatch-3000", "arm,pl011", "acme,uart"}));
}

}  // namespace
}  // namespace nestlab
