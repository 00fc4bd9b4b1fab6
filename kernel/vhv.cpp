// The control protocol side of a VHV (protocols.md section 2): requests to
// the highvisor and what it reports. The highvisor may be compromised (it
// sits beside the guest's QEMU), so every line is checked
// (control_checks.h) before anything acts on it; a bad one fails the
// request it answers, is counted against the VHV and is never fatal.
#include "kernel/vhv.h"

#include <climits>

#include "base/control_protocol.h"

#include "kernel/control_checks.h"
#include "kernel/json_bounds.h"
#include "kernel/limits.h"
#include "kernel/log.h"
#include "kernel/vm_ids.h"
#include "vhv/common/net_mac.h"

namespace nestlab::kernel {
namespace {

using nlohmann::json;

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An event's "vm", checked (check_event) to name a VM the VHV runs.
int vm_field(const json& j) {
  auto it = j.find("vm");
  return it != j.end() && is_count(*it) ? static_cast<int>(it->get<uint64_t>()) : 0;
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
  // A highvisor that stops answering must not make the kernel keep every
  // request (and the fds riding on them) queued for it. Shutdown is always
  // sent: it is how the kernel ends such a VHV.
  if (m_pending.size() >= kMaxPendingPerVhv && method != control::kShutdown) {
    reply(nestlab::make_error(ErrorCode::Unavailable,
                              "VHV " + m_record.name + " has " + std::to_string(m_pending.size()) +
                                  " requests waiting for its highvisor, which is not answering; "
                                  "try again later"));
    return;
  }
  uint64_t id = m_next_request++;
  json msg{{"id", id}, {"method", method}};
  if (!params.is_null()) msg["params"] = std::move(params);
  auto timeout = std::make_unique<boost::asio::steady_timer>(
      m_io, std::chrono::milliseconds(kRequestTimeoutMs));
  timeout->async_wait(
      [this, id, life = std::weak_ptr<int>(m_life)](const boost::system::error_code& ec) {
        if (ec || life.expired()) return;
        auto it = m_pending.find(id);
        if (it == m_pending.end()) return;
        Pending late = std::move(it->second);
        m_pending.erase(it);
        log("vhv", m_record.id + ": its highvisor did not answer " + late.method + " within " +
                       std::to_string(kRequestTimeoutMs / 1000) + " s");
        late.reply(nestlab::make_error(ErrorCode::Unavailable,
                                       "VHV " + m_record.name + "'s highvisor did not answer " +
                                           late.method + " within " +
                                           std::to_string(kRequestTimeoutMs / 1000) + " s"));
      });
  m_pending[id] = Pending{method, std::move(reply), std::move(timeout)};
  m_control->send(msg.dump(-1, ' ', false, json::error_handler_t::replace), std::move(fds));
}

void Vhv::run(const json& params, UniqueFd image, UniqueFd initrd, std::vector<RunDisk> disks,
              std::optional<NetPortGrant> net, const std::string& image_name, Reply reply) {
  if (m_record.state == VhvState::Starting) {
    reply(
        nestlab::make_error(ErrorCode::Unavailable, "VHV " + m_record.name + " is still starting"));
    return;
  }
  std::vector<UniqueFd> fds;
  fds.push_back(std::move(image));
  if (initrd) fds.push_back(std::move(initrd));  // the run line says "initrd": true
  // Held until the reply: a run that fails gives its disks up again.
  auto claims = std::make_shared<std::vector<std::unique_ptr<DiskClaim>>>();
  for (RunDisk& d : disks) {
    fds.push_back(std::move(d.fd));
    claims->push_back(std::move(d.claim));
  }
  // The same for the VM's port on its lab network: the network goes away
  // with a failed run's port if it was the only one.
  auto net_claim = std::make_shared<std::unique_ptr<NetPortClaim>>();
  std::string net_name;
  uint64_t mac_key = 0;
  if (net) {
    fds.push_back(std::move(net->highvisor_end));
    *net_claim = std::move(net->claim);
    net_name = net->name;
    mac_key = net->mac_key;
  }
  request(control::kRun, params, std::move(fds),
          [this, image_name, params, claims, net_claim, net_name, mac_key,
           reply = std::move(reply)](HostResult<json> r) {
            if (r.is_ok() && alive()) {
              // Checked by on_response: an object whose vm is one we run.
              const json& result = r.value();
              int vm = static_cast<int>(result["vm"].get<uint64_t>());
              VmRecord& record = m_record.vm_slot(vm);
              record = VmRecord{};
              record.id = vm;
              record.image = image_name;
              record.state = "running";
              record.weight = params.value("weight", json(1)).is_number_unsigned()
                                  ? params["weight"].get<uint64_t>()
                                  : 1;
              record.smp =
                  params.value("smp", json(1)).is_number_unsigned() ? params["smp"].get<int>() : 1;
              record.mem = result.value("mem", json(0)).is_number_unsigned()
                               ? result["mem"].get<uint64_t>()
                           : params.value("mem", json(0)).is_number_unsigned()
                               ? params["mem"].get<uint64_t>()
                               : 0;
              record.run_seq = m_record.next_run_seq++;
              m_disk_claims[vm] = std::move(*claims);
              if (*net_claim) {
                // The highvisor derives the same address (vhv/common/net_mac.h).
                record.net = net_name;
                char mac[18];
                format_mac(derive_mac(mac_key, static_cast<unsigned>(vm)), mac);
                record.mac = mac;
                m_net_claims[vm] = std::move(*net_claim);
              }
              m_record.state = VhvState::Running;
              persist();
              m_observer.on_vhv_event(*this, {{"type", "vm-started"},
                                              {"vm", vm},
                                              {"image", image_name},
                                              {"weight", record.weight},
                                              {"smp", record.smp},
                                              {"mem", record.mem}});
              json answer{
                  {"vm", vm}, {"weight", record.weight}, {"smp", record.smp}, {"mem", record.mem}};
              if (!record.net.empty()) {
                answer["net"] = record.net;
                answer["mac"] = record.mac;
              }
              reply(std::move(answer));
              return;
            }
            reply(std::move(r));
          });
}

void Vhv::stats(int vm, Reply reply) {
  request(control::kStats, json{{"vm", vm}}, {},
          [this, vm, reply = std::move(reply)](HostResult<json> r) {
            // Checked by on_response: counters, when present, are {name: count}.
            if (r.is_ok() && r.value().contains("counters") && r.value()["counters"].is_object())
              if (VmRecord* rec = m_record.find_vm(vm)) rec->counters = r.value()["counters"];
            reply(std::move(r));
          });
}

void Vhv::stop_vm(int vm, Reply reply) {
  request(control::kStop, json{{"vm", vm}}, {},
          [this, vm, reply = std::move(reply)](HostResult<json> r) {
            if (r.is_ok())
              if (VmRecord* rec = m_record.find_vm(vm); rec && rec->state == "running")
                rec->state = "stopping";
            reply(std::move(r));
          });
}

void Vhv::fail_pending(const std::string& why) {
  auto pending = std::move(m_pending);
  m_pending.clear();
  for (auto& [id, p] : pending) p.reply(nestlab::make_error(ErrorCode::Unavailable, why));
}

void Vhv::protocol_error(const std::string& what) {
  ++m_protocol_errors;
  m_last_protocol_error = what;
  if (m_protocol_errors > 10 && m_protocol_errors % 1000 != 0) return;
  std::string text = "its highvisor broke the control protocol (" +
                     std::to_string(m_protocol_errors) + " times so far): " + what;
  log("vhv", m_record.id + ": " + text);
  m_observer.on_vhv_event(
      *this, {{"type", "vhv-protocol-error"}, {"count", m_protocol_errors}, {"message", text}});
}

void Vhv::on_line(Line line) {
  if (!line.fds.empty()) {
    // Nothing the highvisor sends carries fds; they close with the line.
    protocol_error("a line carried " + std::to_string(line.fds.size()) + " file descriptors");
    return;
  }
  BoundedJson parsed = parse_bounded_json(line.text);
  if (!parsed.value || !parsed.value->is_object()) {
    protocol_error(parsed.value
                       ? "a line that is " + json_preview(*parsed.value) + ", not a JSON object"
                       : "a line that is " + parsed.error);
    return;
  }
  // The checks should leave nothing to throw; should one be missed, the
  // VHV is marked, and the kernel (and every other VHV) carries on.
  try {
    dispatch(*parsed.value);
  } catch (const std::exception& e) {
    protocol_error(std::string("handling a line failed: ") + e.what());
  }
}

void Vhv::dispatch(const json& msg) {
  if (msg.contains("id")) return on_response(msg);
  if (msg.contains("event")) {
    if (auto checked = check_event(msg); checked.is_error())
      return protocol_error(checked.error().message);
    return on_event(msg);
  }
  protocol_error("a line with neither \"id\" nor \"event\"");
}

void Vhv::on_response(const json& msg) {
  const json& id = msg["id"];
  auto it = is_count(id) ? m_pending.find(id.get<uint64_t>()) : m_pending.end();
  if (it == m_pending.end())
    return protocol_error("a reply to request " + json_preview(id) + ", which is not waiting");
  Pending pending = std::move(it->second);
  m_pending.erase(it);
  auto err = msg.find("error");
  if (err != msg.end()) {
    if (auto checked = check_reply_error(*err); checked.is_error()) {
      protocol_error("reply to " + pending.method + ": " + checked.error().message);
      return pending.reply(nestlab::make_error(
          ErrorCode::Unavailable,
          "VHV " + m_record.name + "'s highvisor sent a malformed error for " + pending.method));
    }
    std::string text = string_field(*err, "message");
    // Only the codes a highvisor has reason to send; anything else (say
    // "protocol", which would read as the client's mistake) is internal.
    ErrorCode code = error_code_from_name(string_field(*err, "code"));
    if (code == ErrorCode::Protocol || code == ErrorCode::LimitReached) code = ErrorCode::Internal;
    return pending.reply(
        nestlab::make_error(code, text.empty() ? "the highvisor refused the request" : text));
  }
  const json result = msg.contains("result") ? msg["result"] : json::object();
  if (auto checked = check_reply_result(pending.method, result); checked.is_error()) {
    protocol_error("reply to " + pending.method + ": " + checked.error().message);
    return pending.reply(nestlab::make_error(
        ErrorCode::Unavailable, "VHV " + m_record.name + "'s highvisor sent a malformed reply to " +
                                    pending.method + " (" + checked.error().message +
                                    "); the VHV is marked, see vhv.inspect"));
  }
  pending.reply(result);
}

void Vhv::on_event(const json& msg) {
  std::string event = msg["event"].get<std::string>();
  if (event == control::kHello) {
    on_hello(msg);
  } else if (event == control::kReady) {
    if (m_was_ready) return;
    m_was_ready = true;
    m_timer.cancel();
    if (msg.contains("qemu_pid") && is_count(msg["qemu_pid"]))
      m_record.qemu_pid = static_cast<pid_t>(msg["qemu_pid"].get<uint64_t>());
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
    int vm = vm_field(msg);
    if (data.empty()) return;
    m_console.append(vm, data);
    m_observer.on_vhv_console(*this, vm, data);
  } else if (event == control::kLog) {
    m_observer.on_vhv_event(*this, {{"type", "log"}, {"text", string_field(msg, "text")}});
  } else if (event == control::kVmExit) {
    int vm = vm_field(msg);
    json code = msg.contains("code") ? msg["code"] : json();
    if (code.is_number_integer() &&
        (code.get<int64_t>() < INT_MIN || code.get<int64_t>() > INT_MAX))
      code = nullptr;  // a guest's code is 8 bits; nothing larger is one
    json counters = json::object();
    if (msg.contains("counters") && msg["counters"].is_object()) counters = msg["counters"];
    std::string reason = string_field(msg, "reason");
    std::string message = string_field(msg, "message");
    m_disk_claims.erase(vm);  // the highvisor has closed its files
    m_net_claims.erase(vm);   // and its port: the VM leaves its lab network
    if (VmRecord* rec = m_record.find_vm(vm)) {
      rec->state = "exited";
      rec->reason = reason;
      rec->message = message;
      if (code.is_number_integer()) rec->exit_code = code.get<int>();
      rec->counters = counters;
    }
    if (m_record.state == VhvState::Running && !m_record.any_vm_running())
      m_record.state = VhvState::Ready;
    persist();
    m_observer.on_vhv_event(*this, {{"type", "vm-exit"},
                                    {"vm", vm},
                                    {"reason", reason},
                                    {"code", code},
                                    {"message", message},
                                    {"counters", counters}});
  } else if (event == control::kSeccomp) {
    on_seccomp(string_field(msg, "process"), string_field(msg, "syscall"));
  } else if (event == control::kFailed) {
    on_failed(string_field(msg, "message"));
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
