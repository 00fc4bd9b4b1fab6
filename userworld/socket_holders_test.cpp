#include "userworld/socket_holders.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

namespace nestlab::userworld {
namespace {

int listen_at(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof addr.sun_path - 1);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(fd, 1) < 0)
    return -1;
  return fd;
}

TEST(SocketHolders, FindsTheProcessHoldingAListenerEvenAfterItsFileIsGone) {
  char tmpl[] = "/tmp/nestlab-holders-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/vhvs/vhv-1/control.sock";
  std::filesystem::create_directories(dir + "/vhvs/vhv-1");
  int fd = listen_at(path);
  ASSERT_GE(fd, 0);
  // Only a child holds it, as only a highvisor holds its control socket.
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(go[1]);
    char c;
    (void)!::read(go[0], &c, 1);
    ::_exit(0);
  }
  ::close(fd);
  std::filesystem::remove_all(dir + "/vhvs/vhv-1");  // its directory removed, as by a person
  auto holders = listening_socket_holders(dir + "/vhvs");
  ::close(go[1]);
  ::waitpid(child, nullptr, 0);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(holders[0].pid, child);
  EXPECT_EQ(holders[0].path, path);
  EXPECT_TRUE(listening_socket_holders(dir + "/elsewhere").empty());
}

}  // namespace
}  // namespace nestlab::userworld
