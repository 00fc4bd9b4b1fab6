// The client against a scripted fake kernel on a socketpair.
#include "console/client/client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <gtest/gtest.h>

namespace nestlab::client {
namespace {

struct Pair {
  std::unique_ptr<Client> client;
  int kernel = -1;  // The fake kernel's end.
};

Pair make_pair() {
  int sv[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  return {std::make_unique<Client>(UniqueFd(sv[0])), sv[1]};
}

// Reads one request line and the fds that came with it.
json read_request(int fd, std::vector<int>* fds = nullptr) {
  std::string line;
  char c;
  bool first = true;
  for (;;) {
    iovec iov{&c, 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    if (::recvmsg(fd, &msg, 0) != 1) return nullptr;
    if (first && fds) {
      for (cmsghdr* h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
        size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; ++i) {
          int got;
          std::memcpy(&got, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
          fds->push_back(got);
        }
      }
    }
    first = false;
    if (c == '\n') return json::parse(line);
    line += c;
  }
}

void send_line(int fd, const json& j) {
  std::string s = j.dump() + "\n";
  ASSERT_EQ(::write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

TEST(ClientTest, CallPassesFdsAndQueuesNotifications) {
  Pair p = make_pair();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ASSERT_EQ(::write(pipe_fds[1], "ELF", 3), 3);

  std::thread kernel([&] {
    std::vector<int> fds;
    json req = read_request(p.kernel, &fds);
    EXPECT_EQ(req["method"], "vm.run");
    EXPECT_EQ(req["params"]["image_fd"], 0);
    ASSERT_EQ(fds.size(), 1u);
    char buf[3];
    EXPECT_EQ(::read(fds[0], buf, 3), 3);  // The very file the client opened.
    EXPECT_EQ(std::string(buf, 3), "ELF");
    ::close(fds[0]);
    // A notification overtakes the response; it must not be lost.
    send_line(p.kernel, {{"jsonrpc", "2.0"},
                         {"method", "console"},
                         {"params", {{"vhv", "vhv-1"}, {"data", "aGk="}}}});
    send_line(p.kernel, {{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", {{"vm", 0}}}});
  });
  int fds[] = {pipe_fds[0]};
  auto result = p.client->call("vm.run", {{"vhv", "vhv-1"}, {"image_fd", 0}}, fds);
  kernel.join();
  ASSERT_TRUE(result.is_ok()) << result.error().message;
  EXPECT_EQ(result.value()["vm"], 0);

  auto note = p.client->next_notification(0);
  ASSERT_TRUE(note.is_ok());
  ASSERT_TRUE(note.value().has_value());
  EXPECT_EQ(note.value()->method, "console");
  EXPECT_EQ(note.value()->params["data"], "aGk=");
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  ::close(p.kernel);
}

TEST(ClientTest, ErrorResponseBecomesError) {
  Pair p = make_pair();
  std::thread kernel([&] {
    json req = read_request(p.kernel);
    send_line(p.kernel, {{"jsonrpc", "2.0"},
                         {"id", req["id"]},
                         {"error",
                          {{"code", -32000},
                           {"message", "hello.txt is not an ELF file"},
                           {"data", {{"code", "invalid-argument"}}}}}});
  });
  auto result = p.client->call("vm.run");
  kernel.join();
  ASSERT_TRUE(result.is_error());
  EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(result.error().message, "hello.txt is not an ELF file");
  ::close(p.kernel);
}

TEST(ClientTest, LostConnectionIsReported) {
  Pair p = make_pair();
  ::close(p.kernel);
  auto result = p.client->call("vhv.list");
  ASSERT_TRUE(result.is_error());
  EXPECT_EQ(result.error().message, kLostConnection);
  auto note = p.client->next_notification(100);
  ASSERT_TRUE(note.is_error());
  EXPECT_EQ(note.error().message, kLostConnection);
}

TEST(ClientTest, TimeoutAndInterrupt) {
  Pair p = make_pair();
  auto none = p.client->next_notification(20);
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none.value().has_value());

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  p.client->set_interrupt_fd(pipe_fds[0]);
  ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);
  auto interrupted = p.client->next_notification(-1);
  ASSERT_TRUE(interrupted.is_error());
  EXPECT_EQ(p.client->interrupted(), Interrupted::Yes);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  ::close(p.kernel);
}

TEST(ClientTest, FramesNotificationsSplitAcrossReads) {
  Pair p = make_pair();
  std::string a =
      R"({"jsonrpc":"2.0","method":"event","params":{"vhv":"vhv-1","type":"vm-started","vm":0}})";
  std::string b = R"({"jsonrpc":"2.0","method":"console","params":{"vhv":"vhv-1","data":"aGk="}})";
  std::string all = a + "\n" + b + "\r\n";
  size_t cut = a.size() + 10;  // The second line arrives in two pieces.
  ASSERT_EQ(::write(p.kernel, all.data(), cut), static_cast<ssize_t>(cut));
  auto first = p.client->next_notification(1000);
  ASSERT_TRUE(first.is_ok() && first.value().has_value());
  EXPECT_EQ(first.value()->params["type"], "vm-started");
  auto none = p.client->next_notification(20);
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none.value().has_value());  // Half a line is not a message.
  ASSERT_EQ(::write(p.kernel, all.data() + cut, all.size() - cut),
            static_cast<ssize_t>(all.size() - cut));
  auto second = p.client->next_notification(1000);
  ASSERT_TRUE(second.is_ok() && second.value().has_value());
  EXPECT_EQ(second.value()->method, "console");
  EXPECT_EQ(second.value()->params["data"], "aGk=");
  ::close(p.kernel);
}

TEST(ClientTest, GarbageFromKernelIsAProtocolError) {
  Pair p = make_pair();
  ASSERT_EQ(::write(p.kernel, "oops\n", 5), 5);
  auto note = p.client->next_notification(1000);
  ASSERT_TRUE(note.is_error());
  EXPECT_EQ(note.error().code, ErrorCode::Protocol);
  EXPECT_FALSE(p.client->connected());
  ::close(p.kernel);
}

}  // namespace
}  // namespace nestlab::client
