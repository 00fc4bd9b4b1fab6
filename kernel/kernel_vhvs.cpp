// Finding, naming and retiring VHVs, and telling subscribers what they do.
#include "base/base64.h"
#include "kernel/json_bounds.h"
#include "kernel/kernel.h"
#include "kernel/log.h"
#include "kernel/names.h"
#include "kernel/params.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {
constexpr size_t kMaxVhvName = 32;  // as validate_vhv_name allows
}  // namespace

HostResult<Vhv*> Kernel::only_vhv_param(const Client& client, const json& params) {
  Params p(params, {"vhv"});
  TRY(p.check_unknown());
  return find_vhv(client, TRY(p.string("vhv")));
}

HostResult<Vhv*> Kernel::find_vhv(const Client& client, const std::string& id_or_name) {
  Vhv* found = nullptr;
  auto it = m_vhvs.find(id_or_name);
  if (it != m_vhvs.end()) found = it->second.get();
  for (auto& [id, vhv] : m_vhvs)
    if (!found && vhv->record().name == id_or_name) found = vhv.get();
  // Someone else's VHV is reported exactly like a missing one, so the API
  // does not reveal what other users run.
  if (!found || !client.may_see(found->record().owner_uid))
    return nestlab::make_error(ErrorCode::NotFound,
                               "no VHV " + text_preview(id_or_name) + " (see vhv.list)");
  return found;
}

HostResult<std::string> Kernel::next_id() {
  for (;;) {
    std::string id = TRY(m_vhv_ids.take());
    bool taken = false;
    for (auto& [_, vhv] : m_vhvs) taken |= vhv->record().name == id || vhv->record().id == id;
    if (!taken) return id;
  }
}

HostResult<std::string> Kernel::choose_name(const std::optional<std::string>& wanted) {
  if (!wanted) return next_id();
  // Checked here first so that a huge name is not quoted back whole.
  if (wanted->size() > kMaxVhvName)
    return nestlab::make_error(ErrorCode::InvalidArgument,
                               "invalid VHV name " + text_preview(*wanted) + ": at most " +
                                   std::to_string(kMaxVhvName) + " characters");
  TRY(validate_vhv_name(*wanted));
  for (auto& [id, vhv] : m_vhvs)
    if (vhv->record().name == *wanted || id == *wanted)
      return nestlab::make_error(
          ErrorCode::AlreadyExists,
          "the name \"" + *wanted + "\" is already in use; choose another or destroy that VHV");
  return *wanted;
}

uid_t Kernel::owner_of(const std::string& id) const {
  auto it = m_vhvs.find(id);
  return it == m_vhvs.end() ? 0 : it->second->record().owner_uid;
}

void Kernel::destroy_vhv(const std::string& id, std::function<void()> done) {
  auto it = m_vhvs.find(id);
  if (it == m_vhvs.end()) {
    done();
    return;
  }
  if (!it->second->alive()) {
    m_console_broker.drop_vhv(id);
    m_vhvs.erase(it);  // only a record was left
    done();
    return;
  }
  it->second->destroy(std::move(done));
}

void Kernel::on_vhv_exited(Vhv& vhv) {
  // A destroyed VHV goes away; so does one that never became ready (its
  // creator got an error, not an id). Others stay listed as stopped/failed
  // so their owner can see what happened, until vhv.destroy.
  std::string tenant = vhv.record().tenant;
  if (vhv.destroying() || !vhv.was_ready()) {
    m_console_broker.drop_vhv(vhv.record().id);
    m_vhvs.erase(vhv.record().id);
  }
  release_tenant_group(tenant);
}

void Kernel::on_vhv_event(const Vhv& vhv, json event) {
  const VhvRecord& r = vhv.record();
  if (event.value("type", "") == "log" && event["text"].is_string())
    console_output(vhv, kVhvStream, event["text"].get<std::string>() + "\n");
  event["vhv"] = r.id;
  std::string line = to_line(make_notification("event", std::move(event)));
  for (auto& [_, client] : m_clients)
    if (client->may_see(r.owner_uid) && (client->events_all || client->event_vhvs.count(r.id)))
      client->channel->send(line);
}

void Kernel::on_vhv_console(const Vhv& vhv, int vm, const std::string& data) {
  const VhvRecord& r = vhv.record();
  if (auto bytes = base64_decode(data); bytes.is_ok()) console_output(vhv, vm, bytes.value());
  std::string line =
      to_line(make_notification("console", {{"vhv", r.id}, {"vm", vm}, {"data", data}}));
  for (auto& [_, client] : m_clients)
    if (client->may_see(r.owner_uid) &&
        (client->consoles.count({r.id, vm}) || client->consoles.count({r.id, -1}) ||
         console_reads(*client, r.id, vm)))
      client->channel->send(line);
}

}  // namespace nestlab::kernel
