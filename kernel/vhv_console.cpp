// Typing into a guest console: the `console-input` request to the
// highvisor (protocols.md section 2).
#include "kernel/vhv.h"

#include "base/control_protocol.h"

namespace nestlab::kernel {

void Vhv::console_input(int vm, const std::string& data_base64, Reply reply) {
  request(control::kConsoleInput, {{"vm", vm}, {"data", data_base64}}, {}, std::move(reply));
}

}  // namespace nestlab::kernel
