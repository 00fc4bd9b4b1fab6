// The client API's front door: bytes as a client sends them on the socket,
// split into lines by the same LineReader nestlabd uses (1 MiB cap), each
// line parsed as a JSON-RPC request (depth-bounded) and answered as the
// kernel would answer a malformed one.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <variant>

#include "base/json_line_socket.h"
#include "kernel/rpc.h"

namespace {

void answer(const std::string& text) {
  auto parsed = nestlab::kernel::parse_request(text);
  if (auto* e = std::get_if<nestlab::kernel::RpcError>(&parsed)) {
    (void)nestlab::kernel::to_line(nestlab::kernel::make_error_response(*e));
  } else {
    auto& r = std::get<nestlab::kernel::Request>(parsed);
    (void)nestlab::kernel::to_line(nestlab::kernel::make_result(r.id.value_or(nullptr), r.params));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  // Small reader cap so the over-long-line path is reached with small inputs.
  nestlab::LineReader reader(4096);
  size_t sent = 0;
  while (sent < size) {
    // The first byte of each chunk picks the chunk's length (1..64).
    const size_t chunk = std::min<size_t>(size - sent, 1 + (data[sent] & 63));
    if (::send(fds[0], data + sent, chunk, MSG_NOSIGNAL) != ssize_t(chunk)) break;
    sent += chunk;
    auto status = reader.read_some(fds[1]);
    if (status.is_error()) break;
    while (auto line = reader.next_line()) answer(line->text);
  }
  ::close(fds[0]);
  for (;;) {
    auto status = reader.read_some(fds[1]);
    if (status.is_error() || status.value() != nestlab::ReadStatus::Data) break;
    while (auto line = reader.next_line()) answer(line->text);
  }
  reader.discard();
  ::close(fds[1]);
  return 0;
}
