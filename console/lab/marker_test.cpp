#include "console/lab/marker.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "labs/common/siphash.h"

namespace nestlab::lab {
namespace {

constexpr const char* kReferenceKey = "000102030405060708090a0b0c0d0e0f";

uint64_t reference_hash(size_t len) {
  SipKey key{};
  EXPECT_TRUE(sip_key_from_hex(kReferenceKey, key));
  uint8_t msg[64];
  for (size_t i = 0; i < sizeof msg; ++i) msg[i] = static_cast<uint8_t>(i);
  return siphash24(key, msg, len);
}

// The test vectors of the SipHash paper's reference code (vectors.h): key
// 00..0f, message 00 01 .. (len - 1).
TEST(SipHash, ReferenceVectors) {
  EXPECT_EQ(reference_hash(0), 0x726fdb47dd0e0e31ull);
  EXPECT_EQ(reference_hash(1), 0x74f839c593dc67fdull);
  EXPECT_EQ(reference_hash(2), 0x0d6c8009d9a94f5aull);
  EXPECT_EQ(reference_hash(3), 0x85676696d7fb7e2dull);
  EXPECT_EQ(reference_hash(4), 0xcf2794e0277187b7ull);
  EXPECT_EQ(reference_hash(7), 0xab0200f58b01d137ull);
  EXPECT_EQ(reference_hash(8), 0x93f5f5799a932462ull);
  EXPECT_EQ(reference_hash(15), 0xa129ca6149be45e5ull);
  EXPECT_EQ(reference_hash(63), 0x958a324ceb064572ull);
}

TEST(SipHash, KeyFromHexRejectsWrongLengthAndDigits) {
  SipKey key{};
  EXPECT_FALSE(sip_key_from_hex("000102030405060708090a0b0c0d0e0", key));    // 31 digits
  EXPECT_FALSE(sip_key_from_hex("000102030405060708090a0b0c0d0e0f0", key));  // 33 digits
  EXPECT_FALSE(sip_key_from_hex("000102030405060708090a0b0c0d0e0g", key));
  EXPECT_TRUE(sip_key_from_hex("000102030405060708090A0B0C0D0E0F", key));
  EXPECT_EQ(key.k0, 0x0706050403020100ull);
  EXPECT_EQ(key.k1, 0x0f0e0d0c0b0a0908ull);
}

TEST(Marker, MacIsSipHashOfTheNameAsSixteenHexDigits) {
  EXPECT_EQ(marker_mac(kReferenceKey, ""), "726fdb47dd0e0e31");
  EXPECT_EQ(marker_mac(kReferenceKey, "uart@9000000"), "d57369f2af2d2d4a");
  EXPECT_EQ(marker_mac("not hex", "x"), "");
}

TEST(Marker, AcceptsOnlyThisRunsMac) {
  const std::string secret = kReferenceKey;
  const std::string good = "@@mark uart@9000000 " + marker_mac(secret, "uart@9000000");
  EXPECT_EQ(check_marker("boot\r\n" + good + "\r\nbye\n", "uart@9000000", secret).verdict,
            MarkerVerdict::Valid);
  // A line copied from a run with another secret.
  const std::string stale =
      "@@mark uart@9000000 " + marker_mac("ffeeddccbbaa99887766554433221100", "uart@9000000");
  MarkerCheck c = check_marker(stale + "\n", "uart@9000000", secret);
  EXPECT_EQ(c.verdict, MarkerVerdict::WrongMac);
  EXPECT_EQ(c.line, stale);
  EXPECT_EQ(check_marker("@@mark uart@9000000 nosecret\n", "uart@9000000", secret).verdict,
            MarkerVerdict::WrongMac);
  EXPECT_EQ(check_marker("@@mark other 1234\n", "uart@9000000", secret).verdict,
            MarkerVerdict::Missing);
}

TEST(Marker, NeedsACompleteLineAndMayFollowOtherText) {
  const std::string secret = kReferenceKey;
  const std::string mac = marker_mac(secret, "a");
  EXPECT_EQ(check_marker("@@mark a " + mac, "a", secret).verdict, MarkerVerdict::Missing);
  EXPECT_EQ(check_marker("x = 3@@mark a " + mac + "\n", "a", secret).verdict, MarkerVerdict::Valid);
  // A prefix of the name is another marker.
  EXPECT_EQ(check_marker("@@mark ab " + mac + "\n", "a", secret).verdict, MarkerVerdict::Missing);
}

TEST(Marker, Names) {
  EXPECT_TRUE(valid_marker_name("uart@9000000"));
  EXPECT_TRUE(valid_marker_name("vectors.sync-el1_ok"));
  EXPECT_FALSE(valid_marker_name(""));
  EXPECT_FALSE(valid_marker_name("two words"));
  EXPECT_FALSE(valid_marker_name(std::string(65, 'a')));
}

}  // namespace
}  // namespace nestlab::lab
