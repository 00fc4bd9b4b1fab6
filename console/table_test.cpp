#include "console/table.h"

#include <gtest/gtest.h>

namespace nestlab::cli {
namespace {

TEST(TableTest, PadsColumnsAndAlignsNumbersRight) {
  const Column cols[] = {{"ID"}, {"NAME"}, {"MEM", Align::Right}};
  const Row rows[] = {{"vhv-1", "a", "128M"}, {"vhv-12", "longer", "1G"}};
  EXPECT_EQ(format_table(cols, rows),
            "ID      NAME     MEM\n"
            "vhv-1   a       128M\n"
            "vhv-12  longer    1G\n");
}

TEST(TableTest, NoTrailingBlanksAndShortRowsPadded) {
  const Column cols[] = {{"A"}, {"B"}};
  const Row rows[] = {{"xxx"}};
  EXPECT_EQ(format_table(cols, rows), "A    B\nxxx\n");
}

TEST(TableTest, EmptyTableIsJustTheHeader) {
  const Column cols[] = {{"ID"}, {"STATE"}};
  EXPECT_EQ(format_table(cols, {}), "ID  STATE\n");
}

}  // namespace
}  // namespace nestlab::cli
