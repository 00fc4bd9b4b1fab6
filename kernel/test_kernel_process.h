// Test helpers: a private nestlabd (own socket, state dir and cgroup parent,
// always stopped and reaped) and a blocking JSON-RPC client for it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_line_socket.h"

namespace nestlab::kernel::test {

using nlohmann::json;

struct KernelOptions {
  std::string vhv_path;           // NESTLAB_VHV; empty: a path that does not exist
  std::vector<std::string> args;  // extra flags
  std::optional<uid_t> run_as;    // drop to this uid/gid before exec
  std::vector<std::pair<std::string, std::string>> env;  // extra environment (NESTLAB_QEMU, ...)
};

class TestKernel {
 public:
  explicit TestKernel(KernelOptions options = {});
  ~TestKernel();  // SIGTERM, then SIGKILL after 10 s; removes the directory
  TestKernel(const TestKernel&) = delete;
  TestKernel& operator=(const TestKernel&) = delete;

  bool started() const { return m_started; }
  const std::string& socket_path() const { return m_socket; }
  const std::string& dir() const { return m_dir; }
  pid_t pid() const { return m_pid; }
  // Waits (bounded) for the kernel to exit; its wait status, or -1.
  int wait_exit(int timeout_ms);
  std::string stderr_text() const;

 private:
  std::string m_dir, m_socket;
  pid_t m_pid = -1;
  bool m_started = false;
  int m_status = -1;
};

class TestClient {
 public:
  explicit TestClient(const std::string& socket_path);
  bool connected() const { return m_fd.valid(); }
  // Sends a request and returns its response (notifications that arrive
  // meanwhile are kept for next_notification). Null on timeout/EOF.
  json call(const std::string& method, json params = json::object(), std::vector<int> fds = {},
            int timeout_ms = 15000);
  void send_raw(const std::string& bytes, std::vector<int> fds = {});
  // The next line from the kernel, or null on timeout/EOF.
  json read_message(int timeout_ms = 5000);
  json next_notification(const std::string& method, int timeout_ms = 5000);
  bool closed_by_peer(int timeout_ms = 3000);
  void close() { m_fd.reset(); }
  int fd() const { return m_fd.get(); }

 private:
  UniqueFd m_fd;
  LineReader m_reader;
  int m_next_id = 1;
  std::vector<json> m_notifications;
};

// Is something alive with this PID (and not a zombie)?
bool process_alive(pid_t pid);
std::string nestlabd_path();
// The real highvisor next to nestlabd (or NESTLAB_VHV), and the share
// directory with lowvisor.elf and guests/ beside it.
std::string real_highvisor_path();
std::string share_dir();
// Empty when the real highvisor, the lowvisor, the guest and QEMU are all
// there; otherwise why not (tests skip saying so).
std::string missing_for_real_vhv(const std::string& guest = "hello.elf");

}  // namespace nestlab::kernel::test
