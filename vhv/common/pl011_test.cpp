#include "vhv/common/pl011.h"

#include <gtest/gtest.h>

#include <string>

namespace nestlab {
namespace {

class StringSink final : public ConsoleSink {
 public:
  void put(uint8_t b) override { text.push_back(static_cast<char>(b)); }
  std::string text;
};

TEST(Pl011, TransmitGoesToTheSink) {
  StringSink sink;
  Pl011 uart(&sink);
  for (char c : std::string("hi\n")) uart.write(Pl011::kDr, 4, static_cast<uint8_t>(c));
  EXPECT_EQ(sink.text, "hi\n");
}

TEST(Pl011, FlagsReportTxEmptyAndRxState) {
  Pl011 uart(nullptr);
  EXPECT_EQ(uart.read(Pl011::kFr, 4), Pl011::kFrTxfe | Pl011::kFrRxfe);
  const uint8_t in[] = {'a', 'b'};
  EXPECT_EQ(uart.push_rx(in, 2), 2u);
  EXPECT_EQ(uart.read(Pl011::kFr, 4) & Pl011::kFrRxfe, 0u);
  EXPECT_EQ(uart.read(Pl011::kDr, 4), 'a');
  EXPECT_EQ(uart.read(Pl011::kDr, 4), 'b');
  EXPECT_NE(uart.read(Pl011::kFr, 4) & Pl011::kFrRxfe, 0u);
}

TEST(Pl011, RxFifoIsBounded) {
  Pl011 uart(nullptr);
  uint8_t in[Pl011::kRxFifo + 8] = {};
  EXPECT_EQ(uart.push_rx(in, sizeof(in)), Pl011::kRxFifo);
  EXPECT_NE(uart.read(Pl011::kFr, 4) & Pl011::kFrRxff, 0u);
}

TEST(Pl011, RegistersReadBackAndIdsMatchQemu) {
  Pl011 uart(nullptr);
  uart.write(Pl011::kIbrd, 4, 13);
  uart.write(Pl011::kLcrH, 4, 0x70);
  uart.write(Pl011::kCr, 4, 0x301);
  uart.write(Pl011::kImsc, 4, Pl011::kIntRx);
  EXPECT_EQ(uart.read(Pl011::kIbrd, 4), 13u);
  EXPECT_EQ(uart.read(Pl011::kLcrH, 4), 0x70u);
  EXPECT_EQ(uart.read(Pl011::kCr, 4), 0x301u);
  EXPECT_EQ(uart.read(0xfe0, 4), 0x11u);
  EXPECT_EQ(uart.read(0xff0, 4), 0x0du);
  EXPECT_EQ(uart.read(0xffc, 4), 0xb1u);
  EXPECT_FALSE(uart.irq_pending());
  const uint8_t in[] = {'x'};
  uart.push_rx(in, 1);
  EXPECT_TRUE(uart.irq_pending());
  EXPECT_EQ(uart.read(Pl011::kMis, 4), Pl011::kIntRx);
}

// The shared device snapshot test: save -> restore -> save gives equal state.
TEST(Pl011, SaveRestoreSaveIsEqual) {
  StringSink sink;
  Pl011 uart(&sink);
  uart.write(Pl011::kIbrd, 4, 26);
  uart.write(Pl011::kImsc, 4, 0x50);
  const uint8_t in[] = {'q', 'r', 's'};
  uart.push_rx(in, 3);
  (void)uart.read(Pl011::kDr, 4);
  Pl011::Snapshot first = uart.save();
  auto restored = Pl011::restore(first, &sink);
  ASSERT_TRUE(restored.is_ok());
  EXPECT_EQ(restored.value().save(), first);
  EXPECT_EQ(restored.value().read(Pl011::kDr, 4), 'r');
}

TEST(Pl011, RestoreRefusesBadSnapshots) {
  Pl011::Snapshot s = Pl011(nullptr).save();
  s.version = 99;
  EXPECT_EQ(Pl011::restore(s, nullptr).error(), SnapshotError::WrongVersion);
  s.version = Pl011::Snapshot::kVersion;
  s.rx_count = 1000;
  EXPECT_EQ(Pl011::restore(s, nullptr).error(), SnapshotError::Corrupt);
}

}  // namespace
}  // namespace nestlab
