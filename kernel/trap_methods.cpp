// The trap observation API (protocols.md "Trap observation and guestinfo"):
// vm.stats, vm.trace (with follow), guestinfo.get, guestinfo.set. The data
// lives in the VHV's shared RAM; the highvisor reads it on request.
#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "kernel/kernel.h"

#include "base/control_protocol.h"
#include "kernel/params.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

constexpr auto kFollowPeriod = std::chrono::milliseconds(200);
constexpr uint64_t kMaxVm = 0;  // one VM per VHV for now

HostResult<void> check_vm(const Params& p) {
  auto vm = TRY(p.optional_uint("vm", 0, 1u << 16));
  if (vm && *vm > kMaxVm)
    return nestlab::make_error(ErrorCode::NotFound,
                               "no VM " + std::to_string(*vm) + " (this VHV runs VM 0 only)");
  return {};
}

HostResult<Vhv*> require_running(Vhv* vhv) {
  if (!vhv->alive() || !vhv->was_ready())
    return nestlab::make_error(ErrorCode::Unavailable, "VHV " + vhv->record().name + " is " +
                                                           vhv_state_name(vhv->record().state));
  return vhv;
}

}  // namespace

// Follows one VM's trace for one client until either goes away. Owned by
// its own pending timer callback.
struct Kernel::TraceFollow : std::enable_shared_from_this<TraceFollow> {
  TraceFollow(boost::asio::io_context& io, uint64_t client, std::string vhv, json cursor)
      : timer(io), client_id(client), vhv_id(std::move(vhv)), cursor(std::move(cursor)) {}
  boost::asio::steady_timer timer;
  uint64_t client_id;
  std::string vhv_id;
  json cursor;
};

void Kernel::follow_trace(std::shared_ptr<TraceFollow> f) {
  f->timer.expires_after(kFollowPeriod);
  f->timer.async_wait([this, f](const boost::system::error_code& ec) {
    if (ec) return;
    auto client = m_clients.find(f->client_id);
    if (client == m_clients.end()) return;  // the client left: stop following
    auto vhv = m_vhvs.find(f->vhv_id);
    if (vhv == m_vhvs.end() || !vhv->second->alive()) {
      send(*client->second, make_notification("trace", {{"vhv", f->vhv_id},
                                                        {"vm", 0},
                                                        {"entries", json::array()},
                                                        {"lost", 0},
                                                        {"end", true}}));
      return;
    }
    vhv->second->call(
        control::kTrace, {{"cursor", f->cursor}, {"limit", 1024}}, [this, f](HostResult<json> r) {
          auto client = m_clients.find(f->client_id);
          if (client == m_clients.end()) return;
          if (r.is_ok() && r.value().is_object()) {
            const json& t = r.value();
            if (t.contains("cursor")) f->cursor = t["cursor"];
            const json entries = t.value("entries", json::array());
            const uint64_t lost = t.value("lost", uint64_t{0});
            if (!entries.empty() || lost)
              send(*client->second,
                   make_notification(
                       control::kTrace,
                       {{"vhv", f->vhv_id}, {"vm", 0}, {"entries", entries}, {"lost", lost}}));
          }
          follow_trace(f);
        });
  });
}

void Kernel::vm_stats(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm"});
    TRY(p.check_unknown());
    TRY(check_vm(p));
    return find_vhv(client, TRY(p.string("vhv")));
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  Vhv* vhv = found.value();
  const VhvRecord& r = vhv->record();
  json base{{"vhv", r.id}, {"name", r.name}, {"vm", 0}, {"state", vhv_state_name(r.state)}};
  if (!vhv->alive() || !vhv->was_ready()) {
    base["counters"] = r.vm ? r.vm->counters : json::object();
    base["live"] = false;
    return reply(std::move(base));
  }
  vhv->call(control::kStats, nullptr,
            [base, reply = std::move(reply)](HostResult<json> stats) mutable {
              if (stats.is_error()) return reply(Err<Error>{stats.release_error()});
              json out = base;
              const json& s = stats.value();
              out["live"] = true;
              out["counters"] = s.value("counters", json::object());
              out["total_exits"] = s.value("total_exits", uint64_t{0});
              out["guest_entries"] = s.value("guest_entries", uint64_t{0});
              out["trap"] = s.value("trap", json::object());
              out["uuid"] = s.value("uuid", std::string());
              if (s.contains("guest_time_ns")) out["guest_time_ns"] = s["guest_time_ns"];
              reply(std::move(out));
            });
}

void Kernel::vm_trace(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  bool follow = false;
  json forward = json::object();
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm", "limit", "cursor", "follow"});
    TRY(p.check_unknown());
    TRY(check_vm(p));
    auto limit = TRY(p.optional_uint("limit", 1, 1024));
    follow = TRY(p.optional_bool("follow")).value_or(false);
    if (request.params.contains("cursor")) {
      const json& c = request.params["cursor"];
      bool ok = c.is_array() && c.size() <= 64;
      if (ok)
        for (const auto& v : c) ok = ok && v.is_number_unsigned();
      if (!ok)
        return nestlab::make_error(ErrorCode::Protocol,
                                   "parameter \"cursor\" must be the array of numbers a previous "
                                   "vm.trace returned");
      forward["cursor"] = c;
    }
    forward["limit"] = limit.value_or(64);
    Vhv* vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    return require_running(vhv);
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  std::string vhv_id = found.value()->record().id;
  uint64_t client_id = client.id;
  found.value()->call(
      control::kTrace, forward,
      [this, follow, vhv_id, client_id, reply = std::move(reply)](HostResult<json> r) {
        if (r.is_error()) return reply(Err<Error>{r.release_error()});
        json out = r.value();
        out["vhv"] = vhv_id;
        out["vm"] = 0;
        out["following"] = follow;
        json cursor = out.value("cursor", json::array());
        reply(std::move(out));
        if (follow)
          follow_trace(std::make_shared<TraceFollow>(m_io, client_id, vhv_id, std::move(cursor)));
      });
}

void Kernel::guestinfo_get(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  json forward = json::object();
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm", "key"});
    TRY(p.check_unknown());
    TRY(check_vm(p));
    if (auto key = TRY(p.optional_string("key"))) forward["key"] = *key;
    return require_running(TRY(find_vhv(client, TRY(p.string("vhv")))));
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  found.value()->call(control::kGuestinfo, forward, std::move(reply));
}

void Kernel::guestinfo_set(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  json forward = json::object();
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm", "key", "value"});
    TRY(p.check_unknown());
    TRY(check_vm(p));
    forward["key"] = TRY(p.string("key"));
    forward["value"] = TRY(p.string("value"));
    return require_running(TRY(find_vhv(client, TRY(p.string("vhv")))));
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  found.value()->call(control::kGuestinfo, forward, std::move(reply));
}

}  // namespace nestlab::kernel
