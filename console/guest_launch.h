// Starting guests in fresh ephemeral VHVs, as `nestlab run` and
// `nestlab demo` do: vhv.create {ephemeral} → console.subscribe +
// events.subscribe → vm.run with the image fd attached. Requests for several
// guests are pipelined so their VHVs boot in parallel.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "console/client/client.h"

namespace nestlab::cli {

struct GuestSpec {
  std::optional<std::string> name;
  std::optional<uint64_t> mem;
  unsigned smp = 1;         // vCPUs; the VHV gets as many CPUs
  std::string smp_boot;     // "psci" / "mailbox"; empty: default
  std::string tick_policy;  // S10: "none" / "skip" / "accelerated"; empty: default
  std::string append;
  std::optional<std::string> device_map;  // S9: the mapping file's text
  int image_fd = -1;                      // Not owned.
  std::string image_name;
  int initrd_fd = -1;  // -1: no initrd. Not owned.
  std::string initrd_name;
  // vm.run's "disks" (disk_option.h open_disks, fd indices from 0) and
  // their fds, sent after the image's and the initrd's. Not owned.
  client::json disks = client::json::array();
  std::vector<int> disk_fds;
  // --hypervisor (docs/hypervisor.md): the EL2 image that replaces the
  // lowvisor, sent with vhv.create with its guests; vm.run then starts it
  // (image_fd is then the hypervisor's again). -1: the lowvisor. Not owned.
  int hypervisor_fd = -1;
  std::string hypervisor_name;
  std::vector<int> guest_fds;
  std::vector<std::string> guest_names;
  std::string net;  // vm.run's "net": a lab network's name; empty: none
};

// Appends each VHV's id to `created` as soon as it exists, so the caller can
// destroy them whatever fails later. Errors carry the kernel's message.
HostResult<void> launch_guests(client::Client& client, std::span<const GuestSpec> guests,
                               std::vector<std::string>& created);

// Best effort: asks the kernel to destroy each VHV, ignoring errors (they
// are ephemeral, so the kernel also destroys them when we disconnect).
void destroy_vhvs(client::Client& client, std::span<const std::string> vhvs);

}  // namespace nestlab::cli
