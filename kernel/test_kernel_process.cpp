#include "kernel/test_kernel_process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nestlab::kernel::test {

namespace {

// Test kernels put their VHV cgroups under nestlab-test-<our pid>; the
// kernel removes each VHV's group, and this removes the parent at the end.
class CgroupCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const char* c : {"cpu", "cpuacct", "memory", "pids"}) {
      std::string dir =
          std::string("/sys/fs/cgroup/") + c + "/nestlab-test-" + std::to_string(::getpid());
      ::rmdir(dir.c_str());
    }
  }
};
[[maybe_unused]] auto* const g_cleanup = ::testing::AddGlobalTestEnvironment(new CgroupCleanup);

}  // namespace

std::string nestlabd_path() { return NESTLABD_PATH; }
std::string real_highvisor_path() {
  const char* env = std::getenv("NESTLAB_VHV");
  if (env && *env) return env;
  std::string bin = nestlabd_path().substr(0, nestlabd_path().rfind('/'));
  return bin + "/nestlab-vhv";
}

std::string share_dir() {
  std::string bin = nestlabd_path().substr(0, nestlabd_path().rfind('/'));
  return bin.substr(0, bin.rfind('/')) + "/share/nestlab";
}

std::string missing_for_real_vhv(const std::string& guest) {
  if (::access(real_highvisor_path().c_str(), X_OK) != 0)
    return real_highvisor_path() + " is not built";
  if (::access((share_dir() + "/lowvisor.elf").c_str(), R_OK) != 0)
    return share_dir() + "/lowvisor.elf is not built";
  if (::access((share_dir() + "/guests/" + guest).c_str(), R_OK) != 0)
    return share_dir() + "/guests/" + guest + " is not built";
  bool qemu = false;
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"})
    qemu |= ::access((std::string(dir) + "/qemu-system-aarch64").c_str(), X_OK) == 0;
  if (!qemu) return "qemu-system-aarch64 is not installed";
  return "";
}

bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && line.size() > close_paren + 2 &&
         line[close_paren + 2] != 'Z';
}

TestKernel::TestKernel(KernelOptions options) {
  char tmpl[] = "/tmp/nestlabd-test-XXXXXX";
  m_dir = ::mkdtemp(tmpl);
  ::chmod(m_dir.c_str(), 0777);
  m_socket = m_dir + "/run/nestlab.sock";
  int ready[2];
  if (::pipe(ready) < 0) return;
  std::string cgroup_parent = "nestlab-test-" + std::to_string(::getpid());
  m_pid = ::fork();
  if (m_pid == 0) {
    ::close(ready[0]);
    int err = ::open((m_dir + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    ::dup2(err, 2);
    ::setenv("NESTLAB_SOCKET", m_socket.c_str(), 1);
    ::setenv("NESTLAB_STATE_DIR", (m_dir + "/state").c_str(), 1);
    ::setenv("NESTLAB_CGROUP_PARENT", cgroup_parent.c_str(), 1);
    ::setenv("NESTLAB_VHV",
             options.vhv_path.empty() ? "/nonexistent/nestlab-vhv" : options.vhv_path.c_str(), 1);
    for (auto& [name, value] : options.env) ::setenv(name.c_str(), value.c_str(), 1);
    if (options.run_as) {
      if (::setgroups(0, nullptr) ||
          ::setresgid(*options.run_as, *options.run_as, *options.run_as) ||
          ::setresuid(*options.run_as, *options.run_as, *options.run_as))
        ::_exit(126);
      ::unsetenv("XDG_RUNTIME_DIR");
    }
    std::vector<std::string> args{nestlabd_path(), "--foreground", "--ready-fd",
                                  std::to_string(ready[1])};
    for (auto& a : options.args) args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(ready[1]);
  pollfd p{ready[0], POLLIN, 0};
  char byte;
  m_started = ::poll(&p, 1, 5000) == 1 && ::read(ready[0], &byte, 1) == 1;
  ::close(ready[0]);
}

int TestKernel::wait_exit(int timeout_ms) {
  if (m_pid <= 0) return m_status;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      m_status = status;
      return status;
    }
    ::usleep(20000);
  }
  return -1;
}

TestKernel::~TestKernel() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    if (wait_exit(10000) == -1) {
      ::kill(m_pid, SIGKILL);
      wait_exit(5000);
    }
  }
  std::string rm = "rm -rf '" + m_dir + "'";
  (void)!::system(rm.c_str());
}

std::string TestKernel::stderr_text() const {
  std::ifstream in(m_dir + "/stderr");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TestClient::TestClient(const std::string& socket_path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
    m_fd = std::move(fd);
}

void TestClient::send_raw(const std::string& bytes, std::vector<int> fds) {
  OutgoingLine line{bytes, {}};
  for (int f : fds) line.fds.emplace_back(::dup(f));
  size_t sent = 0;
  (void)write_some(m_fd.get(), line, &sent);
}

json TestClient::read_message(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (auto line = m_reader.next_line()) {
      json j = json::parse(line->text, nullptr, false);
      return j.is_discarded() ? json("<unparseable: " + line->text + ">") : j;
    }
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
    if (left <= 0 || !m_fd) return nullptr;
    pollfd p{m_fd.get(), POLLIN, 0};
    if (::poll(&p, 1, left) != 1) return nullptr;
    auto st = m_reader.read_some(m_fd.get());
    if (st.is_error() || st.value() == ReadStatus::Eof) return nullptr;
  }
}

json TestClient::call(const std::string& method, json params, std::vector<int> fds,
                      int timeout_ms) {
  int id = m_next_id++;
  json req{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  send_raw(req.dump() + "\n", std::move(fds));
  for (;;) {
    json msg = read_message(timeout_ms);
    if (msg.is_null()) return nullptr;
    if (msg.is_object() && msg.contains("id") && msg["id"] == id) return msg;
    m_notifications.push_back(std::move(msg));
  }
}

json TestClient::next_notification(const std::string& method, int timeout_ms) {
  for (size_t i = 0; i < m_notifications.size(); ++i)
    if (m_notifications[i].value("method", "") == method) {
      json n = std::move(m_notifications[i]);
      m_notifications.erase(m_notifications.begin() + static_cast<long>(i));
      return n;
    }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    json msg = read_message(static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 deadline - std::chrono::steady_clock::now())
                                                 .count()));
    if (msg.is_null()) return nullptr;
    if (msg.is_object() && msg.value("method", "") == method) return msg;
    m_notifications.push_back(std::move(msg));
  }
  return nullptr;
}

bool TestClient::closed_by_peer(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{m_fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) != 1) continue;
    auto st = m_reader.read_some(m_fd.get());
    if (st.is_error() || st.value() == ReadStatus::Eof) return true;
    while (m_reader.next_line()) {
    }
  }
  return false;
}

}  // namespace nestlab::kernel::test
