// The highvisor's reader of what the lowvisor's trap layer keeps in shared
// VHV RAM: the per-vCPU exit trace rings and trap statistics
// (vhv/common/trace_ring.h), and the guestinfo key-value area
// (vhv/common/guestinfo.h), which the highvisor may also write. Used by the
// control requests `trace`, `stats` and `guestinfo` (docs/protocols.md §2).
// Each VM has its own copy of these blocks in its slot (layout::vm_slot);
// `vm` is the VM's id (0..layout::kMaxVms-1).
#pragma once

#include <nlohmann/json.hpp>

#include "vhv/host/vhv_ram.h"

namespace nestlab::vhv {

// params: {cursor?: [seq per vCPU], limit?: 1..1024 (default 64)}. Returns
// {entries: [...oldest first], cursor: [...], lost: N} where lost counts
// records after the cursor that were overwritten or skipped by the limit.
nlohmann::json read_trace(const VhvRam& ram, unsigned vm, unsigned vcpus,
                          const nlohmann::json& params);

// {backdoor_calls, dcc_calls, bad_requests, ...}; {} before the lowvisor booted.
nlohmann::json read_trap_stats(const VhvRam& ram, unsigned vm);

// Formats every VM's guestinfo page (once, before QEMU starts).
void guestinfo_format(const VhvRam& ram);
// Before each RunVm: a fresh VM UUID and the host half of the time base.
// Returns the UUID as text.
std::string guestinfo_prepare_run(const VhvRam& ram, unsigned vm);
std::string guestinfo_uuid(const VhvRam& ram, unsigned vm);

// params {key?} -> {values: {k: v}} or {key, value}; set: {key, value}
// ("" removes). Errors are {code, message} objects under "error".
nlohmann::json guestinfo_request(const VhvRam& ram, unsigned vm, const nlohmann::json& params);

// vm.run's guestinfo {key: value, ...}: sets each before the guest starts.
// Returns null, or the {code, message} of the first key that failed.
nlohmann::json guestinfo_preset(const VhvRam& ram, unsigned vm, const nlohmann::json& values);

}  // namespace nestlab::vhv
