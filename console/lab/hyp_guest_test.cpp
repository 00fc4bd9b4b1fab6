#include "console/lab/hyp_guest.h"

#include <gtest/gtest.h>

namespace nestlab::lab {
namespace {

TEST(HypGuest, FillsTheFirstNonceSlotOnly) {
  std::string image = std::string(
                          "\x7f"
                          "ELF..",
                          6) +
                      std::string(kNonceSlot) + "|" + std::string(kNonceSlot);
  auto r = fill_nonce_slot(image, "0123456789abcdef");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value().size(), image.size());
  EXPECT_NE(r.value().find("NESTLAB-NONCE:0123456789abcdef|" + std::string(kNonceSlot)),
            std::string::npos);
}

TEST(HypGuest, AnImageWithoutASlotOrABadNonceIsAnError) {
  EXPECT_TRUE(fill_nonce_slot("no slot here", "0123456789abcdef").is_error());
  EXPECT_TRUE(fill_nonce_slot(std::string(kNonceSlot), "0123").is_error());
}

}  // namespace
}  // namespace nestlab::lab
