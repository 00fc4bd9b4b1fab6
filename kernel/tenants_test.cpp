#include "kernel/tenants.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nestlab::kernel {
namespace {

TEST(Tenants, NamesAreCheckedAndDefaultToTheUserName) {
  EXPECT_TRUE(validate_tenant_name("alice").is_ok());
  EXPECT_TRUE(validate_tenant_name("_svc.1-x").is_ok());
  EXPECT_TRUE(validate_tenant_name("").is_error());
  EXPECT_TRUE(validate_tenant_name("../etc").is_error());
  EXPECT_TRUE(validate_tenant_name("a/b").is_error());
  EXPECT_TRUE(validate_tenant_name("Alice").is_error());
  EXPECT_EQ(default_tenant(0), "root");
  EXPECT_EQ(default_tenant(4000000000u), "uid-4000000000");
}

TEST(Tenants, TablePersistsAndForgetsEmptyLimits) {
  char tmpl[] = "/tmp/nestlab-tenants-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/tenants.json";
  {
    TenantTable t(path);
    ASSERT_TRUE(t.load().is_ok());  // no file yet: empty
    t.set("alice", {512u << 20, 200, 50, 100});
    t.set("bob", {0, 0, 0, 10});
    t.set("carol", {});
    ASSERT_TRUE(t.save().is_ok());
  }
  TenantTable back(path);
  ASSERT_TRUE(back.load().is_ok());
  EXPECT_EQ(back.all().size(), 2u);
  EXPECT_EQ(back.limits("alice").memory, 512u << 20);
  EXPECT_EQ(back.limits("alice").cpu_quota, 50u);
  EXPECT_EQ(back.limits("bob").pids, 10u);
  EXPECT_FALSE(back.limits("carol").any());
  EXPECT_EQ(to_json(back.limits("bob"))["memory"], nullptr);

  std::filesystem::remove_all(dir);
}

std::string contents(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Tenants, ADamagedTableFailsClosedUntilRepaired) {
  char tmpl[] = "/tmp/nestlab-tenants-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/tenants.json";
  {
    TenantTable t(path);
    ASSERT_TRUE(t.load().is_ok());
    t.set("alice", {512u << 20, 0, 0, 0});
    t.set("bob", {0, 0, 0, 10});
    ASSERT_TRUE(t.save().is_ok());
  }
  std::string damaged = contents(path).substr(0, 40);  // torn
  std::ofstream(path, std::ios::trunc) << damaged;

  TenantTable t(path);
  auto r = t.load();
  ASSERT_TRUE(r.is_error());
  EXPECT_TRUE(t.damaged());
  EXPECT_NE(r.error().message.find("tenant limits are unavailable"), std::string::npos);
  EXPECT_NE(r.error().message.find("tenants.json.bad"), std::string::npos);
  EXPECT_NE(r.error().message.find("removes it to start with no tenant limits"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(contents(path + ".bad"), damaged);
  // Setting carol's limits must not write carol alone over alice's and bob's.
  t.set("carol", {0, 0, 0, 5});
  EXPECT_TRUE(t.save().is_error());
  EXPECT_EQ(contents(path), damaged);
  EXPECT_TRUE(t.usable().is_error());

  // Repaired by an admin (here: the file removed): usable again, empty.
  std::filesystem::remove(path);
  EXPECT_TRUE(t.usable().is_ok());
  EXPECT_FALSE(t.damaged());
  EXPECT_TRUE(t.all().empty());
  EXPECT_TRUE(t.save().is_ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nestlab::kernel
