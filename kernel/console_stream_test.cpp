#include "kernel/console_stream.h"
#include "kernel/test_files.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "kernel/console_broker.h"

namespace nestlab::kernel {
namespace {

namespace fs = std::filesystem;
using test_files::read_file;

uintmax_t bytes_on_disk(const std::string& log) {
  uintmax_t total = 0;
  for (const char* suffix : {"", ".1"})
    if (fs::exists(log + suffix)) total += fs::file_size(log + suffix);
  return total;
}

// DESIGN.md: a guest that prints forever cannot fill the disk. 100 MB
// through a stream capped at 1 MiB leaves at most 1 MiB on disk, and the
// newest output is what is kept.
TEST(ConsoleStream, HundredMegabytesLeaveAtMostTheCapOnDisk) {
  test_files::TempDir dir("console");
  const std::string log = dir.path() + "/vm0.log";
  constexpr size_t kCap = 1 << 20;
  ConsoleStream s(64 * 1024, log, kCap);
  std::string line(100, 'x');
  line.back() = '\n';
  std::string chunk;
  for (int i = 0; i < 240; ++i) chunk += line;  // one Console frame's worth, roughly
  uint64_t written = 0;
  for (unsigned n = 0; written < 100'000'000; ++n) {
    std::string numbered = std::to_string(n) + ":" + chunk;
    s.append(numbered);
    written += numbered.size();
    ASSERT_LE(bytes_on_disk(log), kCap);
  }
  s.append("the last words\n");
  EXPECT_EQ(s.total_bytes(), written + 15);
  EXPECT_GT(bytes_on_disk(log), kCap / 2);
  const std::string current = read_file(log);
  EXPECT_EQ(current.substr(current.size() - 15), "the last words\n");
}

// A kernel restart reopens the log of a re-adopted VHV: it continues.
TEST(ConsoleLog, ReopeningAppendsWithinTheCap) {
  test_files::TempDir dir("console");
  const std::string log = dir.path() + "/vm0.log";
  ConsoleLog(log, 8192).append("before restart\n");
  ConsoleLog again(log, 8192);
  again.append("after restart\n");
  EXPECT_EQ(read_file(log), "before restart\nafter restart\n");
  for (int i = 0; i < 1000; ++i) again.append("0123456789");
  EXPECT_LE(bytes_on_disk(log), 8192u);
}

TEST(ConsoleStream, RingKeepsTheNewestBytesInOrder) {
  ConsoleStream s(16, "", 0);
  s.append("0123456789");
  EXPECT_EQ(s.recent(), "0123456789");
  s.append("abcdefghij");
  EXPECT_EQ(s.recent(), "456789abcdefghij");
  for (int i = 0; i < 100; ++i) s.append("z");
  EXPECT_EQ(s.recent(), std::string(16, 'z'));
  s.append(std::string(40, 'q') + "END");
  EXPECT_EQ(s.recent(), std::string(13, 'q') + "END");
}

TEST(ConsoleStream, OneWriterAndDroppingClients) {
  ConsoleStream s(1024, "", 0);
  s.readers().insert(1);
  s.readers().insert(2);
  s.set_writer(ConsoleWriter{2, 200, 1000});
  EXPECT_FALSE(s.drop(1));
  EXPECT_TRUE(s.drop(2));
  EXPECT_FALSE(s.writer().has_value());
  EXPECT_TRUE(s.readers().empty());
}

TEST(ConsoleBroker, StreamsPerConsoleAndLogsUnderTheStateDir) {
  test_files::TempDir dir("console");
  ConsoleBroker broker(dir.path(), 1u << 20, [](const std::string&) { return uid_t{0}; });
  broker.stream("vhv-1", 0).append("guest\n");
  broker.stream("vhv-1", kVhvStream).append("lowvisor: ready\n");
  EXPECT_EQ(read_file(dir.path() + "/consoles/vhv-1/vm0.log"), "guest\n");
  EXPECT_EQ(read_file(dir.path() + "/consoles/vhv-1/vhv.log"), "lowvisor: ready\n");
  broker.stream("vhv-1", 0).readers().insert(7);
  broker.drop_client(7);
  EXPECT_TRUE(broker.find("vhv-1", 0)->readers().empty());
  broker.drop_vhv("vhv-1");
  EXPECT_EQ(broker.find("vhv-1", 0), nullptr);
  // A destroyed VHV's logs go with it: nobody can replay them later.
  EXPECT_FALSE(fs::exists(dir.path() + "/consoles/vhv-1"));
}

}  // namespace
}  // namespace nestlab::kernel
