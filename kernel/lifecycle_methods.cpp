// vhv.stop and vhv.start: a VHV's highvisor (and QEMU, and the guest) shut
// down while the VHV stays listed with its name, owner, tenant and limits,
// and a new highvisor for it later — virsh shutdown/start for VHVs.
#include "kernel/kernel.h"
#include "kernel/params.h"

namespace nestlab::kernel {

using nlohmann::json;

void Kernel::vhv_stop(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto found = [&]() -> HostResult<Vhv*> {
    Vhv* vhv = TRY(only_vhv_param(client, request.params));
    const VhvRecord& r = vhv->record();
    if (!vhv->alive())
      return nestlab::make_error(ErrorCode::InvalidArgument, "VHV " + r.name + " is already " +
                                                                 vhv_state_name(r.state) +
                                                                 " (vhv.start runs it again)");
    if (!vhv->was_ready())
      return nestlab::make_error(
          ErrorCode::Unavailable,
          "VHV " + r.name + " is still starting; wait until it is ready, or destroy it");
    return vhv;
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  const std::string id = found.value()->record().id;
  found.value()->stop([this, id, reply = std::move(reply)] {
    auto it = m_vhvs.find(id);
    if (it == m_vhvs.end())
      return reply(nestlab::make_error(ErrorCode::NotFound,
                                       "VHV " + id + " was destroyed while it stopped"));
    reply(to_json(it->second->record()));
  });
}

void Kernel::vhv_start(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto started = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv"});
    TRY(p.check_unknown());
    Vhv* old = TRY(find_vhv(client, TRY(p.string("vhv"))));
    const VhvRecord r = old->record();  // a copy: `old` goes below
    if (old->alive())
      return nestlab::make_error(ErrorCode::InvalidArgument,
                                 "VHV " + r.name + " is " + vhv_state_name(r.state) +
                                     "; only a stopped or failed VHV can be started");
    // Its images were read once when it was created; nothing keeps them.
    if (!r.hypervisor.empty())
      return nestlab::make_error(ErrorCode::InvalidArgument,
                                 "VHV " + r.name + " ran the hypervisor " + r.hypervisor +
                                     ", which cannot be started again; create a new VHV with "
                                     "`nestlab vhv create --hypervisor`");
    VhvConfig config;
    config.id = r.id;
    config.name = r.name;
    config.owner_uid = r.owner_uid;
    config.mem = r.mem;
    config.smp = r.smp;
    config.ephemeral = r.ephemeral;
    config.creator_connection = client.id;
    config.vhv_path = m_options.vhv_path;
    config.tenant = r.tenant;
    config.limits.cpu_weight = r.cpu_weight;
    config.limits.cpu_quota_percent = r.cpu_quota;
    config.cgroup_path = tenant_cgroup(r.tenant) + "/" + r.id;
    config.jail_root = m_options.jail ? m_options.state_dir + "/jail" : "";
    config.uid_range = m_options.vhv_uids;
    config.state_dir = m_options.state_dir + "/vhvs/" + r.id;
    TRY(prepare_tenant_group(r.tenant));
    auto vhv = TRY(Vhv::create(m_io, config, *this));
    Vhv* raw = vhv.get();
    m_vhvs[r.id] = std::move(vhv);  // the stopped record gives way; its console stream stays
    return raw;
  }();
  if (started.is_error()) return reply(Err<Error>{started.release_error()});
  started.value()->when_ready(std::move(reply));
}

}  // namespace nestlab::kernel
