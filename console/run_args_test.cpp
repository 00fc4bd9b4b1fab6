#include "console/run_args.h"

#include <gtest/gtest.h>

namespace nestlab::cli {
namespace {

std::string run_error_of(std::vector<std::string> words) {
  auto r = parse_run_args(words);
  return r.is_error() ? r.error().message : "(accepted)";
}

TEST(RunArgsTest, ParsesQemuStyleFlags) {
  std::vector<std::string> words = {"-m",  "256M",    "--smp",  "1", "--append",
                                    "a b", "--stats", "--name", "x", "hello.elf"};
  auto r = parse_run_args(words);
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  EXPECT_EQ(r.value().mem, 256ull << 20);
  EXPECT_EQ(r.value().append, "a b");
  EXPECT_TRUE(r.value().stats);
  EXPECT_EQ(r.value().name, "x");
  EXPECT_EQ(r.value().image, "hello.elf");
}

TEST(RunArgsTest, InitrdIsAFileNameLikeQemus) {
  std::vector<std::string> words = {"--initrd", "initrd.cpio", "--append", "console=ttyAMA0",
                                    "Image"};
  auto r = parse_run_args(words);
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  EXPECT_EQ(r.value().initrd, "initrd.cpio");
  EXPECT_EQ(r.value().image, "Image");
  EXPECT_EQ(run_error_of({"--initrd", "", "Image"}), "--initrd: give the initrd's file name");
  std::vector<std::string> none = {"Image"};
  EXPECT_TRUE(parse_run_args(none).value().initrd.empty());
}

TEST(RunArgsTest, DefaultsLeaveMemToTheKernel) {
  std::vector<std::string> words = {"hello.elf"};
  auto r = parse_run_args(words);
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r.value().mem.has_value());
  EXPECT_FALSE(r.value().stats);
}

TEST(RunArgsTest, RefusesMoreThanOneVcpu) {
  EXPECT_EQ(run_error_of({"--smp", "9", "hello.elf"}), "--smp 9: at most 8 vCPUs");
  EXPECT_EQ(run_error_of({"--smp", "0", "hello.elf"}),
            "--smp 0: expected a number of vCPUs (1 or more)");
  EXPECT_EQ(run_error_of({"--smp", "two", "hello.elf"}),
            "--smp two: expected a number of vCPUs (1 or more)");
}

TEST(RunArgsTest, RefusesBadInput) {
  EXPECT_EQ(run_error_of({}), "missing IMAGE (the guest program to run, e.g. hello.elf)");
  EXPECT_EQ(run_error_of({"a.elf", "b.elf"}),
            "unexpected argument 'b.elf' (only one IMAGE; use --append for guest arguments)");
  EXPECT_EQ(run_error_of({"--mem", "lots", "a.elf"}).rfind("--mem: invalid size 'lots'", 0), 0u);
  EXPECT_EQ(run_error_of({"--frob", "a.elf"}), "unknown option '--frob'");
  EXPECT_EQ(run_error_of({"--name=", "a.elf"}), "--name: the name must not be empty");
}

TEST(RunArgsTest, HelpNeedsNoImage) {
  std::vector<std::string> words = {"--help"};
  auto r = parse_run_args(words);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r.value().args.help());
  EXPECT_NE(run_help().find("130"), std::string::npos);
}

}  // namespace
}  // namespace nestlab::cli

namespace nestlab::cli {
namespace {

TEST(RunArgsTest, HypervisorTakesItsGuestsAsOperands) {
  std::vector<std::string> words = {"--hypervisor", "hyp.elf", "--smp", "2", "a.elf", "b.elf"};
  auto r = parse_run_args(words);
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  EXPECT_EQ(r.value().hypervisor, "hyp.elf");
  EXPECT_EQ(r.value().guests, (std::vector<std::string>{"a.elf", "b.elf"}));
  EXPECT_EQ(r.value().smp, 2u);
  std::vector<std::string> alone = {"--hypervisor", "hyp.elf"};
  ASSERT_TRUE(parse_run_args(alone).is_ok());
  EXPECT_TRUE(parse_run_args(alone).value().guests.empty());
}

TEST(RunArgsTest, HypervisorRefusesLowvisorOnlyOptions) {
  EXPECT_NE(run_error_of({"--hypervisor", "h.elf", "--append", "x"}).find("--append is for guests"),
            std::string::npos);
  EXPECT_NE(run_error_of({"--hypervisor", "h.elf", "--disk", "d.img"}).find("--disk"),
            std::string::npos);
  EXPECT_NE(run_error_of({"--hypervisor", "h.elf", "--net", "lab0"}).find("--net is for guests"),
            std::string::npos);
  EXPECT_NE(run_error_of({"--hypervisor", "h.elf", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
                .find("at most 8"),
            std::string::npos);
  EXPECT_NE(run_error_of({"--hypervisor", ""}).find("file name"), std::string::npos);
}

}  // namespace
}  // namespace nestlab::cli
