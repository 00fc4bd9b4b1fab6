// The VMs of a VHV (issue 13, protocols.md §1): vm.list and vm.stop. A VM's id
// is its slot in the VHV (kernel/vm_ids.h); the record keeps the last VM of
// each slot, running or exited.
#include "kernel/kernel.h"
#include "kernel/params.h"
#include "kernel/vm_ids.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

bool running(const VmRecord& v) { return v.state == "running" || v.state == "stopping"; }

}  // namespace

HostResult<void> check_vm_room(const VhvRecord& r, std::optional<uint64_t> vm) {
  if (vm) {
    if (const VmRecord* v = r.find_vm(static_cast<int>(*vm)); v && running(*v))
      return nestlab::make_error(ErrorCode::InvalidArgument,
                                 "VM " + std::to_string(*vm) + " of VHV " + r.name +
                                     " is still running; stop it with `nestlab vm stop " + r.name +
                                     " --vm " + std::to_string(*vm) +
                                     "` or leave out vm to take a free slot");
    return {};
  }
  size_t busy = 0;
  for (const VmRecord& v : r.vms) busy += running(v) ? 1 : 0;
  if (busy > kMaxVmId)
    return nestlab::make_error(ErrorCode::InvalidArgument,
                               "VHV " + r.name + " already runs " + std::to_string(busy) +
                                   " VMs, the most a VHV can; stop one with `nestlab vm stop`");
  return {};
}

void Kernel::vm_list(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto found = only_vhv_param(client, request.params);
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  const VhvRecord& r = found.value()->record();
  json vms = json::array();
  for (const VmRecord& v : r.vms) vms.push_back(vm_to_json(v));
  reply(json{{"vhv", r.id}, {"name", r.name}, {"max_vms", kMaxVmId + 1}, {"vms", std::move(vms)}});
}

void Kernel::vm_stop(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  int vm = 0;
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm"});
    TRY(p.check_unknown());
    Vhv* vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    auto which = TRY(p.optional_uint("vm", 0, 1u << 16));
    if (!which) return nestlab::make_error(ErrorCode::Protocol, "parameter \"vm\" is required");
    vm = TRY(check_vm_id(*which));
    const VhvRecord& r = vhv->record();
    const VmRecord* v = r.find_vm(vm);
    if (!v)
      return nestlab::make_error(ErrorCode::NotFound, "VHV " + r.name + " has no VM " +
                                                          std::to_string(vm) + " (see vm.list)");
    if (v->state == "exited")
      return nestlab::make_error(
          ErrorCode::InvalidArgument,
          "VM " + std::to_string(vm) + " of VHV " + r.name + " is not running: it exited (" +
              (v->reason.empty() ? std::string("?") : v->reason) +
              (v->exit_code ? ", code " + std::to_string(*v->exit_code) : std::string()) + ")");
    if (!running(*v))
      return nestlab::make_error(
          ErrorCode::InvalidArgument,
          "VM " + std::to_string(vm) + " of VHV " + r.name + " is " + v->state + ", not running");
    if (!vhv->alive())
      return nestlab::make_error(ErrorCode::Unavailable,
                                 "VHV " + r.name + " is " + vhv_state_name(r.state));
    return vhv;
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  std::string id = found.value()->record().id;
  found.value()->stop_vm(vm, [id, vm, reply = std::move(reply)](HostResult<json> r) {
    if (r.is_error()) return reply(std::move(r));
    reply(json{{"vhv", id}, {"vm", vm}, {"stopping", true}});
  });
}

}  // namespace nestlab::kernel
