#include "vhv/host/event_backlog.h"

#include <gtest/gtest.h>

namespace nestlab::vhv {
namespace {

TEST(EventBacklog, KeepsOrderWithinTheCap) {
  EventBacklog b(100);
  b.push("a", Droppable::Yes);
  b.push("b", Droppable::No);
  b.push("c", Droppable::Yes);
  EXPECT_EQ(b.bytes(), 3u);
  std::string seen;
  while (!b.empty()) {
    seen += b.front();
    b.pop();
  }
  EXPECT_EQ(seen, "abc");
  EXPECT_EQ(b.bytes(), 0u);
  EXPECT_EQ(b.dropped_bytes(), 0u);
}

TEST(EventBacklog, DropsOldestOutputButKeepsStateChanges) {
  EventBacklog b(10);
  b.push("ready", Droppable::No);
  for (int i = 0; i < 100; ++i) b.push("0123", Droppable::Yes);
  b.push("exit", Droppable::No);
  EXPECT_LE(b.bytes(), 10u + 5 + 4);
  EXPECT_GT(b.dropped_bytes(), 300u);
  EXPECT_EQ(b.front(), "ready");
  std::string last;
  while (!b.empty()) {
    last = b.front();
    b.pop();
  }
  EXPECT_EQ(last, "exit");
}

}  // namespace
}  // namespace nestlab::vhv
