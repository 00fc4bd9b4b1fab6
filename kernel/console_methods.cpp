// The console broker's API (protocols.md, "Console broker"): attach as a
// reader or the writer, type, report the window size, detach. Output
// reaches attached readers as `console` notifications (console_output).
#include <algorithm>

#include "base/base64.h"
#include "kernel/json_bounds.h"
#include "kernel/kernel.h"
#include "kernel/params.h"
#include "kernel/vm_ids.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

constexpr size_t kReplayChunk = 48 * 1024;  // raw bytes per replayed notification
constexpr size_t kMaxInput = 4096;

struct Target {
  Vhv* vhv = nullptr;
  int vm = 0;
};

// {vhv, vm?: 0, stream?: "guest"|"vhv"} -> which stream.
HostResult<int> stream_of(const Params& p) {
  auto stream = TRY(p.optional_string("stream")).value_or("guest");
  auto vm = TRY(p.optional_uint("vm", 0, 255));
  if (stream == "vhv") {
    if (vm)
      return nestlab::make_error(ErrorCode::Protocol,
                                 "parameter \"vm\" does not apply to the VHV's own stream");
    return kVhvStream;
  }
  if (stream != "guest")
    return nestlab::make_error(
        ErrorCode::Protocol,
        "parameter \"stream\" must be \"guest\" or \"vhv\", not " + text_preview(stream));
  return check_vm_id(vm.value_or(0));
}

json stream_json(const std::string& vhv, int vm) {
  json j{{"vhv", vhv}, {"vm", vm}};
  if (vm == kVhvStream) j["stream"] = "vhv";
  return j;
}

json writer_json(const std::optional<ConsoleWriter>& w) {
  if (!w) return nullptr;
  return json{{"pid", w->pid}, {"uid", w->uid}};
}

}  // namespace

bool Kernel::console_reads(const Client& client, const std::string& vhv, int vm) {
  ConsoleStream* s = m_console_broker.find(vhv, vm);
  return s && s->readers().count(client.id);
}

void Kernel::console_output(const Vhv& vhv, int vm, std::string_view bytes) {
  m_console_broker.stream(vhv.record().id, vm).append(bytes);
  if (vm != kVhvStream) return;  // guest bytes go out with on_vhv_console's notification
  ConsoleStream* s = m_console_broker.find(vhv.record().id, vm);
  if (!s || s->readers().empty()) return;
  json params = stream_json(vhv.record().id, vm);
  params["data"] = base64_encode(bytes);
  std::string line = to_line(make_notification("console", std::move(params)));
  for (uint64_t id : s->readers())
    if (auto it = m_clients.find(id); it != m_clients.end()) it->second->channel->send(line);
}

void Kernel::console_attach(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  Target t;
  bool write = false, force = false, replay = true;
  auto checked = [&]() -> HostResult<void> {
    Params p(request.params, {"vhv", "vm", "stream", "mode", "force", "replay", "rows", "cols"});
    TRY(p.check_unknown());
    t.vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    t.vm = TRY(stream_of(p));
    if (!console_reads(client, t.vhv->record().id, t.vm)) TRY(check_console_room(client));
    std::string mode = TRY(p.optional_string("mode")).value_or("read");
    if (mode != "read" && mode != "write")
      return nestlab::make_error(ErrorCode::Protocol,
                                 "parameter \"mode\" must be \"read\" or \"write\"");
    write = mode == "write";
    force = TRY(p.optional_bool("force")).value_or(false);
    replay = TRY(p.optional_bool("replay")).value_or(true);
    auto rows = TRY(p.optional_uint("rows", 1, 10000));
    auto cols = TRY(p.optional_uint("cols", 1, 10000));
    if (write && t.vm == kVhvStream)
      return nestlab::make_error(ErrorCode::InvalidArgument,
                                 "the VHV's own stream is read-only; attach to a guest console "
                                 "to type");
    if (write && rows && cols)
      m_console_broker.stream(t.vhv->record().id, t.vm)
          .set_size(static_cast<unsigned>(*rows), static_cast<unsigned>(*cols));
    return {};
  }();
  if (checked.is_error()) return reply(Err<Error>{checked.release_error()});
  const std::string id = t.vhv->record().id;
  ConsoleStream& s = m_console_broker.stream(id, t.vm);
  const auto& holder = s.writer();
  if (write && holder && holder->client != client.id) {
    if (!force)
      return reply(nestlab::make_error(
          ErrorCode::PermissionDenied,
          "the console of " + t.vhv->record().name + " (" + console_stream_name(t.vm) +
              ") is being typed into by another client (pid " + std::to_string(holder->pid) +
              ", uid " + std::to_string(holder->uid) +
              "); attach read-only, or take it over with force (nestlab console --force)"));
    // Takeover: the previous writer keeps reading and learns who took over.
    if (auto it = m_clients.find(holder->client); it != m_clients.end()) {
      json params = stream_json(id, t.vm);
      params["by"] = json{{"pid", client.pid}, {"uid", client.uid}};
      send(*it->second, make_notification("console.writer-lost", std::move(params)));
    }
  }
  if (write) s.set_writer(ConsoleWriter{client.id, client.pid, client.uid});
  s.readers().insert(client.id);
  std::string_view recent = replay ? s.recent() : std::string_view();
  json result = stream_json(id, t.vm);
  result["mode"] = write ? "write" : "read";
  result["writer"] = writer_json(s.writer());
  result["log"] = s.log().path();
  result["log_cap"] = s.log().cap();
  result["replayed"] = recent.size();
  result["total_bytes"] = s.total_bytes();
  reply(std::move(result));
  // History, oldest first, right after the reply; then live output.
  for (size_t at = 0; at < recent.size(); at += kReplayChunk) {
    json params = stream_json(id, t.vm);
    params["data"] = base64_encode(recent.substr(at, kReplayChunk));
    params["replay"] = true;
    send(client, make_notification("console", std::move(params)));
  }
}

void Kernel::console_detach(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto found = [&]() -> HostResult<Target> {
    Params p(request.params, {"vhv", "vm", "stream"});
    TRY(p.check_unknown());
    Target t;
    t.vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    t.vm = TRY(stream_of(p));
    return t;
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  bool was_writer = false;
  if (ConsoleStream* s = m_console_broker.find(found.value().vhv->record().id, found.value().vm))
    was_writer = s->drop(client.id);
  reply(json{{"was_writer", was_writer}});
}

void Kernel::console_input(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  std::string data;
  auto found = [&]() -> HostResult<Target> {
    Params p(request.params, {"vhv", "vm", "data"});
    TRY(p.check_unknown());
    Target t;
    t.vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    t.vm = TRY(check_vm_id(TRY(p.optional_uint("vm", 0, 255)).value_or(0)));
    data = TRY(p.string("data"));
    auto bytes = base64_decode(data);
    if (bytes.is_error())
      return nestlab::make_error(ErrorCode::Protocol, "parameter \"data\" is not base64");
    if (bytes.value().size() > kMaxInput)
      return nestlab::make_error(ErrorCode::Protocol, "parameter \"data\" carries more than " +
                                                          std::to_string(kMaxInput) +
                                                          " bytes; send it in pieces");
    return t;
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  Target t = found.value();
  // The writer lock: whoever holds it types; with nobody holding it, any
  // client that may see the VHV can (a script sending one command).
  ConsoleStream* s = m_console_broker.find(t.vhv->record().id, t.vm);
  if (s && s->writer() && s->writer()->client != client.id)
    return reply(nestlab::make_error(
        ErrorCode::PermissionDenied,
        "another client (pid " + std::to_string(s->writer()->pid) + ") holds the console of " +
            t.vhv->record().name +
            " for writing; attach with mode \"write\" and force to take it over"));
  if (!t.vhv->alive() || t.vhv->record().state != VhvState::Running)
    return reply(nestlab::make_error(ErrorCode::Unavailable,
                                     "VHV " + t.vhv->record().name + " runs no guest (it is " +
                                         vhv_state_name(t.vhv->record().state) + ")"));
  t.vhv->console_input(t.vm, data, std::move(reply));
}

void Kernel::console_resize(Client& client, Request& request, std::vector<UniqueFd>&, Reply reply) {
  auto found = [&]() -> HostResult<json> {
    Params p(request.params, {"vhv", "vm", "rows", "cols"});
    TRY(p.check_unknown());
    Vhv* vhv = TRY(find_vhv(client, TRY(p.string("vhv"))));
    int vm = TRY(check_vm_id(TRY(p.optional_uint("vm", 0, 255)).value_or(0)));
    auto rows = TRY(p.optional_uint("rows", 1, 10000));
    auto cols = TRY(p.optional_uint("cols", 1, 10000));
    if (!rows || !cols)
      return nestlab::make_error(ErrorCode::Protocol,
                                 "parameters \"rows\" and \"cols\" are required");
    m_console_broker.stream(vhv->record().id, vm)
        .set_size(static_cast<unsigned>(*rows), static_cast<unsigned>(*cols));
    // Guests learn nothing of it today (a PL011 has no window size), but
    // everyone watching the VHV does, as QEMU's and libvirt's consoles do.
    on_vhv_event(*vhv, {{"type", "console-resize"}, {"vm", vm}, {"rows", *rows}, {"cols", *cols}});
    return json{{"rows", *rows}, {"cols", *cols}};
  }();
  if (found.is_error()) return reply(Err<Error>{found.release_error()});
  reply(found.release_value());
}

}  // namespace nestlab::kernel
