// The trap observation API (protocols.md "Trap observation and guestinfo"):
// vm.stats, vm.trace (with follow), guestinfo.get, guestinfo.set. The data
// lives in the VHV's shared RAM; the highvisor reads it on request.
#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "kernel/kernel.h"

#include "base/control_protocol.h"
#include "kernel/json_bounds.h"
#include "kernel/params.h"
#include "kernel/user_usage.h"
#include "kernel/vm_ids.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

constexpr auto kFollowPeriod = std::chrono::milliseconds(200);

// params.vm (default 0), a VM the VHV has: VM 0 always (a fresh VHV shows
// zero counts, as before issue 13), any other once it ran.
HostResult<int> check_vm(const Params& p) {
  auto vm = TRY(p.optional_uint("vm", 0, 1u << 16));
  return check_vm_id(vm.value_or(0));
}

HostResult<int> known_vm(const Vhv& vhv, int vm) {
  if (vm != 0 && !vhv.record().find_vm(vm))
    return nestlab::make_error(ErrorCode::NotFound, "VHV " + vhv.record().name + " has no VM " +
                                                        std::to_string(vm) + " (see vm.list)");
  return vm;
}

// Fields of a checked reply (control_checks.h), or a default when absent.
uint64_t count_or_zero(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && is_count(*it) ? it->get<uint64_t>() : 0;
}

json field_or(const json& j, const char* key, json fallback) {
  auto it = j.find(key);
  return it != j.end() && !it->is_null() ? *it : fallback;
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
  TraceFollow(boost::asio::io_context& io, uint64_t client, std::shared_ptr<UserUsage> usage,
              std::string vhv, int vm, json cursor)
      : timer(io),
        slot(std::move(usage), &UserUsage::trace_followers),
        client_id(client),
        vhv_id(std::move(vhv)),
        vm(vm),
        cursor(std::move(cursor)) {}
  boost::asio::steady_timer timer;
  UsageSlot slot;  // counts against the user's trace-followers bound while it runs
  uint64_t client_id;
  std::string vhv_id;
  int vm;
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
                                                        {"vm", f->vm},
                                                        {"entries", json::array()},
                                                        {"lost", 0},
                                                        {"end", true}}));
      return;
    }
    vhv->second->call(
        control::kTrace, {{"vm", f->vm}, {"cursor", f->cursor}, {"limit", 1024}},
        [this, f](HostResult<json> r) {
          auto client = m_clients.find(f->client_id);
          if (client == m_clients.end()) return;
          if (r.is_ok()) {
            const json& t = r.value();  // checked: entries, cursor, lost
            f->cursor = field_or(t, "cursor", f->cursor);
            const json entries = field_or(t, "entries", json::array());
            const uint64_t lost = count_or_zero(t, "lost");
            if (!entries.empty() || lost)
              send(*client->second,
                   make_notification(
                       control::kTrace,
                       {{"vhv", f->vhv_id}, {"vm", f->vm}, {"entries", entries}, {"lost", lost}}));
          }
          follow_trace(f);
        });
  });
}

void Kernel::vm_stats(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  int vm = 0;
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm"});
    TRY(p.check_unknown());
    vm = TRY(check_vm(p));
    Vhv* vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    TRY(known_vm(*vhv, vm));
    return vhv;
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  Vhv* vhv = found.value();
  const VhvRecord& r = vhv->record();
  json base{{"vhv", r.id}, {"name", r.name}, {"vm", vm}, {"state", vhv_state_name(r.state)}};
  const VmRecord* rec = r.find_vm(vm);
  if (rec) {
    base["vm_state"] = rec->state;
    base["image"] = rec->image;
    base["weight"] = rec->weight;
    base["smp"] = rec->smp;
    if (rec->exit_code) base["exit_code"] = *rec->exit_code;
  }
  if (!vhv->alive() || !vhv->was_ready()) {
    base["counters"] = rec ? rec->counters : json::object();
    base["live"] = false;
    return reply(std::move(base));
  }
  vhv->stats(vm, [base, reply = std::move(reply)](HostResult<json> stats) mutable {
    if (stats.is_error()) return reply(Err<Error>{stats.release_error()});
    json out = base;
    const json& s = stats.value();  // checked (control_checks.h)
    out["live"] = true;
    out["counters"] = field_or(s, "counters", json::object());
    out["total_exits"] = count_or_zero(s, "total_exits");
    out["guest_entries"] = count_or_zero(s, "guest_entries");
    out["trap"] = field_or(s, "trap", json::object());
    out["uuid"] = field_or(s, "uuid", "");
    if (s.contains("guest_time_ns")) out["guest_time_ns"] = count_or_zero(s, "guest_time_ns");
    // The lowvisor scheduler's accounting (issue 13), when it keeps it.
    if (s.contains("weight")) out["weight"] = count_or_zero(s, "weight");
    out["watchdog_fired"] = count_or_zero(s, "watchdog_fired");
    out["vcpus"] = field_or(s, "vcpus", json::array());
    reply(std::move(out));
  });
}

void Kernel::vm_trace(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  bool follow = false;
  int vm = 0;
  json forward = json::object();
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm", "limit", "cursor", "follow"});
    TRY(p.check_unknown());
    vm = TRY(check_vm(p));
    forward["vm"] = vm;
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
    TRY(known_vm(*vhv, vm));
    if (follow) TRY(check_follower_room(client));
    return require_running(vhv);
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  std::string vhv_id = found.value()->record().id;
  // Made now, so its place under the trace-followers bound is taken before
  // the highvisor answers; it starts following only if the first read works.
  std::shared_ptr<TraceFollow> follower;
  if (follow)
    follower =
        std::make_shared<TraceFollow>(m_io, client.id, client.usage, vhv_id, vm, json::array());
  found.value()->call(
      control::kTrace, forward,
      [this, follow, follower, vhv_id, vm, reply = std::move(reply)](HostResult<json> r) {
        if (r.is_error()) return reply(Err<Error>{r.release_error()});
        const json& t = r.value();  // checked: entries, cursor, lost
        json cursor = field_or(t, "cursor", json::array());
        json out{{"vhv", vhv_id},
                 {"vm", vm},
                 {"entries", field_or(t, "entries", json::array())},
                 {"cursor", cursor},
                 {"lost", count_or_zero(t, "lost")},
                 {"following", follow}};
        reply(std::move(out));
        if (follower) {
          follower->cursor = std::move(cursor);
          follow_trace(follower);
        }
      });
}

void Kernel::guestinfo_get(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  json forward = json::object();
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm", "key"});
    TRY(p.check_unknown());
    forward["vm"] = TRY(check_vm(p));
    if (auto key = TRY(p.optional_string("key"))) forward["key"] = *key;
    Vhv* vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    TRY(known_vm(*vhv, forward["vm"].get<int>()));
    return require_running(vhv);
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  found.value()->call(control::kGuestinfo, forward, std::move(reply));
}

void Kernel::guestinfo_set(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  json forward = json::object();
  auto found = [&]() -> HostResult<Vhv*> {
    Params p(request.params, {"vhv", "vm", "key", "value"});
    TRY(p.check_unknown());
    forward["vm"] = TRY(check_vm(p));
    forward["key"] = TRY(p.string("key"));
    forward["value"] = TRY(p.string("value"));
    Vhv* vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    TRY(known_vm(*vhv, forward["vm"].get<int>()));
    return require_running(vhv);
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  found.value()->call(control::kGuestinfo, forward, std::move(reply));
}

}  // namespace nestlab::kernel
