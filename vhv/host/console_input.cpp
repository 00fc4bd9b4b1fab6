#include "vhv/host/console_input.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "base/base64.h"
#include "vhv/common/channel.h"
#include "vhv/common/layout.h"
#include "vhv/host/control_channel.h"
#include "vhv/host/frame_codec.h"

namespace nestlab::vhv {
bool write_fully(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 1000) <= 0) return false;
    } else {
      return false;
    }
  }
  return true;
}

namespace {

using json = nlohmann::json;
constexpr size_t kChunk = 64;

}  // namespace

json send_console_input(int serial_fd, const json& params) {
  if (!params.is_object() || !params.contains("data") || !params["data"].is_string())
    return control_error("invalid-argument", "console-input needs \"data\" (base64)");
  auto bytes = base64_decode(params["data"].get<std::string>());
  if (bytes.is_error())
    return control_error("invalid-argument", "console-input data is not base64");
  const std::string& data = bytes.value();
  if (data.size() > kMaxConsoleInput)
    return control_error(
        "invalid-argument",
        "console-input carries at most " + std::to_string(kMaxConsoleInput) + " bytes per request");
  const json vm_param = params.value("vm", json(0));
  if (!vm_param.is_number_unsigned() || vm_param.get<uint64_t>() >= layout::kMaxVms)
    return control_error("not-found", "console-input: no VM " + vm_param.dump());
  const unsigned vm = vm_param.get<unsigned>();
  std::string frames;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    uint8_t payload[1 + kChunk];
    payload[0] = static_cast<uint8_t>(vm);
    const size_t n = std::min(kChunk, data.size() - at);
    std::memcpy(payload + 1, data.data() + at, n);
    frames += encode_frame(channel::FrameType::ConsoleIn, payload, static_cast<uint16_t>(n + 1));
  }
  if (!write_fully(serial_fd, frames))
    return control_error("io", std::string("cannot reach the lowvisor: ") + std::strerror(errno));
  return json{{"result", {{"bytes", data.size()}}}};
}

}  // namespace nestlab::vhv
