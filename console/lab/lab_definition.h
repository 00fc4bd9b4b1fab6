// A lab's definition, read from its lab.toml (docs/labs.md, "lab.toml"):
// what the VM looks like, the limits, and the steps the grader runs in order.
// Parsing is strict: an unknown key, a missing field, a wrong type or an
// unknown step kind is an error naming the file, the key and what is wrong,
// so a typo in a lab never silently changes what is graded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace nestlab::lab {

enum class StepKind { Expect, Send, Mark, Counter, GuestInfo, Exit, Trace, Share };

const char* step_kind_name(StepKind kind);

// What the student writes: an EL1 guest that runs on nestlab's lowvisor, or
// the EL2 hypervisor itself, run with `nestlab run --hypervisor` on the
// lab's grading guest (docs/labs.md, "Hypervisor labs").
enum class LabKind { Guest, Hypervisor };

const char* lab_kind_name(LabKind kind);

struct Step {
  std::string name;  // shown in every report
  StepKind kind = StepKind::Expect;
  int64_t points = 0;
  bool fatal = false;
  std::optional<int64_t> timeout_guest_ms;  // expect, mark, exit; default limits.guest_ms

  std::string pattern;     // expect (placeholders expanded at run time)
  bool regex = false;      // expect
  std::string input;       // send (escapes already decoded; placeholders at run time)
  std::string mark;        // mark: the marker's name (`mark`, default the step's name)
  std::string exit_class;  // counter, trace: an exit class name as `nestlab vm stats` shows
  std::optional<uint64_t> min, max;  // counter, trace
  // trace: which of the lowvisor's exit records count (docs/labs.md, "trace").
  std::optional<uint32_t> iss;      // ESR_EL2.ISS & iss_mask must equal this
  uint32_t iss_mask = 0xffff'ffff;  // from `iss_mask`, or from `sysreg` / `access`
  // The record's detail (backdoor service, MMIO offset) must be in
  // [detail_lo, detail_hi]: `detail = N` or `detail = [LO, HI]`.
  std::optional<uint16_t> detail_lo, detail_hi;
  std::string result;                  // "advance", "resume", ... or "" for any
  std::optional<int64_t> min_span_ms;  // first to last matching record, in ms
  std::string key, value;              // guestinfo
  // share: the student's VM's part, in percent, of the CPU time both VMs
  // got over `window_ms` of guest time (the lowvisor's accounting).
  std::optional<int64_t> share_min, share_max;
  int64_t window_ms = 1000;
  int64_t code = 0;  // exit
};

struct LabDefinition {
  std::string id;
  std::string title;
  std::string summary;
  std::vector<std::string> files;  // the student's files
  LabKind kind = LabKind::Guest;
  // Hypervisor labs: the grading guest, a file name in
  // <share>/labs-built/hyp-guests/, given to the student's hypervisor with
  // this run's nonce written into it (docs/labs.md, "Hypervisor labs").
  std::string guest;
  // [vm]
  uint64_t mem = 64ull << 20;
  unsigned smp = 1;
  std::string append;
  // Platform facts varied per run and announced only in the device tree:
  // a RAM size drawn from [mem_min, mem_max] (2 MiB steps; both 0: `mem`),
  // and the PL011 moved to a random free page (`pl011 = "random"`).
  uint64_t mem_min = 0, mem_max = 0;
  bool random_pl011 = false;
  uint32_t weight = 1;  // its scheduler weight (issue 13)
  // [competitor]: a second copy of the student's program in the same VHV,
  // beside it (VM 1), with its own weight and boot arguments.
  bool competitor = false;
  uint32_t competitor_weight = 1;
  std::string competitor_append;
  // [limits]
  int64_t guest_ms = 5000;
  int64_t wall_cap_s = 120;
  std::vector<Step> steps;

  std::string path;  // the lab.toml it came from
  std::string dir;   // its folder (starter/, reference/, README.md)

  int64_t max_points() const;
  int64_t step_timeout_ms(const Step& step) const {
    return step.timeout_guest_ms.value_or(guest_ms);
  }
};

// `file` is only used in messages ("labs/01-boot/lab.toml: steps[2]: ...").
HostResult<LabDefinition> parse_lab_definition(std::string_view toml_text, std::string_view file);

// Reads and parses <dir>/lab.toml; the id must match the folder's name.
HostResult<LabDefinition> load_lab_definition(const std::string& dir);

}  // namespace nestlab::lab
