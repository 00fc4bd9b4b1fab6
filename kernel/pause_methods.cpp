// S10: vhv.pause and vhv.resume (protocols.md "Pause and resume"). The
// highvisor stops and continues QEMU; on resume the VM's tick_policy (vm.run)
// decides what its guest time does with the pause.
#include "kernel/kernel.h"

#include "base/control_protocol.h"
#include "kernel/params.h"

#include <string_view>

namespace nestlab::kernel {

using nlohmann::json;

void Kernel::vhv_pause(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  forward_pause(client, request, control::kPause, std::move(reply));
}

void Kernel::vhv_resume(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  forward_pause(client, request, control::kResume, std::move(reply));
}

void Kernel::forward_pause(Client& client, Request& request, const char* method, Reply reply) {
  auto found = [&]() -> HostResult<Vhv*> {
    Vhv* vhv = TRY(only_vhv_param(client, request.params));
    if (!vhv->alive() || !vhv->was_ready())
      return nestlab::make_error(ErrorCode::Unavailable, "VHV " + vhv->record().name + " is " +
                                                             vhv_state_name(vhv->record().state));
    return vhv;
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  Vhv* vhv = found.value();
  json base{{"vhv", vhv->record().id}, {"name", vhv->record().name}};
  const bool pausing = std::string_view(method) == control::kPause;
  vhv->call(method, nullptr,
            [this, base, pausing, reply = std::move(reply)](HostResult<json> r) mutable {
              if (r.is_error()) return reply(Err<Error>{r.release_error()});
              // The VHV may have gone while the highvisor answered: look it up again.
              if (auto it = m_vhvs.find(base["vhv"].get<std::string>()); it != m_vhvs.end())
                it->second->set_paused(pausing);
              // Checked (control_checks.h); only its own fields are passed on,
              // so the highvisor cannot rename the VHV in the answer.
              json out = base;
              for (const char* key : {"paused", "paused_ms", "tick_policy"})
                if (r.value().contains(key)) out[key] = r.value()[key];
              reply(std::move(out));
            });
}

}  // namespace nestlab::kernel
