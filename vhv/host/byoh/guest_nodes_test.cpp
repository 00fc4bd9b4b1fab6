#include "vhv/host/byoh/guest_nodes.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "vhv/common/fdt_writer.h"

namespace nestlab::vhv {
namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// "path/prop" -> value bytes, by a walk independent of the code under test.
std::map<std::string, std::string> props(const std::vector<uint8_t>& t) {
  std::map<std::string, std::string> out;
  const uint8_t* s = t.data() + be32(t.data() + 8);
  const char* strings = reinterpret_cast<const char*>(t.data() + be32(t.data() + 12));
  std::vector<std::string> path;
  for (size_t at = 0;;) {
    uint32_t token = be32(s + at);
    at += 4;
    if (token == 1) {
      std::string name(reinterpret_cast<const char*>(s + at));
      path.push_back(name);
      at += (name.size() + 4) & ~size_t{3};
    } else if (token == 2) {
      path.pop_back();
    } else if (token == 3) {
      uint32_t len = be32(s + at);
      std::string key;
      for (const auto& p : path) key += p + "/";
      key += strings + be32(s + at + 4);
      out[key] = std::string(reinterpret_cast<const char*>(s + at + 8), len);
      at += 8 + ((len + 3) & ~3u);
    } else if (token == 9) {
      break;
    }
  }
  return out;
}

// Like QEMU's: a small tree in a larger blob (totalsize `total`, 0: compact).
std::vector<uint8_t> qemu_like_tree(size_t total) {
  std::vector<uint8_t> buf(4096);
  FdtWriter w(buf.data(), buf.size());
  w.begin_node("");
  w.prop_u32("#address-cells", 2);
  w.prop_string("compatible", "linux,dummy-virt");
  w.begin_node("memory@40000000");
  const uint32_t reg[] = {0, 0x40000000, 0, 0x08000000};
  w.prop_cells("reg", reg, 4);
  w.end_node();
  w.begin_node("chosen");
  w.end_node();
  w.end_node();
  auto size = w.finish();
  EXPECT_TRUE(size.is_ok());
  buf.resize(total ? total : size.value());
  if (total)
    for (int i = 0; i < 4; ++i) buf[4 + i] = static_cast<uint8_t>(total >> (24 - 8 * i));
  return buf;
}

std::string cells(std::initializer_list<uint32_t> v) {
  std::string s;
  for (uint32_t c : v)
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>(c >> shift);
  return s;
}

TEST(GuestNodes, AddsOneNodePerGuestAndKeepsTheRest) {
  auto tree = qemu_like_tree(4096);
  PlacedGuest a{"hello.elf", 0x44000000, 0x40080000, 0x40080010, std::vector<uint8_t>(0x5000)};
  PlacedGuest b{"two.elf", 0x44200000, 0x40000000, 0x40000000, std::vector<uint8_t>(0x100)};
  std::vector<PlacedGuest> guests{a, b};
  auto out = add_guest_nodes(tree, guests, 1 << 20);
  ASSERT_TRUE(out.is_ok()) << out.error().message;
  auto p = props(out.value());
  EXPECT_EQ(p["/memory@40000000/reg"], cells({0, 0x40000000, 0, 0x08000000}));
  EXPECT_EQ(p["/compatible"], std::string("linux,dummy-virt") + '\0');
  EXPECT_EQ(p["/nestlab/compatible"], std::string("nestlab,lab-contract") + '\0');
  EXPECT_EQ(p["/nestlab/#size-cells"], cells({2}));
  EXPECT_EQ(p["/nestlab/guest@44000000/reg"], cells({0, 0x44000000, 0, 0x5000}));
  EXPECT_EQ(p["/nestlab/guest@44000000/entry"], cells({0, 0x40080010}));
  EXPECT_EQ(p["/nestlab/guest@44000000/load-address"], cells({0, 0x40080000}));
  EXPECT_EQ(p["/nestlab/guest@44000000/image-name"], std::string("hello.elf") + '\0');
  EXPECT_EQ(p["/nestlab/guest@44200000/image-name"], std::string("two.elf") + '\0');
  // A tree smaller than QEMU's totalsize keeps that size.
  EXPECT_EQ(be32(out.value().data() + 4), 4096u);
}

TEST(GuestNodes, RefusesWhatIsNotATreeOrDoesNotFit) {
  std::vector<uint8_t> junk(64, 0xab);
  EXPECT_TRUE(add_guest_nodes(junk, {}, 1 << 20).is_error());
  auto tree = qemu_like_tree(0);
  PlacedGuest g{"g", 0x44000000, 0x40080000, 0x40080000, {}};
  EXPECT_TRUE(add_guest_nodes(tree, std::span(&g, 1), tree.size() + 512).is_ok());
  auto too_big = add_guest_nodes(tree, std::span(&g, 1), tree.size() + 16);
  ASSERT_TRUE(too_big.is_error());
  EXPECT_NE(too_big.error().message.find("link the hypervisor higher"), std::string::npos);
  // A structure block cut short.
  auto cut = tree;
  cut[39] = 8;  // size_dt_struct
  EXPECT_TRUE(add_guest_nodes(cut, std::span(&g, 1), 1 << 20).is_error());
}

}  // namespace
}  // namespace nestlab::vhv
