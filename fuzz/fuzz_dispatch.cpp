// The whole client API in one process: a real Kernel (session mode, its own
// socket and state folder) and, per input, one client connection that sends
// the input as its lines and hangs up. Whatever the lines say (any method,
// any params, half a line at the end), the kernel answers or closes and
// stays up for the next input. VHVs cannot start here (no highvisor), so
// vhv.create and friends run their checks and fail cleanly.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "kernel/kernel.h"
#include "kernel/options.h"

namespace {

struct Fixture {
  boost::asio::io_context io;
  std::unique_ptr<nestlab::kernel::Kernel> kernel;
  std::string socket_path;

  Fixture() {
    char dir[] = "/tmp/nestlab-fuzz-kernel-XXXXXX";
    if (!::mkdtemp(dir)) std::abort();
    nestlab::kernel::Options o;
    o.mode = nestlab::kernel::Mode::Session;
    o.socket_path = std::string(dir) + "/nestlabd.sock";
    o.state_dir = std::string(dir) + "/state";
    o.vhv_path = std::string(dir) + "/no-highvisor";
    o.jail = false;
    o.limits.vhvs = 4;
    socket_path = o.socket_path;
    auto k = nestlab::kernel::Kernel::create(io, o);
    if (k.is_error()) {
      std::fprintf(stderr, "fuzz_dispatch: %s\n", k.error().message.c_str());
      std::abort();
    }
    kernel = k.release_value();
    kernel->start();
    io.poll();
  }
};

Fixture& fixture() {
  static Fixture* f = new Fixture;  // lives for the process: the kernel under test
  return *f;
}

int connect_client(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) std::abort();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  Fixture& f = fixture();
  const int fd = connect_client(f.socket_path);
  size_t sent = 0;
  bool closed = false;
  char buf[65536];
  // Until the kernel has answered and gone quiet: idle counts the rounds in
  // which neither the kernel ran a handler nor a byte came back (a
  // subscription keeps a connection open; then we hang up).
  int idle = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!closed && idle < 20 && std::chrono::steady_clock::now() < deadline) {
    if (sent < size) {
      const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
      if (n > 0) sent += size_t(n);
      if (sent == size) ::shutdown(fd, SHUT_WR);
    } else if (size == 0 && idle == 0) {
      ::shutdown(fd, SHUT_WR);
    }
    bool progress = f.io.run_one_for(std::chrono::milliseconds(1)) > 0;
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        progress = true;
        continue;
      }
      if (n == 0) closed = true;
      break;
    }
    idle = (progress || sent < size) ? 0 : idle + 1;
  }
  ::close(fd);
  f.io.poll();
  return 0;
}
