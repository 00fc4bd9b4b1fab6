// vm.run's "net": "NAME" (`--net NAME`): the VM gets a port on its VHV
// owner's lab network NAME (net_registry.h), made here, after every other
// check of the run, so that a refused run never holds one.
#include "kernel/kernel.h"

namespace nestlab::kernel {

using json = nlohmann::json;

HostResult<std::optional<NetPortGrant>> Kernel::take_net(const json& params, const Vhv& vhv,
                                                         json& forward) {
  auto it = params.find("net");
  if (it == params.end() || it->is_null()) return std::optional<NetPortGrant>();
  if (!it->is_string())
    return nestlab::make_error(ErrorCode::Protocol,
                               "parameter \"net\" must be a lab network's name (a string)");
  // The owner's network, whoever asks: root running a VM in a student's
  // VHV puts it on the student's network, never on root's.
  NetPortGrant grant =
      TRY(m_networks.join(vhv.record().owner_uid, it->get<std::string>(), vhv.record().id));
  forward["net"] = {{"mac_key", grant.mac_key}};
  return std::optional<NetPortGrant>(std::move(grant));
}

}  // namespace nestlab::kernel
