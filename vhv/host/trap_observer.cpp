#include "vhv/host/trap_observer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <random>

#include "vhv/common/esr.h"
#include "vhv/common/guestinfo.h"
#include "vhv/common/layout.h"
#include "vhv/common/trace_ring.h"
#include "vhv/host/control_channel.h"

namespace nestlab::vhv {

using json = nlohmann::json;

namespace {

constexpr unsigned kLockTries = 10'000;
constexpr int kLockPatienceMs = 500;

// The lowvisor holds the guestinfo lock only for a few loads and stores, but
// on a busy host its QEMU vCPU thread can be descheduled in the middle, for
// milliseconds. Spin a little, then sleep and try again for up to half a
// second before telling the caller it is busy.
bool lock_patiently(guestinfo::Page& page) {
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (guestinfo::try_lock(page, kLockTries)) return true;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t waited_ms =
        (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1'000'000;
    if (waited_ms >= kLockPatienceMs) return false;
    const timespec pause{0, 200'000};  // 0.2 ms
    nanosleep(&pause, nullptr);
  }
}

const char* result_name(uint8_t r) {
  switch (static_cast<trace::Result>(r)) {
    case trace::Result::Advance: return "advance";
    case trace::Result::Resume: return "resume";
    case trace::Result::Reboot: return "reboot";
    case trace::Result::Stop: return "stop";
    case trace::Result::Irq: return "irq";
  }
  return "?";
}

const volatile trace::Ring* ring(const VhvRam& ram, unsigned vm, unsigned vcpu) {
  return reinterpret_cast<const volatile trace::Ring*>(
      ram.at(layout::trace_pa(vm, vcpu), sizeof(trace::Ring)));
}

guestinfo::Page* info_page(const VhvRam& ram, unsigned vm) {
  if (vm >= layout::kMaxVms) return nullptr;
  return reinterpret_cast<guestinfo::Page*>(
      ram.at(layout::guest_info_pa(vm), sizeof(guestinfo::Page)));
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string c_string(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

}  // namespace

json read_trace(const VhvRam& ram, unsigned vm, unsigned vcpus, const json& params) {
  if (vm >= layout::kMaxVms) return control_error("not-found", "no VM " + std::to_string(vm));
  uint64_t limit = 64;
  if (params.contains("limit")) {
    if (!params["limit"].is_number_unsigned() || params["limit"].get<uint64_t>() == 0 ||
        params["limit"].get<uint64_t>() > trace::kTraceEntries)
      return control_error("invalid-argument", "limit must be 1..1024");
    limit = params["limit"].get<uint64_t>();
  }
  json cursor_in = params.value("cursor", json::array());
  if (!cursor_in.is_array()) return control_error("invalid-argument", "cursor must be an array");
  vcpus = std::min(std::max(vcpus, 1u), trace::kMaxTraceVcpus);
  json entries = json::array();
  json cursor = json::array();
  uint64_t lost = 0;
  struct Record {
    trace::Entry e;
    unsigned vcpu;
  };
  std::vector<Record> records;
  for (unsigned v = 0; v < vcpus; ++v) {
    const volatile trace::Ring* r = ring(ram, vm, v);
    uint64_t since = 0;
    if (v < cursor_in.size() && cursor_in[v].is_number_unsigned()) since = cursor_in[v];
    if (!r || r->magic != trace::kRingMagic) {
      cursor.push_back(0);
      continue;
    }
    const uint64_t head = r->head;
    if (since > head) since = 0;  // a new VM started: the old cursor means nothing
    uint64_t first = since;
    if (head - first > trace::kTraceEntries) first = head - trace::kTraceEntries;
    if (head - first > limit) first = head - limit;
    lost += first - since;
    for (uint64_t i = first; i < head; ++i) {
      const volatile trace::Entry& src = r->entries[i % trace::kTraceEntries];
      const uint64_t s1 = src.seq;
      std::atomic_thread_fence(std::memory_order_acquire);
      trace::Entry e;
      e.seq = s1;
      e.time_ns = src.time_ns;
      e.pc = src.pc;
      e.iss = src.iss;
      e.ec = src.ec;
      e.result = src.result;
      e.detail = src.detail;
      std::atomic_thread_fence(std::memory_order_acquire);
      if (s1 != i + 1 || src.seq != s1) {
        ++lost;  // being rewritten right now
        continue;
      }
      records.push_back({e, v});
    }
    cursor.push_back(head);
  }
  std::stable_sort(records.begin(), records.end(),
                   [](const Record& a, const Record& b) { return a.e.time_ns < b.e.time_ns; });
  for (const auto& [e, v] : records) {
    entries.push_back({{"vcpu", v},
                       {"seq", e.seq},
                       {"time_ns", e.time_ns},
                       {"class", exception_class_name(static_cast<ExceptionClass>(e.ec))},
                       {"ec", e.ec},
                       {"pc", hex(e.pc)},
                       {"iss", hex(e.iss)},
                       {"result", result_name(e.result)},
                       {"detail", e.detail}});
  }
  return json{{"result", {{"entries", entries}, {"cursor", cursor}, {"lost", lost}}}};
}

json read_trap_stats(const VhvRam& ram, unsigned vm) {
  if (vm >= layout::kMaxVms) return json::object();
  const auto* s = reinterpret_cast<const volatile trace::TrapStats*>(
      ram.at(layout::trap_stats_pa(vm), sizeof(trace::TrapStats)));
  if (!s || s->magic != trace::kStatsMagic) return json::object();
  return json{{"backdoor_calls", uint64_t{s->backdoor_calls}},
              {"dcc_calls", uint64_t{s->dcc_calls}},
              {"bad_requests", uint64_t{s->bad_requests}},
              {"brk_reflected", uint64_t{s->brk_reflected}},
              {"exec_faults", uint64_t{s->exec_faults}},
              {"icache_syncs", uint64_t{s->icache_syncs}},
              {"exec_revoked", uint64_t{s->exec_revoked}},
              {"wfe_patched", uint64_t{s->wfe_patched}},
              {"wfe_calls", uint64_t{s->wfe_calls}},
              {"watchdog_fired", uint64_t{s->watchdog_fired}},
              {"sysreg_emulated", uint64_t{s->sysreg_emulated}},
              {"prda_ops", json::array({uint64_t{s->prda_ops[0]}, uint64_t{s->prda_ops[1]},
                                        uint64_t{s->prda_ops[2]}, uint64_t{s->prda_ops[3]},
                                        uint64_t{s->prda_ops[4]}, uint64_t{s->prda_ops[5]},
                                        uint64_t{s->prda_ops[6]}, uint64_t{s->prda_ops[7]}})},
              {"task_migrations", uint64_t{s->task_migrations}},
              {"s2_pool_exhausted", uint64_t{s->s2_pool_exhausted}},
              {"wfe_yields", uint64_t{s->wfe_yields}}};
}

void guestinfo_format(const VhvRam& ram) {
  for (unsigned vm = 0; vm < layout::kMaxVms; ++vm)
    if (guestinfo::Page* p = info_page(ram, vm)) guestinfo::format_page(*p);
}

std::string guestinfo_uuid(const VhvRam& ram, unsigned vm) {
  const guestinfo::Page* p = info_page(ram, vm);
  if (!p) return "";
  char text[40];
  const uint8_t* u = p->uuid;
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                u[15]);
  return text;
}

std::string guestinfo_prepare_run(const VhvRam& ram, unsigned vm) {
  guestinfo::Page* p = info_page(ram, vm);
  if (!p) return "";
  uint8_t u[16];
  std::random_device rd;  // the kernel's entropy (getrandom)
  for (auto& b : u) b = static_cast<uint8_t>(rd());
  u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x40);  // RFC 4122 version 4
  u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80);  // variant 1
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::copy(u, u + 16, p->uuid);
  p->host_realtime_ns = uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
  return guestinfo_uuid(ram, vm);
}

json guestinfo_request(const VhvRam& ram, unsigned vm, const json& params) {
  guestinfo::Page* p = info_page(ram, vm);
  if (!p || p->magic != guestinfo::kMagic)
    return control_error("unavailable", "the guestinfo area is not set up");
  const bool has_key = params.contains("key");
  const bool has_value = params.contains("value");
  std::string key, value;
  if (has_key) {
    if (!params["key"].is_string())
      return control_error("invalid-argument", "key must be a string");
    key = params["key"];
    if (!guestinfo::valid_key(key.data(), key.size()))
      return control_error(
          "invalid-argument",
          "bad guestinfo key \"" + key + "\": use 1 to 31 characters of A-Z a-z 0-9 . _ -");
  }
  if (has_value) {
    if (!has_key) return control_error("invalid-argument", "setting a value needs a key");
    if (!params["value"].is_string())
      return control_error("invalid-argument", "value must be a string");
    value = params["value"];
    if (value.size() > guestinfo::kMaxValue || value.find('\0') != std::string::npos)
      return control_error("invalid-argument",
                           "a guestinfo value is at most 95 bytes, without NUL");
  }
  if (!lock_patiently(*p))
    return control_error("unavailable", "the guestinfo area is locked by the lowvisor");
  json result;
  guestinfo::Status status = guestinfo::Status::Ok;
  if (has_value) {
    status = guestinfo::set(*p, key.data(), key.size(), value.data(), value.size());
    if (status == guestinfo::Status::NotFound) status = guestinfo::Status::Ok;  // removing nothing
  } else if (has_key) {
    const guestinfo::Entry* e = guestinfo::find(*p, key.data(), key.size());
    result = e ? json{{"key", key}, {"value", c_string(e->value, guestinfo::kMaxValue)}}
               : json{{"key", key}, {"value", nullptr}};
  } else {
    json values = json::object();
    for (const auto& e : p->entries)
      if (e.key[0])
        values[c_string(e.key, guestinfo::kMaxKey)] = c_string(e.value, guestinfo::kMaxValue);
    result = json{{"values", values}};
  }
  guestinfo::unlock(*p);
  if (status == guestinfo::Status::Full)
    return control_error("invalid-argument", "the guestinfo area is full (64 keys)");
  if (status != guestinfo::Status::Ok)
    return control_error("invalid-argument", "cannot set that value");
  if (has_value) result = json{{"key", key}, {"value", value.empty() ? json() : json(value)}};
  result["uuid"] = guestinfo_uuid(ram, vm);
  return json{{"result", result}};
}

json guestinfo_preset(const VhvRam& ram, unsigned vm, const json& values) {
  if (!values.is_object())
    return json{{"code", "invalid-argument"}, {"message", "guestinfo must be an object"}};
  for (const auto& [key, value] : values.items()) {
    json r = guestinfo_request(ram, vm, {{"key", key}, {"value", value}});
    if (r.contains("error")) return r["error"];
  }
  return nullptr;
}

}  // namespace nestlab::vhv
