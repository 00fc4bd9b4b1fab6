#include "console/lab/lab_vm.h"

#include <cstdlib>

#include <unistd.h>

#include "base/base64.h"
#include "console/client/json_get.h"

namespace nestlab::lab {

using client::json;
using client::json_string;

namespace {
constexpr size_t kInputChunk = 4096;  // console.input's limit per request
}

HostResult<void> LabVm::boot_hypervisor(const LabVmConfig& config) {
  // As `nestlab run --hypervisor` asks (console/guest_launch.cpp): the VHV
  // is made with the EL2 image and its guests, then started with the image.
  json create = {{"ephemeral", true},
                 {"mem", config.mem},
                 {"smp", config.smp},
                 {"hypervisor_fd", 0},
                 {"hypervisor_name", config.image_name},
                 {"guests", json::array({{{"fd", 1}, {"name", config.guest_name}}})}};
  int create_fds[] = {config.image_fd, config.guest_fd};
  json info = TRY(m_client.call("vhv.create", create, create_fds));
  m_vhv = json_string(info, "id");
  if (m_vhv.empty())
    return make_error(ErrorCode::Protocol, "nestlabd's vhv.create result has no id");
  TRY(m_client.call("console.subscribe", {{"vhv", m_vhv}, {"vm", 0}}));
  TRY(m_client.call("events.subscribe", {{"vhv", m_vhv}}));
  if (::lseek(config.image_fd, 0, SEEK_SET) < 0)
    return make_error(ErrorCode::Io, "cannot rewind the hypervisor image");
  int run_fds[] = {config.image_fd};
  TRY(m_client.call("vm.run", {{"vhv", m_vhv}, {"image_fd", 0}, {"image_name", config.image_name}},
                    run_fds));
  m_started = std::chrono::steady_clock::now();
  return {};
}

HostResult<void> LabVm::boot(const LabVmConfig& config) {
  if (config.hypervisor) return boot_hypervisor(config);
  const uint64_t vhv_mem = config.competitor ? 2 * config.mem : config.mem;
  json info = TRY(
      m_client.call("vhv.create", {{"ephemeral", true}, {"mem", vhv_mem}, {"smp", config.smp}}));
  m_vhv = json_string(info, "id");
  if (m_vhv.empty())
    return make_error(ErrorCode::Protocol, "nestlabd's vhv.create result has no id");
  TRY(m_client.call("console.subscribe", {{"vhv", m_vhv}, {"vm", 0}}));
  TRY(m_client.call("events.subscribe", {{"vhv", m_vhv}}));
  json params = {{"vhv", m_vhv},
                 {"image_fd", 0},
                 {"image_name", config.image_name},
                 {"mem", config.mem},
                 {"append", config.append}};
  if (config.pl011 != 0) params["pl011"] = config.pl011;
  if (config.smp != 1) params["smp"] = config.smp;
  if (!config.guestinfo.empty()) params["guestinfo"] = config.guestinfo;
  if (config.weight != 1 || config.competitor) params["weight"] = config.weight;
  if (config.competitor) params["vm"] = 0;
  int fds[] = {config.image_fd};
  TRY(m_client.call("vm.run", params, fds));
  m_started = std::chrono::steady_clock::now();
  if (config.competitor) {
    // The same program again, read from the start of the file.
    if (::lseek(config.image_fd, 0, SEEK_SET) < 0)
      return make_error(ErrorCode::Io, "cannot rewind the lab image for its competitor");
    params["vm"] = 1;
    params["weight"] = config.competitor_weight;
    params["append"] = config.competitor_append;
    params.erase("guestinfo");
    TRY(m_client.call("vm.run", params, fds));
  }
  return {};
}

HostResult<uint64_t> LabVm::run_ns(unsigned vm) {
  json stats = TRY(m_client.call("vm.stats", {{"vhv", m_vhv}, {"vm", vm}}));
  uint64_t sum = 0;
  if (const json* vcpus = client::json_field(stats, "vcpus"); vcpus && vcpus->is_array())
    for (const json& v : *vcpus) sum += static_cast<uint64_t>(client::json_int(v, "run_ns"));
  return sum;
}

LabVm::~LabVm() { destroy(); }

void LabVm::destroy() {
  if (m_vhv.empty()) return;
  std::string vhv = std::move(m_vhv);
  m_vhv.clear();
  if (m_client.connected()) (void)m_client.call("vhv.destroy", {{"vhv", vhv}});
}

void LabVm::on_notification(const client::Notification& n) {
  if (json_string(n.params, "vhv") != m_vhv) return;
  if (n.method == "console") {
    if (client::json_int(n.params, "vm") != 0) return;
    auto bytes = base64_decode(json_string(n.params, "data"));
    if (bytes.is_error()) return;  // one garbled chunk is not worth failing a grade
    const std::string& b = bytes.value();
    if (m_sink) m_sink(b);
    size_t room = kConsoleCap - m_console.size();
    if (b.size() > room) m_truncated = true;
    m_console.append(b, 0, std::min(room, b.size()));
    return;
  }
  if (n.method != "event") return;
  std::string type = json_string(n.params, "type");
  if (type == "vm-exit" && client::json_int(n.params, "vm") != 0) return;  // the competitor
  if (type == "vm-exit" && !m_exit) {
    m_exit = cli::parse_vm_exit(n.params);
  } else if (type == "vhv-failed" && !m_failure) {
    m_failure =
        "the virtual hypervisor failed: " + json_string(n.params, "message", "no reason given");
  } else if (type == "vhv-stopped" && !m_failure && !m_exit) {
    m_failure = "the virtual hypervisor stopped before the guest ended";
  }
}

HostResult<void> LabVm::pump(int timeout_ms) {
  auto first = TRY(m_client.next_notification(std::max(timeout_ms, 1)));
  if (!first) return {};
  on_notification(*first);
  drain();  // then whatever is already queued, without waiting again
  return {};
}

void LabVm::drain() {
  while (auto n = m_client.take_notification()) on_notification(*n);
}

HostResult<void> LabVm::read_ready() {
  TRY(m_client.read_available());
  drain();
  if (!m_client.connected() && !ended())
    return make_error(ErrorCode::Unavailable, client::kLostConnection);
  return {};
}

HostResult<double> LabVm::guest_ms() {
  auto now = std::chrono::steady_clock::now();
  if (ended() || now - m_time_read < kTimeRefresh) return m_guest_ms;
  if (m_time_from_kernel) {
    json stats = TRY(m_client.call("vm.stats", {{"vhv", m_vhv}}));
    if (client::json_has_int(stats, "guest_time_ns")) {
      m_guest_ms = static_cast<double>(client::json_int(stats, "guest_time_ns")) / 1e6;
      m_time_read = now;
      return m_guest_ms;
    }
    m_time_from_kernel = false;  // an older kernel: fall back to host time since vm.run
  }
  m_guest_ms = std::chrono::duration<double, std::milli>(now - m_started).count();
  m_time_read = now;
  return m_guest_ms;
}

HostResult<std::map<std::string, uint64_t>> LabVm::counters() {
  std::map<std::string, uint64_t> out;
  if (m_exit) {
    for (const auto& [name, count] : m_exit->counters) out[name] = count;
    return out;
  }
  json stats = TRY(m_client.call("vm.stats", {{"vhv", m_vhv}}));
  const json counters = client::json_object(stats, "counters");
  for (const auto& [name, count] : counters.items())
    if (count.is_number_unsigned()) out[name] = count.get<uint64_t>();
  return out;
}

HostResult<std::optional<std::string>> LabVm::guestinfo(const std::string& key) {
  json r = TRY(m_client.call("guestinfo.get", {{"vhv", m_vhv}, {"key", key}}));
  const json* v = client::json_field(r, "value");
  if (!v || !v->is_string()) return std::optional<std::string>{};
  return std::optional<std::string>{v->get<std::string>()};
}

HostResult<std::string> LabVm::uuid() {
  json stats = TRY(m_client.call("vm.stats", {{"vhv", m_vhv}}));
  return json_string(stats, "uuid");
}

namespace {

uint64_t hex_field(const json& j, const char* key) {
  const std::string text = json_string(j, key);
  return std::strtoull(text.c_str(), nullptr, 16);  // "0x..."; garbage reads as 0
}

}  // namespace

HostResult<void> LabVm::poll_trace(bool now) {
  auto t = std::chrono::steady_clock::now();
  if (!now && t - m_trace_read < kTracePoll) return {};
  m_trace_read = t;
  for (;;) {  // until a read returns less than a full batch
    json r = TRY(
        m_client.call("vm.trace", {{"vhv", m_vhv}, {"limit", 1024}, {"cursor", m_trace_cursor}}));
    m_trace_lost += static_cast<uint64_t>(client::json_int(r, "lost"));
    if (const json* c = client::json_field(r, "cursor"); c && c->is_array()) m_trace_cursor = *c;
    const json* entries = client::json_field(r, "entries");
    if (!entries || !entries->is_array()) return {};
    for (const json& e : *entries) {
      if (m_trace.size() >= kTraceCap) {
        ++m_trace_lost;
        continue;
      }
      TraceRecord rec;
      rec.vcpu = static_cast<unsigned>(client::json_int(e, "vcpu"));
      rec.seq = static_cast<uint64_t>(client::json_int(e, "seq"));
      rec.time_ns = static_cast<uint64_t>(client::json_int(e, "time_ns"));
      rec.exit_class = json_string(e, "class");
      rec.pc = hex_field(e, "pc");
      rec.iss = static_cast<uint32_t>(hex_field(e, "iss"));
      rec.detail = static_cast<uint16_t>(client::json_int(e, "detail"));
      rec.result = json_string(e, "result");
      m_trace.push_back(std::move(rec));
    }
    if (entries->size() < 1024) return {};
  }
}

HostResult<void> LabVm::send(std::string_view bytes) {
  while (!bytes.empty()) {
    std::string_view piece = bytes.substr(0, kInputChunk);
    TRY(m_client.call("console.input",
                      {{"vhv", m_vhv}, {"vm", 0}, {"data", base64_encode(piece)}}));
    bytes.remove_prefix(piece.size());
  }
  return {};
}

}  // namespace nestlab::lab
