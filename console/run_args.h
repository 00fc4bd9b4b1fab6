// The command line of `nestlab run`, parsed and checked without touching
// the kernel or the file system.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/error.h"
#include "console/args.h"
#include "console/disk_option.h"
#include "console/net_option.h"

namespace nestlab::cli {

struct RunOptions {
  ParsedArgs args;              // Raw parse (for --json, --socket, --help).
  std::optional<uint64_t> mem;  // Bytes; kernel default when absent.
  unsigned smp = 1;             // vCPUs (the VHV gets as many CPUs)
  std::string smp_boot;         // "psci" or "mailbox"; empty: the kernel's default (psci)
  std::string tick_policy;      // S10: "none" | "skip" | "accelerated"; empty: default (skip)
  std::optional<std::string> name;
  std::string append;
  std::string device_map;         // S9: the --device-map file's text
  bool device_map_given = false;  // an empty file is still a map
  bool stats = false;
  std::string initrd;             // --initrd FILE; empty: none
  std::vector<DiskOption> disks;  // --disk FILE[,ro], in order
  std::string net;                // --net NAME; empty: no network device
  std::string image;              // Empty only when --help was given or with --hypervisor.
  // --hypervisor HYP.elf (docs/hypervisor.md): the student's EL2 image runs
  // instead of the lowvisor; the operands are its guests (0 to 8).
  std::string hypervisor;
  std::vector<std::string> guests;
};

std::span<const OptionSpec> run_option_specs();

// Usage errors (exit 2) name the offending word, e.g. "--smp 2: guests with
// more than one vCPU are not supported yet", "missing IMAGE".
HostResult<RunOptions> parse_run_args(std::span<const std::string> words);

// Checks --smp: a number of vCPUs, 1 to 8.
HostResult<void> check_smp(const std::string& value);

std::string run_help();

}  // namespace nestlab::cli
