// The control protocol side of a VHV (protocols.md section 2): requests to
// the highvisor and what it reports. The highvisor is trusted-ish: its lines
// are validated, and a bad one is logged and dropped, never fatal.
#include "kernel/vhv.h"

#include "base/control_protocol.h"

#include "kernel/log.h"

namespace nestlab::kernel {
namespace {

using nlohmann::json;

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void Vhv::when_ready(Reply reply) {
  if (m_was_ready) {
    reply(to_json(m_record));
    return;
  }
  m_ready_reply = std::move(reply);
}

void Vhv::request(const std::string& method, json params, std::vector<UniqueFd> fds, Reply reply) {
  if (!m_control || !m_control->is_open()) {
    reply(nestlab::make_error(ErrorCode::Unavailable, "VHV " + m_record.name + " is not running"));
    return;
  }
  uint64_t id = m_next_request++;
  json msg{{"id", id}, {"method", method}};
  if (!params.is_null()) msg["params"] = std::move(params);
  m_pending[id] = std::move(reply);
  m_control->send(msg.dump(-1, ' ', false, json::error_handler_t::replace), std::move(fds));
}

void Vhv::run(const json& params, UniqueFd image, const std::string& image_name, Reply reply) {
  if (m_record.state == VhvState::Starting) {
    reply(
        nestlab::make_error(ErrorCode::Unavailable, "VHV " + m_record.name + " is still starting"));
    return;
  }
  std::vector<UniqueFd> fds;
  fds.push_back(std::move(image));
  request(control::kRun, params, std::move(fds),
          [this, image_name, reply = std::move(reply)](HostResult<json> r) {
            if (r.is_ok() && alive()) {
              int vm = r.value().is_object() && r.value().value("vm", json()).is_number_integer()
                           ? r.value()["vm"].get<int>()
                           : 0;
              VmRecord record;
              record.id = vm;
              record.image = image_name;
              record.state = "running";
              m_record.vm = record;
              m_record.state = VhvState::Running;
              persist();
              m_observer.on_vhv_event(*this, {{"type", "vm-started"}, {"vm", vm}});
              reply(json{{"vm", vm}});
              return;
            }
            reply(std::move(r));
          });
}

void Vhv::stats(Reply reply) {
  request(control::kStats, nullptr, {}, [this, reply = std::move(reply)](HostResult<json> r) {
    if (r.is_ok() && r.value().is_object() && r.value().contains("counters"))
      m_last_counters = r.value()["counters"];
    reply(std::move(r));
  });
}

void Vhv::fail_pending(const std::string& why) {
  auto pending = std::move(m_pending);
  m_pending.clear();
  for (auto& [id, reply] : pending) reply(nestlab::make_error(ErrorCode::Unavailable, why));
}

void Vhv::on_line(Line line) {
  json msg = json::parse(line.text, nullptr, false);
  if (!msg.is_object()) {
    log("vhv", m_record.id + ": ignoring a control line that is not a JSON object");
    return;
  }
  if (msg.contains("id"))
    on_response(msg);
  else if (msg.contains("event") && msg["event"].is_string())
    on_event(msg);
  else
    log("vhv", m_record.id + ": ignoring a control line with neither id nor event");
}

void Vhv::on_response(const json& msg) {
  if (!msg["id"].is_number_unsigned()) return;
  auto it = m_pending.find(msg["id"].get<uint64_t>());
  if (it == m_pending.end()) {
    log("vhv", m_record.id + ": reply to unknown request " + msg["id"].dump());
    return;
  }
  Reply reply = std::move(it->second);
  m_pending.erase(it);
  auto err = msg.find("error");
  if (err != msg.end()) {
    std::string text = err->is_object() ? string_field(*err, "message") : "";
    std::string code = err->is_object() ? string_field(*err, "code") : "";
    reply(nestlab::make_error(error_code_from_name(code),
                              text.empty() ? "the highvisor refused the request" : text));
    return;
  }
  reply(msg.contains("result") ? msg["result"] : json::object());
}

void Vhv::on_event(const json& msg) {
  std::string event = msg["event"].get<std::string>();
  if (event == control::kHello) {
    on_hello(msg);
  } else if (event == control::kReady) {
    if (m_was_ready) return;
    m_was_ready = true;
    m_timer.cancel();
    if (msg.value("qemu_pid", json()).is_number_integer())
      m_record.qemu_pid = msg["qemu_pid"].get<pid_t>();
    m_record.state = VhvState::Ready;
    persist();
    m_observer.on_vhv_event(*this, {{"type", "vhv-ready"}});
    if (m_ready_reply) {
      auto reply = std::move(m_ready_reply);
      m_ready_reply = nullptr;
      reply(to_json(m_record));
    }
  } else if (event == control::kConsole) {
    std::string data = string_field(msg, "data");
    int vm = msg.value("vm", json()).is_number_integer() ? msg["vm"].get<int>() : 0;
    if (data.empty()) return;
    m_console.append(vm, data);
    m_observer.on_vhv_console(*this, vm, data);
  } else if (event == control::kLog) {
    m_observer.on_vhv_event(*this, {{"type", "log"}, {"text", string_field(msg, "text")}});
  } else if (event == control::kVmExit) {
    int vm = msg.value("vm", json()).is_number_integer() ? msg["vm"].get<int>() : 0;
    json code = msg.value("code", json());
    json counters = msg.value("counters", json::object());
    if (counters.is_object()) m_last_counters = counters;
    std::string reason = string_field(msg, "reason");
    std::string message = string_field(msg, "message");
    if (m_record.vm && m_record.vm->id == vm) {
      m_record.vm->state = "exited";
      m_record.vm->reason = reason;
      m_record.vm->message = message;
      if (code.is_number_integer()) m_record.vm->exit_code = code.get<int>();
      m_record.vm->counters = m_last_counters;
    }
    if (m_record.state == VhvState::Running) m_record.state = VhvState::Ready;
    persist();
    m_observer.on_vhv_event(*this, {{"type", "vm-exit"},
                                    {"vm", vm},
                                    {"reason", reason},
                                    {"code", code},
                                    {"message", message},
                                    {"counters", m_last_counters}});
  } else if (event == control::kSeccomp) {
    on_seccomp(string_field(msg, "process"), string_field(msg, "syscall"));
  } else if (event == control::kFailed) {
    on_failed(string_field(msg, "message"));
  } else {
    log("vhv", m_record.id + ": ignoring unknown event \"" + event + "\"");
  }
}

// A process of the userworld called outside its seccomp allowlist
// (userworld/seccomp_policy.h) and was killed; the highvisor names the call.
void Vhv::on_seccomp(const std::string& process, const std::string& syscall) {
  std::string who = process == "qemu" ? "QEMU " : "";
  std::string what = who + "killed: seccomp violation: " + (syscall.empty() ? "?" : syscall);
  m_observer.on_vhv_event(*this, {{"type", "seccomp-violation"},
                                  {"process", process == "qemu" ? "qemu" : "highvisor"},
                                  {"syscall", syscall},
                                  {"message", what}});
  // The highvisor's own violation ends it without a `failed` line.
  if (process != "qemu") m_failure = what;
}

void Vhv::on_failed(const std::string& message) {
  m_failure = message.empty() ? "the highvisor failed without saying why" : message;
  if (m_record.state == VhvState::Failed) return;
  m_record.state = VhvState::Failed;
  m_record.message = m_failure;
  m_observer.on_vhv_event(*this, {{"type", "vhv-failed"}, {"message", m_failure}});
  // The highvisor exits after `failed`; the ready waiter and pending
  // requests learn the message when it does (on_exit).
}

}  // namespace nestlab::kernel
