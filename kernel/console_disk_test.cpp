#include "kernel/console_disk.h"
#include "kernel/test_files.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "kernel/console_broker.h"
#include "kernel/console_log.h"

namespace nestlab::kernel {
namespace {

namespace fs = std::filesystem;
using test_files::read_file;

uintmax_t on_disk(const std::string& dir) {
  uintmax_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

// Four streams of one owner, each printing 3x its own cap: together they
// stay under the owner's cap, each keeps its newest bytes, and the
// accounting matches the files.
TEST(ConsoleDisk, OneOwnersLogsStayUnderItsCapTogether) {
  test_files::TempDir dir("console-disk");
  constexpr size_t kUserCap = 64 * 1024, kStreamCap = 32 * 1024;
  ConsoleDisk disk(kUserCap);
  std::vector<std::unique_ptr<ConsoleLog>> logs;
  for (int i = 0; i < 4; ++i)
    logs.push_back(std::make_unique<ConsoleLog>(dir.path() + "/s" + std::to_string(i) + ".log",
                                                kStreamCap, &disk, 1000));
  for (int i = 0; i < 4; ++i) {
    for (int n = 0; n < 100; ++n) logs[i]->append(std::string(1000, 'a' + i));
    logs[i]->append("END" + std::to_string(i) + "\n");
    ASSERT_LE(on_disk(dir.path()), kUserCap);
    ASSERT_EQ(disk.used(1000), on_disk(dir.path()));
  }
  EXPECT_GT(on_disk(dir.path()), kUserCap / 2);
  std::string last = read_file(dir.path() + "/s3.log");
  EXPECT_EQ(last.substr(last.size() - 5), "END3\n");
}

TEST(ConsoleDisk, OneOwnerNeverEvictsAnothersLogs) {
  test_files::TempDir dir("console-disk");
  ConsoleDisk disk(16 * 1024);
  ConsoleLog theirs(dir.path() + "/theirs.log", 16 * 1024, &disk, 2000);
  theirs.append(std::string(6000, 't'));
  ConsoleLog mine(dir.path() + "/mine.log", 16 * 1024, &disk, 1000);
  for (int n = 0; n < 200; ++n) mine.append(std::string(1000, 'm'));
  EXPECT_EQ(read_file(dir.path() + "/theirs.log"), std::string(6000, 't'));
  EXPECT_LE(disk.used(1000), 16u * 1024);
  EXPECT_EQ(disk.used(2000), 6000u);
}

// Bytes an earlier run left (a re-adopted VHV) count from the start.
TEST(ConsoleDisk, FilesFoundOnDiskCount) {
  test_files::TempDir dir("console-disk");
  std::ofstream(dir.path() + "/old.log") << std::string(5000, 'o');
  std::ofstream(dir.path() + "/old.log.1") << std::string(3000, 'p');
  ConsoleDisk disk(1 << 20);
  {
    ConsoleLog log(dir.path() + "/old.log", 64 * 1024, &disk, 7);
    EXPECT_EQ(disk.used(7), 8000u);
  }
  EXPECT_EQ(disk.used(7), 0u);  // gone with the log object; the files stay for re-adoption
  EXPECT_TRUE(fs::exists(dir.path() + "/old.log"));
}

// A new VHV under an id that has logs (a kernel killed before it removed
// them, or a reused id) starts with none of them.
TEST(ConsoleDisk, ANewVhvStartsWithNoOldOutput) {
  test_files::TempDir dir("console-disk");
  fs::create_directories(dir.path() + "/consoles/vhv-1");
  std::ofstream(dir.path() + "/consoles/vhv-1/vm0.log") << "SECRET-OF-A\n";
  ConsoleBroker broker(dir.path(), 1 << 20, [](const std::string&) { return uid_t{5}; });
  broker.start_fresh("vhv-1");
  broker.stream("vhv-1", 0).append("new owner\n");
  EXPECT_EQ(read_file(dir.path() + "/consoles/vhv-1/vm0.log"), "new owner\n");
  EXPECT_EQ(broker.disk().used(5), 10u);
  // Orphans (no VHV lists them) go at start-up.
  fs::create_directories(dir.path() + "/consoles/vhv-9");
  broker.remove_orphans({"vhv-1"});
  EXPECT_FALSE(fs::exists(dir.path() + "/consoles/vhv-9"));
  EXPECT_TRUE(fs::exists(dir.path() + "/consoles/vhv-1"));
}

}  // namespace
}  // namespace nestlab::kernel
