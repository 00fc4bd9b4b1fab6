// Per-user bounds on what clients can make nestlabd hold (DESIGN.md,
// "Reliability rules": every resource a client can make the kernel hold has
// a per-user bound and a clear error when it is reached). Each bound has a
// name, used in `--limit NAME=N`, in `NESTLAB_LIMIT_<NAME>` (upper case, '-'
// as '_') and in the error a client gets when it reaches it. The table in
// docs/protocols.md ("Per-user bounds") lists them with their defaults.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace nestlab::kernel {

struct Limits {
  size_t connections = 64;           // API connections open at once
  size_t received_fds = 64;          // fds received and not yet handled
  size_t subscriptions = 256;        // events.subscribe and console.subscribe entries
  size_t trace_followers = 16;       // vm.trace follow:true at once
  size_t queued_output = 64u << 20;  // bytes queued for the user's connections together
  size_t console_streams = 256;      // console.attach attachments across connections
  size_t vhvs = 256;                 // VHVs owned (listed, in any state)
  size_t console_disk = 256u << 20;  // console log bytes on disk for the user's VHVs
  size_t networks = 8;               // lab networks (--net NAME) with a VM on them
  size_t net_ports = 16;             // VMs on one of the user's lab networks
};

// Fixed bounds of the protocol itself (not settings: the wire format
// depends on them).
inline constexpr size_t kMaxJsonDepth = 64;         // nesting of one JSON line
inline constexpr size_t kMaxFdsPerConnection = 16;  // one message's worth
inline constexpr size_t kMaxQueuedPerConnection = 16u << 20;
inline constexpr size_t kMaxPendingPerVhv = 64;  // control requests awaiting a reply

struct LimitInfo {
  const char* name;  // "received-fds"
  size_t Limits::*member;
  const char* what;  // "file descriptors received and not yet handled"
  bool bytes;        // a byte count (accepts K, M, G suffixes)
};
std::span<const LimitInfo> limit_table();

// `assignment` is "NAME=VALUE", VALUE a positive integer, with K/M/G
// (binary) for byte counts.
HostResult<void> set_limit(Limits& limits, std::string_view assignment);
// Applies every NESTLAB_LIMIT_<NAME> found in the environment.
HostResult<void> limits_from_env(Limits& limits);
size_t limit_value(const Limits& limits, std::string_view name);

// The error a client gets at a bound: names the user, what it already
// holds, the bound and how to raise it, e.g. "uid 1000 already has 64
// connections open: the per-user bound "connections" (64) is reached; close
// some, or start nestlabd with --limit connections=N".
Err<Error> limit_reached(std::string_view name, size_t bound, uid_t uid,
                         const std::string& holding);

}  // namespace nestlab::kernel
