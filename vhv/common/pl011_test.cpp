#include "vhv/common/pl011.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <string>

namespace nestlab {
namespace {

class StringSink final : public ConsoleSink {
 public:
  void put(uint8_t b) override { text.push_back(static_cast<char>(b)); }
  void set_irq_level(bool high) override { levels += high ? '1' : '0'; }
  std::string text;
  std::string levels;  // every change of the interrupt line, in order
};

class QueueSource final : public ConsoleSource {
 public:
  int take() override {
    if (bytes.empty()) return -1;
    int b = static_cast<uint8_t>(bytes.front());
    bytes.pop_front();
    return b;
  }
  std::deque<char> bytes;
};

void enable_fifo(Pl011& uart) { uart.write(Pl011::kLcrH, 4, Pl011::kLcrHFen | 0x60); }

std::string read_all(Pl011& uart) {
  std::string out;
  while (!(uart.read(Pl011::kFr, 4) & Pl011::kFrRxfe))
    out.push_back(static_cast<char>(uart.read(Pl011::kDr, 4)));
  return out;
}

TEST(Pl011, TransmitGoesToTheSink) {
  StringSink sink;
  Pl011 uart(&sink);
  for (char c : std::string("hi\n")) uart.write(Pl011::kDr, 4, static_cast<uint8_t>(c));
  EXPECT_EQ(sink.text, "hi\n");
}

TEST(Pl011, FlagsReportTxEmptyAndRxState) {
  Pl011 uart(nullptr);
  enable_fifo(uart);
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
  enable_fifo(uart);
  uint8_t in[Pl011::kRxFifo + 8] = {};
  EXPECT_EQ(uart.push_rx(in, sizeof(in)), Pl011::kRxFifo);
  EXPECT_NE(uart.read(Pl011::kFr, 4) & Pl011::kFrRxff, 0u);
}

// With LCR_H.FEN clear (the reset state) the FIFO is one character deep
// (DDI 0183G 3.3.7), as polled early-boot code expects.
TEST(Pl011, CharacterModeHoldsOneByte) {
  Pl011 uart(nullptr);
  const uint8_t in[] = {'x', 'y'};
  EXPECT_EQ(uart.push_rx(in, 2), 1u);
  EXPECT_NE(uart.read(Pl011::kFr, 4) & Pl011::kFrRxff, 0u);
  EXPECT_EQ(uart.read(Pl011::kDr, 4), 'x');
}

TEST(Pl011, BacklogRefillsTheFifoAsTheGuestReads) {
  QueueSource source;
  Pl011 uart(nullptr, &source);
  const std::string text(100, 'k');
  for (char c : text) source.bytes.push_back(c);
  uart.refill();
  EXPECT_EQ(uart.rx_level(), 1u);  // character mode
  EXPECT_EQ(read_all(uart), text);
  enable_fifo(uart);
  for (char c : std::string("paste of 40 bytes, more than the FIFO...")) source.bytes.push_back(c);
  uart.refill();
  EXPECT_EQ(uart.rx_level(), Pl011::kRxFifo);
  EXPECT_EQ(read_all(uart), "paste of 40 bytes, more than the FIFO...");
}

TEST(Pl011, RxInterruptFollowsTheTriggerLevelAndTimeout) {
  Pl011 uart(nullptr);
  enable_fifo(uart);
  uart.write(Pl011::kImsc, 4, Pl011::kIntRx | Pl011::kIntRt);
  EXPECT_FALSE(uart.irq_pending());
  const uint8_t one[] = {'1'};
  uart.push_rx(one, 1);
  // Below the default 1/2 level (16 bytes): receive timeout, not RX.
  EXPECT_EQ(uart.read(Pl011::kMis, 4), Pl011::kIntRt);
  uint8_t more[20] = {};
  uart.push_rx(more, sizeof more);
  EXPECT_EQ(uart.read(Pl011::kMis, 4), Pl011::kIntRx);
  while (uart.rx_level()) (void)uart.read(Pl011::kDr, 4);
  EXPECT_FALSE(uart.irq_pending());
}

TEST(Pl011, TxInterruptIsClearedByIcrAndRaisedBySending) {
  StringSink sink;
  Pl011 uart(&sink);
  uart.write(Pl011::kImsc, 4, Pl011::kIntTx);
  EXPECT_TRUE(uart.irq_pending());
  uart.write(Pl011::kIcr, 4, Pl011::kIntTx);
  EXPECT_FALSE(uart.irq_pending());
  uart.write(Pl011::kDr, 4, 'z');
  EXPECT_TRUE(uart.irq_pending());
  EXPECT_EQ(sink.text, "z");
}

// The line the virtual GIC sees (vhv/el2/devices/guest_console.cpp): told on
// every change, never repeated.
TEST(Pl011, InterruptLineChangesReachTheSink) {
  StringSink sink;
  QueueSource source;
  Pl011 uart(&sink, &source);
  uart.write(Pl011::kImsc, 4, Pl011::kIntRx | Pl011::kIntRt);
  EXPECT_EQ(sink.levels, "");
  source.bytes = {'a', 'b'};
  uart.refill();
  EXPECT_EQ(sink.levels, "1");
  EXPECT_EQ(uart.read(Pl011::kDr, 4), 'a');  // 'b' moves in: still high
  EXPECT_EQ(sink.levels, "1");
  EXPECT_EQ(uart.read(Pl011::kDr, 4), 'b');
  EXPECT_EQ(sink.levels, "10");
  uart.write(Pl011::kImsc, 4, Pl011::kIntTx);  // TX is pending since reset
  EXPECT_EQ(sink.levels, "101");
  uart.write(Pl011::kIcr, 4, Pl011::kIntAll);
  EXPECT_EQ(sink.levels, "1010");
}

TEST(Pl011, LoopbackReturnsTransmittedBytesAndFlagsOverrun) {
  StringSink sink;
  Pl011 uart(&sink);
  uart.write(Pl011::kCr, 4, Pl011::kCrUarten | Pl011::kCrTxe | Pl011::kCrRxe | Pl011::kCrLbe);
  uart.write(Pl011::kDr, 4, 'a');
  uart.write(Pl011::kDr, 4, 'b');  // FIFO off: one slot, so 'b' overruns
  EXPECT_EQ(sink.text, "");
  EXPECT_NE(uart.read(Pl011::kRis, 4) & Pl011::kIntOe, 0u);
  EXPECT_EQ(uart.read(Pl011::kDr, 4), 'a' | Pl011::kDrOe);
  uart.write(Pl011::kRsr, 4, 0);
  EXPECT_EQ(uart.read(Pl011::kRsr, 4), 0u);
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
  uart.write(Pl011::kIfls, 4, 0);  // RX level 1/8 = 4 bytes
  const uint8_t in[] = {'w', 'x', 'y', 'z'};
  uart.push_rx(in, 4);
  EXPECT_TRUE(uart.irq_pending());
  EXPECT_EQ(uart.read(Pl011::kMis, 4), Pl011::kIntRx);
}

// Every device also passes device_conformance_test.cpp; these pin down
// what the PL011's own snapshot keeps and refuses.
TEST(Pl011, RestoredUartKeepsItsFifoAndRegisters) {
  StringSink sink;
  Pl011 uart(&sink);
  enable_fifo(uart);
  uart.write(Pl011::kIbrd, 4, 26);
  uart.write(Pl011::kImsc, 4, 0x50);
  const uint8_t in[] = {'q', 'r', 's'};
  uart.push_rx(in, 3);
  (void)uart.read(Pl011::kDr, 4);  // the FIFO no longer starts at slot 0
  uint8_t first[kSnapshotHeaderBytes + Pl011::kSnapshotPayload];
  auto n = uart.save(first, sizeof first);
  ASSERT_TRUE(n.is_ok());
  ASSERT_EQ(n.value(), uart.snapshot_size());
  Pl011 restored(&sink);
  ASSERT_TRUE(restored.restore(first, n.value()).is_ok());
  uint8_t again[sizeof first];
  ASSERT_TRUE(restored.save(again, sizeof again).is_ok());
  EXPECT_EQ(0, memcmp(first, again, sizeof first));
  EXPECT_EQ(restored.read(Pl011::kIbrd, 4), 26u);
  EXPECT_EQ(restored.read(Pl011::kDr, 4), 'r');
  EXPECT_EQ(restored.read(Pl011::kDr, 4), 's');
  EXPECT_NE(restored.read(Pl011::kFr, 4) & Pl011::kFrRxfe, 0u);
}

// A payload field at `index` (u32 fields first), the checksum fixed up, so
// only the field checks stand between the bytes and the device.
void set_field(uint8_t* snap, size_t index, uint32_t value) {
  uint8_t* p = snap + kSnapshotHeaderBytes + 4 * index;
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(value >> (8 * i));
  const uint32_t sum = snapshot_checksum(snap + kSnapshotHeaderBytes, Pl011::kSnapshotPayload);
  for (int i = 0; i < 4; ++i) snap[12 + i] = static_cast<uint8_t>(sum >> (8 * i));
}

TEST(Pl011, RestoreRefusesValuesNoRegisterWriteProduces) {
  uint8_t good[kSnapshotHeaderBytes + Pl011::kSnapshotPayload];
  ASSERT_TRUE(Pl011(nullptr).save(good, sizeof good).is_ok());
  struct Case {
    size_t field;
    uint32_t value;
    const char* what;
  } const cases[] = {
      {0, 0x1'0000, "IBRD above 16 bits"},
      {2, 0x100, "LCR_H above 8 bits"},
      {6, 1u << 20, "RIS bit outside the interrupts"},
      {6, Pl011::kIntTx | Pl011::kIntRx, "RX raised with an empty FIFO"},
      {9, 1, "RSR error other than overrun"},
      {10, 33, "FIFO level above 32"},
      {10, 1000, "FIFO level far above 32"},
  };
  for (const Case& c : cases) {
    uint8_t bad[sizeof good];
    memcpy(bad, good, sizeof good);
    set_field(bad, c.field, c.value);
    StringSink sink;
    Pl011 uart(&sink);
    uart.write(Pl011::kIbrd, 4, 7);
    auto r = uart.restore(bad, sizeof bad);
    ASSERT_TRUE(r.is_error()) << c.what;
    EXPECT_EQ(r.error(), SnapshotError::OutOfRange) << c.what;
    EXPECT_EQ(uart.read(Pl011::kIbrd, 4), 7u) << c.what << ": a refused restore changes nothing";
  }
  // A byte beyond the FIFO level: a second encoding of the same state.
  uint8_t bad[sizeof good];
  memcpy(bad, good, sizeof good);
  bad[kSnapshotHeaderBytes + 11 * 4 + 5] = 'x';
  set_field(bad, 0, 0);
  EXPECT_EQ(Pl011(nullptr).restore(bad, sizeof bad).error(), SnapshotError::OutOfRange);
}

TEST(Pl011, ResetLowersTheLineAndKeepsTheSink) {
  StringSink sink;
  Pl011 uart(&sink);
  uart.write(Pl011::kImsc, 4, Pl011::kIntTx);
  ASSERT_EQ(sink.levels, "1");
  uart.reset();
  EXPECT_EQ(sink.levels, "10");
  EXPECT_EQ(uart.read(Pl011::kImsc, 4), 0u);
  uart.write(Pl011::kDr, 4, 'z');
  EXPECT_EQ(sink.text, "z");
}

}  // namespace
}  // namespace nestlab
