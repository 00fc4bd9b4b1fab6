// nestlabd as a process: framing, error paths and its own life (start,
// refuse a second kernel, stale socket, signals, idle exit, session mode).
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>

#include "kernel/test_kernel_process.h"

namespace nestlab::kernel::test {
namespace {

// sendmsg with `count` copies of fd, past what the kernel accepts.
void send_with_many_fds(int sock, int fd, int count) {
  std::string line = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"kernel.hello\"}\n";
  std::vector<int> fds(static_cast<size_t>(count), fd);
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  iovec iov{line.data(), line.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
  std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  ASSERT_GT(::sendmsg(sock, &msg, MSG_NOSIGNAL), 0);
}

int error_code(const json& response) {
  return response.is_object() && response.contains("error") ? response["error"]["code"].get<int>()
                                                            : 0;
}

TEST(KernelApi, HelloDescribesTheKernel) {
  TestKernel kernel;
  ASSERT_TRUE(kernel.started()) << kernel.stderr_text();
  TestClient client(kernel.socket_path());
  json r = client.call("kernel.hello");
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["pid"], kernel.pid());
  EXPECT_EQ(r["result"]["mode"], ::geteuid() == 0 ? "system" : "session");
  EXPECT_EQ(r["result"]["peer_uid"], ::geteuid());
  struct stat st;
  ASSERT_EQ(::stat(kernel.socket_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, ::geteuid() == 0 ? 0660u : 0600u);
}

TEST(KernelApi, GarbageGetsClearErrorsAndTheKernelStaysUp) {
  TestKernel kernel;
  ASSERT_TRUE(kernel.started());
  TestClient c(kernel.socket_path());
  struct Case {
    const char* line;
    int code;
  } cases[] = {
      {"this is not json", -32700},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,", -32700},
      {"\xff\xfe\xfd", -32700},
      {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"kernel.hello\"}]", -32600},
      {"\"just a string\"", -32600},
      {"{\"id\":1,\"method\":\"kernel.hello\"}", -32600},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", -32600},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"no.such\"}", -32601},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.inspect\"}", -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.inspect\",\"params\":{\"vhv\":5}}", -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.create\",\"params\":{\"mem\":-5}}", -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.create\",\"params\":{\"mem\":1.5}}", -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.create\",\"params\":{\"smp\":99}}", -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.create\",\"params\":{\"memory\":1}}",
       -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.create\",\"params\":{\"name\":\"../etc\"}}",
       -32000},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.create\",\"params\":[]}", -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vm.run\",\"params\":{\"vhv\":\"x\"}}", -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vm.run\",\"params\":{\"vhv\":\"x\",\"image_fd\":"
       "0}}",
       -32602},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.destroy\",\"params\":{\"vhv\":\"nope\"}}",
       -32000},
      {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"console.subscribe\",\"params\":{}}", -32602},
  };
  for (const auto& tc : cases) {
    c.send_raw(std::string(tc.line) + "\n");
    json r = c.read_message();
    EXPECT_EQ(error_code(r), tc.code) << tc.line << " -> " << r;
    if (r.is_object() && r.contains("error")) {
      EXPECT_FALSE(r["error"]["message"].get<std::string>().empty());
    }
  }
  // Empty lines are not requests; a notification gets no reply.
  c.send_raw("\n{\"jsonrpc\":\"2.0\",\"method\":\"kernel.hello\"}\n");
  json r = c.call("kernel.hello");
  EXPECT_TRUE(r.contains("result")) << r;
  EXPECT_TRUE(process_alive(kernel.pid()));
}

TEST(KernelApi, BadFileDescriptorsAreRefused) {
  TestKernel kernel;
  ASSERT_TRUE(kernel.started());
  TestClient c(kernel.socket_path());
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  // An index past the fds sent, and an fd that is not a file.
  json r = c.call("vm.run", {{"vhv", "x"}, {"image_fd", 2}}, {p[0]});
  EXPECT_EQ(error_code(r), -32602) << r;
  r = c.call("vm.run", {{"vhv", "x"}, {"image_fd", 0}}, {p[0]});
  EXPECT_EQ(error_code(r), -32000) << r;
  EXPECT_EQ(r["error"]["data"]["code"], "invalid-argument");
  // More fds on one message than the kernel takes: refused and disconnected.
  send_with_many_fds(c.fd(), p[0], 40);
  EXPECT_TRUE(c.closed_by_peer());
  ::close(p[0]);
  ::close(p[1]);
  TestClient again(kernel.socket_path());
  EXPECT_TRUE(again.call("kernel.hello").contains("result"));
}

TEST(KernelApi, OverlongLineIsRefusedAndClosed) {
  TestKernel kernel;
  ASSERT_TRUE(kernel.started());
  TestClient c(kernel.socket_path());
  std::string big(1100 * 1024, 'x');
  // Write from a helper so a full socket buffer cannot block the test.
  pid_t writer = ::fork();
  if (writer == 0) {
    (void)!::write(c.fd(), big.data(), big.size());
    ::_exit(0);
  }
  json r = c.read_message(5000);
  EXPECT_EQ(error_code(r), -32600) << r;
  EXPECT_TRUE(c.closed_by_peer());
  ::kill(writer, SIGKILL);
  ::waitpid(writer, nullptr, 0);
  TestClient again(kernel.socket_path());
  EXPECT_TRUE(again.call("kernel.hello").contains("result"));
}

// The request that ended nestlabd with a stack overflow: params nested
// 500,000 deep in one 1 MB line. It gets -32600 and the next request on
// the same connection is answered.
TEST(KernelApi, AHalfMillionDeepRequestIsRefusedAndTheNextAnswered) {
  TestKernel kernel;
  ASSERT_TRUE(kernel.started());
  TestClient c(kernel.socket_path());
  const size_t n = 500000;
  std::string line = R"({"jsonrpc":"2.0","id":1,"method":"vhv.inspect","params":{"name":)" +
                     std::string(n, '[') + std::string(n, ']') + "}}\n";
  pid_t writer = ::fork();  // a full socket buffer must not block the test
  if (writer == 0) {
    (void)!::write(c.fd(), line.data(), line.size());
    ::_exit(0);
  }
  json r = c.read_message(20000);
  ::waitpid(writer, nullptr, 0);
  EXPECT_EQ(error_code(r), -32600) << r;
  EXPECT_TRUE(process_alive(kernel.pid()));
  EXPECT_TRUE(c.call("kernel.hello").contains("result"));
}

TEST(KernelApi, ClientsVanishingMidRequestDoNotHurt) {
  TestKernel kernel;
  ASSERT_TRUE(kernel.started());
  for (int i = 0; i < 20; ++i) {
    TestClient c(kernel.socket_path());
    c.send_raw(i % 2 ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"meth"
                     : "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vhv.list\"}\n");
    c.close();
  }
  TestClient c(kernel.socket_path());
  EXPECT_TRUE(c.call("vhv.list").contains("result"));
}

TEST(KernelLife, RefusesASecondKernelAndReplacesAStaleSocket) {
  TestKernel first;
  ASSERT_TRUE(first.started());
  pid_t second = ::fork();
  if (second == 0) {
    ::setenv("NESTLAB_SOCKET", first.socket_path().c_str(), 1);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 2);
    ::execl(nestlabd_path().c_str(), "nestlabd", nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(second, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  EXPECT_TRUE(TestClient(first.socket_path()).call("kernel.hello").contains("result"));

  // A kernel killed hard leaves its socket file; the next one replaces it.
  std::string path = first.socket_path();
  ::kill(first.pid(), SIGKILL);
  first.wait_exit(5000);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0) << "expected a stale socket file";
  pid_t third = ::fork();
  if (third == 0) {
    ::setenv("NESTLAB_SOCKET", path.c_str(), 1);
    ::execl(nestlabd_path().c_str(), "nestlabd", "--idle-exit", "1", nullptr);
    ::_exit(127);
  }
  bool answered = false;
  for (int i = 0; i < 100 && !answered; ++i) {
    ::usleep(20000);
    TestClient c(path);
    answered = c.connected() && c.call("kernel.hello", json::object(), {}, 2000).contains("result");
  }
  EXPECT_TRUE(answered);
  ::kill(third, SIGTERM);
  ::waitpid(third, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(KernelLife, SigtermExitsCleanlyAndRemovesTheSocket) {
  TestKernel kernel;
  ASSERT_TRUE(kernel.started());
  ::kill(kernel.pid(), SIGTERM);
  int status = kernel.wait_exit(5000);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(::access(kernel.socket_path().c_str(), F_OK), 0);
}

TEST(KernelLife, IdleExit) {
  TestKernel kernel({.args = {"--idle-exit", "1"}});
  ASSERT_TRUE(kernel.started());
  {
    TestClient c(kernel.socket_path());
    ::usleep(1500 * 1000);  // a connected client keeps it alive
    EXPECT_TRUE(c.call("kernel.hello").contains("result"));
  }
  int status = kernel.wait_exit(5000);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(KernelLife, SessionModeAsAnOrdinaryUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  TestKernel kernel({.run_as = 65534});
  ASSERT_TRUE(kernel.started()) << kernel.stderr_text();
  struct stat st;
  ASSERT_EQ(::stat(kernel.socket_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_uid, 65534u);
  TestClient c(kernel.socket_path());  // root may connect to anything
  json r = c.call("kernel.hello");
  EXPECT_EQ(r["result"]["mode"], "session") << r;
  EXPECT_EQ(r["result"]["uid"], 65534);
}

}  // namespace
}  // namespace nestlab::kernel::test
