#include "kernel/control_checks.h"

#include <cstdint>
#include <string>

#include "base/control_protocol.h"
#include "kernel/json_bounds.h"
#include "kernel/vm_ids.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

constexpr size_t kMaxKeys = 64;            // fields of any object a highvisor sends
constexpr size_t kMaxName = 64;            // counter names, states, reasons, syscalls
constexpr size_t kMaxTraceEntries = 1024;  // vm.trace's largest limit
constexpr size_t kMaxVcpus = 64;

Err<Error> bad(const std::string& path, const std::string& what, const json& got) {
  return make_error(ErrorCode::Protocol, path + " must be " + what + ", got " + json_preview(got));
}

Err<Error> missing(const std::string& path) {
  return make_error(ErrorCode::Protocol, path + " is missing");
}

// One object being checked; `path` names it in messages ("result").
class Checked {
 public:
  Checked(const json& j, std::string path) : m_j(j), m_path(std::move(path)) {}

  HostResult<void> object() const {
    if (!m_j.is_object()) return bad(m_path, "an object", m_j);
    if (m_j.size() > kMaxKeys)
      return bad(m_path, "an object of at most " + std::to_string(kMaxKeys) + " keys", m_j);
    return {};
  }

  // Each field check passes when the field is absent and not required.
  HostResult<void> uint(const char* key, bool required, uint64_t max = UINT64_MAX) const {
    const json* v = TRY(find(key, required));
    if (!v) return {};
    if (!is_count(*v) || v->get<uint64_t>() > max)
      return bad(path(key),
                 max == UINT64_MAX ? "a non-negative integer"
                                   : "an integer from 0 to " + std::to_string(max),
                 *v);
    return {};
  }
  HostResult<void> string(const char* key, bool required, size_t max) const {
    const json* v = TRY(find(key, required));
    if (!v) return {};
    if (!v->is_string() || v->get_ref<const std::string&>().size() > max)
      return bad(path(key), "a string of at most " + std::to_string(max) + " bytes", *v);
    return {};
  }
  HostResult<void> boolean(const char* key, bool required) const {
    const json* v = TRY(find(key, required));
    if (v && !v->is_boolean()) return bad(path(key), "true or false", *v);
    return {};
  }
  // {name: count, ...} as the exit counters are.
  HostResult<void> counts(const char* key, bool required) const {
    const json* v = TRY(find(key, required));
    if (!v) return {};
    Checked c(*v, path(key));
    TRY(c.object());
    for (const auto& [name, count] : v->items()) {
      if (name.size() > kMaxName)
        return bad(c.m_path + " key", "at most " + std::to_string(kMaxName) + " bytes", json(name));
      if (!is_count(count)) return bad(c.m_path + "." + name, "a count", count);
    }
    return {};
  }
  const json* get(const char* key) const {
    auto it = m_j.find(key);
    return it == m_j.end() ? nullptr : &*it;
  }
  std::string path(const std::string& key) const { return m_path + "." + key; }

 private:
  HostResult<const json*> find(const char* key, bool required) const {
    auto it = m_j.find(key);
    if (it == m_j.end() || (it->is_null() && !required)) {
      if (required) return missing(path(key));
      return static_cast<const json*>(nullptr);
    }
    return &*it;
  }

  const json& m_j;
  std::string m_path;
};

// An array of at most `max` objects, each checked by `each`.
template <typename F>
HostResult<void> objects(const Checked& r, const char* key, size_t max, F each) {
  const json* list = r.get(key);
  if (!list || list->is_null()) return {};
  if (!list->is_array() || list->size() > max)
    return bad(r.path(key), "an array of at most " + std::to_string(max) + " objects", *list);
  for (size_t i = 0; i < list->size(); ++i) {
    Checked item((*list)[i], r.path(key) + "[" + std::to_string(i) + "]");
    TRY(item.object());
    TRY(each(item));
  }
  return {};
}

HostResult<void> check_stats(const Checked& r) {
  TRY(r.counts("counters", true));
  // Issue 13: which VM, and the lowvisor scheduler's accounting of its vCPUs.
  TRY(r.uint("vm", false, kMaxVmId));
  TRY(r.string("vm_state", false, kMaxName));
  TRY(r.uint("weight", false));
  TRY(r.uint("watchdog_fired", false));
  TRY(objects(r, "vcpus", kMaxVcpus, [](const Checked& v) -> HostResult<void> {
    for (const char* key : {"vcpu", "run_ns", "wait_ns", "migrations", "last_cpu"})
      TRY(v.uint(key, false));
    return {};
  }));
  TRY(r.uint("total_exits", true));
  TRY(r.uint("guest_entries", false));
  TRY(r.uint("guest_time_ns", false));
  TRY(r.string("uuid", false, kMaxName));
  if (const json* trap = r.get("trap"); trap && !trap->is_null()) {
    // Counts, and the PRDA's per-operation array.
    Checked t(*trap, r.path("trap"));
    TRY(t.object());
    for (const auto& [name, value] : trap->items()) {
      bool ok = is_count(value);
      if (value.is_array() && value.size() <= 16) {
        ok = true;
        for (const auto& n : value) ok = ok && is_count(n);
      }
      if (!ok || name.size() > kMaxName)
        return bad(t.path(name.substr(0, kMaxName)), "a count or an array of at most 16 counts",
                   value);
    }
  }
  return {};
}

HostResult<void> check_trace(const Checked& r) {
  const json* entries = r.get("entries");
  if (!entries) return missing(r.path("entries"));
  if (!entries->is_array() || entries->size() > kMaxTraceEntries)
    return bad(r.path("entries"), "an array of at most 1024 entries", *entries);
  for (size_t i = 0; i < entries->size(); ++i) {
    Checked e((*entries)[i], r.path("entries[" + std::to_string(i) + "]"));
    TRY(e.object());
    TRY(e.uint("vcpu", true, kMaxVcpus));
    TRY(e.uint("seq", true));
    TRY(e.uint("time_ns", true));
    TRY(e.uint("ec", true, 0xff));
    TRY(e.uint("detail", false));
    TRY(e.string("class", true, kMaxName));
    TRY(e.string("pc", true, 24));
    TRY(e.string("iss", true, 24));
    TRY(e.string("result", true, kMaxName));
  }
  const json* cursor = r.get("cursor");
  if (!cursor) return missing(r.path("cursor"));
  bool ok = cursor->is_array() && cursor->size() <= kMaxVcpus;
  if (ok)
    for (const auto& n : *cursor) ok = ok && is_count(n);
  if (!ok) return bad(r.path("cursor"), "an array of at most 64 positions", *cursor);
  return r.uint("lost", true);
}

HostResult<void> check_guestinfo(const Checked& r) {
  // {key, value, uuid} for one key, {values, uuid} for all of them.
  if (!r.get("key") && !r.get("values")) return missing(r.path("key") + " (or values)");
  TRY(r.string("key", false, kMaxName));
  TRY(r.string("value", false, 256));
  TRY(r.string("uuid", true, kMaxName));
  if (const json* values = r.get("values")) {
    Checked v(*values, r.path("values"));
    TRY(v.object());
    for (const auto& [key, value] : values->items()) {
      if (key.size() > kMaxName) return bad(v.path("key"), "at most 64 bytes", json(key));
      TRY(v.string(key.c_str(), true, 256));
    }
  }
  return {};
}

}  // namespace

HostResult<void> check_reply_result(std::string_view method, const json& result) {
  Checked r(result, "result");
  TRY(r.object());
  if (method == control::kRun) {
    TRY(r.uint("vm", true, kMaxVmId));
    TRY(r.uint("mem", false));
    TRY(r.uint("weight", false));
    return r.uint("entry", false);
  }
  if (method == control::kStop) {
    TRY(r.uint("vm", true, kMaxVmId));
    return r.boolean("stopping", false);
  }
  if (method == control::kStats) return check_stats(r);
  if (method == control::kTrace) return check_trace(r);
  if (method == control::kGuestinfo) return check_guestinfo(r);
  if (method == control::kPause || method == control::kResume) {
    TRY(r.boolean("paused", true));
    TRY(r.uint("paused_ms", false));
    return r.string("tick_policy", false, kMaxName);
  }
  if (method == control::kConsoleInput) return r.uint("bytes", true, 1u << 20);
  if (method == control::kShutdown) return {};
  return make_error(ErrorCode::Protocol,
                    "a reply to \"" + std::string(method) + "\", which this kernel never asks");
}

HostResult<void> check_reply_error(const json& error) {
  Checked e(error, "error");
  TRY(e.object());
  TRY(e.string("code", false, kMaxName));
  return e.string("message", false, kMaxEventText);
}

HostResult<void> check_event(const json& msg) {
  Checked m(msg, "event");
  TRY(m.object());
  TRY(m.string("event", true, kMaxName));
  const std::string& event = msg["event"].get_ref<const std::string&>();
  if (event == control::kHello) {
    TRY(m.string("state", false, kMaxName));
    TRY(m.boolean("paused", false));
    TRY(m.string("tick_policy", false, kMaxName));
    TRY(m.uint("qemu_pid", false, INT32_MAX));
    TRY(m.string("image_name", false, 256));
    TRY(m.uint("connection", false));
    TRY(m.uint("backlog_bytes", false));
    TRY(m.uint("protocol_version", false));
    // Issue 13: the VMs that run, each {vm, state, image_name, smp, weight, mem}.
    TRY(objects(m, "vms", kMaxVmId + 1, [](const Checked& v) -> HostResult<void> {
      TRY(v.uint("vm", true, kMaxVmId));
      TRY(v.string("state", false, kMaxName));
      TRY(v.string("image_name", false, 256));
      TRY(v.uint("smp", false, kMaxVcpus));
      TRY(v.uint("weight", false, 10000));
      return v.uint("mem", false);
    }));
    return m.uint("dropped_bytes", false);
  }
  if (event == control::kReady) {
    TRY(m.uint("protocol_version", false));
    TRY(m.uint("max_vms", false, kMaxVmId + 1));
    return m.uint("qemu_pid", false, INT32_MAX);
  }
  if (event == control::kConsole) {
    TRY(m.uint("vm", false, kMaxVmId));
    TRY(m.string("data", true, SIZE_MAX));
    for (char c : msg["data"].get_ref<const std::string&>()) {
      bool base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=';
      if (!base64) return bad(m.path("data"), "base64", msg["data"]);
    }
    return {};
  }
  if (event == control::kLog) return m.string("text", true, kMaxEventText);
  if (event == control::kVmExit) {
    TRY(m.uint("vm", false, kMaxVmId));
    TRY(m.string("reason", false, kMaxName));
    TRY(m.string("message", false, kMaxEventText));
    if (const json* code = m.get("code"); code && !code->is_null() && !code->is_number_integer())
      return bad(m.path("code"), "an integer or null", *code);
    for (const char* key : {"ec", "iss", "pc", "far"}) TRY(m.uint(key, false));
    return m.counts("counters", false);
  }
  if (event == control::kSeccomp) {
    TRY(m.string("process", false, kMaxName));
    return m.string("syscall", false, kMaxName);
  }
  if (event == control::kFailed) return m.string("message", false, kMaxEventText);
  return make_error(ErrorCode::Protocol, "unknown event " + text_preview(event, kMaxName));
}

}  // namespace nestlab::kernel
