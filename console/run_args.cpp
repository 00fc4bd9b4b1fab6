#include "console/run_args.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>

#include "console/size.h"

namespace nestlab::cli {

namespace {

constexpr OptionSpec kRunOptions[] = {
    {"mem", 'm', TakesValue::Yes, "SIZE",
     "guest RAM, as QEMU -m: 256M, 1G, 512K; a plain number is MiB"},
    {"smp", 0, TakesValue::Yes, "N", "number of vCPUs (1 to 8)"},
    {"smp-boot", 0, TakesValue::Yes, "psci|mailbox",
     "how secondary vCPUs boot: PSCI CPU_ON (default) or parked in mailboxes (spin-table)"},
    {"tick-policy", 0, TakesValue::Yes, "none|skip|accelerated",
     "guest time after `vhv pause`: skip the pause (default), exclude it, or catch up fast"},
    {"device-map", 0, TakesValue::Yes, "FILE",
     "map device IDs to the guest's own (lines DEVICE_ID = GUEST_ID; in its device tree)"},
    {"append", 0, TakesValue::Yes, "ARGS",
     "command line for the guest (in its device tree /chosen/bootargs)"},
    {"initrd", 0, TakesValue::Yes, "FILE",
     "initial ramdisk for a Linux IMAGE, as QEMU -initrd (/chosen/linux,initrd-start/end)"},
    {"disk", 0, TakesValue::Yes, "FILE[,ro]",
     "raw disk image as a virtio-blk device, as QEMU -drive file=FILE,format=raw -device "
     "virtio-blk-device (repeatable; ,ro: read-only)"},
    {"net", 0, TakesValue::Yes, "NAME",
     "a virtio-net device on your lab network NAME, shared by your VMs that name it, as "
     "QEMU -netdev socket -device virtio-net-device (no route to the host's network)"},
    {"name", 0, TakesValue::Yes, "NAME", "name of the virtual hypervisor"},
    {"stats", 0, TakesValue::No, "",
     "print the guest's exits per exception class at the end (stderr)"},
    {"hypervisor", 0, TakesValue::Yes, "HYP.elf",
     "boot this AArch64 EL2 ELF instead of nestlab's lowvisor, as plain QEMU -M "
     "virt,virtualization=on would; the IMAGEs become its guests (docs/hypervisor.md)"},
};

constexpr size_t kMaxHypervisorGuests = 8;

Err<Error> usage(std::string message) {
  return make_error(ErrorCode::InvalidArgument, std::move(message));
}

}  // namespace

std::span<const OptionSpec> run_option_specs() { return kRunOptions; }

HostResult<void> check_smp(const std::string& value) {
  int n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 1)
    return usage("--smp " + value + ": expected a number of vCPUs (1 or more)");
  if (n > 8) return usage("--smp " + value + ": at most 8 vCPUs");
  return {};
}

HostResult<RunOptions> parse_run_args(std::span<const std::string> words) {
  RunOptions o;
  o.args = TRY(parse_args(words, kRunOptions));
  if (o.args.help()) return o;

  if (auto boot = o.args.value("smp-boot")) {
    if (*boot != "psci" && *boot != "mailbox")
      return usage("--smp-boot " + *boot + ": expected psci or mailbox");
    o.smp_boot = *boot;
  }
  if (auto policy = o.args.value("tick-policy")) {  // S10
    if (*policy != "none" && *policy != "skip" && *policy != "accelerated")
      return usage("--tick-policy " + *policy + ": expected none, skip or accelerated");
    o.tick_policy = *policy;
  }
  if (auto smp = o.args.value("smp")) {
    TRY(check_smp(*smp));
    o.smp = static_cast<unsigned>(std::stoul(*smp));
  }
  if (auto mem = o.args.value("mem")) {
    auto size = parse_size(*mem);
    if (size.is_error()) return usage("--mem: " + size.error().message);
    o.mem = size.value();
  }
  if (auto name = o.args.value("name")) {
    if (name->empty()) return usage("--name: the name must not be empty");
    o.name = *name;
  }
  if (auto file = o.args.value("device-map")) {  // S9: checked by the highvisor
    std::ifstream in(*file, std::ios::binary);
    if (!in) return usage("--device-map " + *file + ": cannot read it: " + std::strerror(errno));
    o.device_map.assign(std::istreambuf_iterator<char>(in), {});
    o.device_map_given = true;
  }
  o.append = o.args.value("append").value_or("");
  if (auto initrd = o.args.value("initrd")) {
    if (initrd->empty()) return usage("--initrd: give the initrd's file name");
    o.initrd = *initrd;
  }
  if (auto disks = o.args.all_values.find("disk"); disks != o.args.all_values.end())
    o.disks = TRY(parse_disk_options(disks->second));
  if (auto net = o.args.all_values.find("net"); net != o.args.all_values.end())
    o.net = TRY(parse_net_option(net->second));
  o.stats = o.args.has("stats");

  if (auto hyp = o.args.value("hypervisor")) {
    if (hyp->empty()) return usage("--hypervisor: give the EL2 image's file name");
    for (const char* lowvisor_only :
         {"smp-boot", "tick-policy", "device-map", "append", "initrd", "disk", "net"})
      if (o.args.has(lowvisor_only))
        return usage(std::string("--") + lowvisor_only +
                     " is for guests of nestlab's lowvisor; with --hypervisor your hypervisor "
                     "decides how its guests run");
    if (o.args.operands.size() > kMaxHypervisorGuests)
      return usage("too many guests: --hypervisor takes at most " +
                   std::to_string(kMaxHypervisorGuests));
    o.hypervisor = *hyp;
    o.guests = o.args.operands;
    return o;
  }
  if (o.args.operands.empty())
    return usage("missing IMAGE (the guest program to run, e.g. hello.elf)");
  if (o.args.operands.size() > 1)
    return usage("unexpected argument '" + o.args.operands[1] +
                 "' (only one IMAGE; use --append for guest arguments)");
  o.image = o.args.operands[0];
  return o;
}

std::string run_help() {
  return "Usage: nestlab run [OPTIONS] IMAGE\n"
         "       nestlab run [OPTIONS] --hypervisor HYP.elf [GUEST ...]\n"
         "\n"
         "Runs the AArch64 guest program IMAGE (ELF, arm64 Linux Image or raw) in a new\n"
         "virtual hypervisor, shows its serial console, and exits with the guest's exit\n"
         "code. The virtual hypervisor is ephemeral: it is destroyed when the guest ends, on\n"
         "Ctrl-C, or if this command dies. A Linux Image is placed as QEMU -kernel places\n"
         "it (by its header), its --initrd and device tree after it.\n"
         "\n"
         "With --hypervisor, the virtual hypervisor boots HYP.elf at EL2 instead of\n"
         "nestlab's lowvisor; the GUESTs are placed in RAM as docs/hypervisor.md says and\n"
         "described in the device tree at 0x40000000 (/nestlab/guest@ADDR). Its PL011 is\n"
         "the console, its PSCI SYSTEM_OFF (SMC) the end, x1 & 0xff the exit code; --stats\n"
         "shows the exceptions QEMU saw it take at EL2.\n"
         "\n" +
         format_options_help(kRunOptions) +
         "\n"
         "Exit status:\n"
         "  N    the guest powered off with code N (PSCI SYSTEM_OFF, x1 & 0xff)\n"
         "  2    bad command line\n"
         "  125  nothing ran: bad image, kernel or virtual hypervisor failure\n"
         "  126  the lowvisor stopped the guest (unhandled exception; details on stderr)\n"
         "  130  interrupted (Ctrl-C, SIGTERM) or stopped from outside\n"
         "\n"
         "Output: guest bytes go to stdout unchanged; messages and --stats go to stderr.\n"
         "With --json, stdout carries one JSON object per line instead:\n"
         "  {\"console\": TEXT}  guest output as it arrives (invalid UTF-8 becomes U+FFFD)\n"
         "  {\"exit\": {\"vhv\", \"reason\", \"code\", \"message\", \"status\", \"counters\"}}  "
         "last line\n"
         "  {\"error\": {\"message\", \"status\"}}  last line when the guest could not run\n";
}

}  // namespace nestlab::cli
