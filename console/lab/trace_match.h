// What a `trace` step counts (docs/labs.md, "trace"): the lowvisor's exit
// records (`vm.trace`) of one class, narrowed by syndrome (ISS, or a system
// register and access direction), detail and handler result. These are facts
// of the run that a guest cannot print: an exception the CPU really took, at
// the PC it was taken, for the register it really touched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "console/lab/lab_definition.h"

namespace nestlab::lab {

// One exit record as `vm.trace` returns it.
struct TraceRecord {
  unsigned vcpu = 0;
  uint64_t seq = 0;
  uint64_t time_ns = 0;
  std::string exit_class;  // "BRK64", "DABT_LOW", ...
  uint64_t pc = 0;
  uint32_t iss = 0;
  uint16_t detail = 0;
  std::string result;  // "advance", "resume", ...
};

// The ISS bits and mask of a trapped MSR/MRS (EC 0x18) of the register
// `name`: "S<op0>_<op1>_C<n>_C<m>_<op2>" or one of a few names
// (CNTPCT_EL0, CNTVCT_EL0, CNTFRQ_EL0, MDCCSR_EL0). The mask leaves out Rt
// and the direction.
struct IssMatch {
  uint32_t value = 0;
  uint32_t mask = 0;
};
std::optional<IssMatch> sysreg_iss(std::string_view name);

// The ISS bit of `access` ("read" or "write") for class DABT_LOW (WnR) or
// SYS64 (Direction); nullopt for another class or word.
std::optional<IssMatch> access_iss(std::string_view exit_class, std::string_view access);

// The handler results `vm.trace` names.
bool known_trace_result(std::string_view result);

bool trace_matches(const Step& step, const TraceRecord& record);

// What the step wants, for reports: "BRK64 exits with ISS 0x1, result resume:
// exactly 16".
std::string describe_trace_step(const Step& step);

}  // namespace nestlab::lab
