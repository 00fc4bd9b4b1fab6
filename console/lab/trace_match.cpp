#include "console/lab/trace_match.h"

#include <charconv>
#include <cstdio>

namespace nestlab::lab {

namespace {

// ESR_EL2.ISS of EC 0x18 (Arm ARM D17.2.37, "ISS encoding for an exception
// from MSR, MRS, or System instruction execution in AArch64 state").
constexpr unsigned kOp0Shift = 20, kOp2Shift = 17, kOp1Shift = 14, kCrnShift = 10, kCrmShift = 1;
constexpr uint32_t kSysDirectionRead = 1u << 0;
// ISS of EC 0x24: WnR, bit 6.
constexpr uint32_t kDabtWnr = 1u << 6;

struct Named {
  std::string_view name, encoding;
};
constexpr Named kNamed[] = {{"CNTFRQ_EL0", "S3_3_C14_C0_0"},
                            {"CNTPCT_EL0", "S3_3_C14_C0_1"},
                            {"CNTVCT_EL0", "S3_3_C14_C0_2"},
                            {"MDCCSR_EL0", "S2_3_C0_C1_0"}};

// Reads a decimal field of at most `max` and the separator after it.
bool field(std::string_view& s, unsigned max, char sep, unsigned& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end == s.data() || out > max) return false;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  if (sep == '\0') return s.empty();
  if (s.empty() || s.front() != sep) return false;
  s.remove_prefix(1);
  return true;
}

bool skip(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<IssMatch> sysreg_iss(std::string_view name) {
  for (const auto& n : kNamed)
    if (name == n.name) name = n.encoding;
  unsigned op0, op1, crn, crm, op2;
  std::string_view s = name;
  if (!skip(s, 'S') || !field(s, 3, '_', op0) || !field(s, 7, '_', op1) || !skip(s, 'C') ||
      !field(s, 15, '_', crn) || !skip(s, 'C') || !field(s, 15, '_', crm) ||
      !field(s, 7, '\0', op2))
    return std::nullopt;
  IssMatch m;
  m.value =
      op0 << kOp0Shift | op2 << kOp2Shift | op1 << kOp1Shift | crn << kCrnShift | crm << kCrmShift;
  m.mask =
      3u << kOp0Shift | 7u << kOp2Shift | 7u << kOp1Shift | 15u << kCrnShift | 15u << kCrmShift;
  return m;
}

std::optional<IssMatch> access_iss(std::string_view exit_class, std::string_view access) {
  if (access != "read" && access != "write") return std::nullopt;
  const bool write = access == "write";
  if (exit_class == "DABT_LOW") return IssMatch{write ? kDabtWnr : 0, kDabtWnr};
  if (exit_class == "SYS64") return IssMatch{write ? 0 : kSysDirectionRead, kSysDirectionRead};
  return std::nullopt;
}

bool known_trace_result(std::string_view result) {
  for (auto r : {"advance", "resume", "reboot", "stop", "irq"})
    if (result == r) return true;
  return false;
}

bool trace_matches(const Step& step, const TraceRecord& record) {
  if (record.exit_class != step.exit_class) return false;
  if (step.iss && (record.iss & step.iss_mask) != *step.iss) return false;
  if (step.detail_lo && (record.detail < *step.detail_lo || record.detail > *step.detail_hi))
    return false;
  if (!step.result.empty() && record.result != step.result) return false;
  return true;
}

std::string describe_trace_step(const Step& step) {
  char buf[96];
  std::string out = step.exit_class + " exits";
  std::string with;
  if (step.iss) {
    if (step.iss_mask == 0x1ff'ffff)
      std::snprintf(buf, sizeof buf, "ISS 0x%x", *step.iss);
    else
      std::snprintf(buf, sizeof buf, "ISS 0x%x under mask 0x%x", *step.iss, step.iss_mask);
    with += buf;
  }
  if (step.detail_lo) {
    if (*step.detail_lo == *step.detail_hi)
      std::snprintf(buf, sizeof buf, "detail 0x%x", unsigned{*step.detail_lo});
    else
      std::snprintf(buf, sizeof buf, "detail 0x%x..0x%x", unsigned{*step.detail_lo},
                    unsigned{*step.detail_hi});
    with += (with.empty() ? "" : ", ") + std::string(buf);
  }
  if (!step.result.empty()) with += (with.empty() ? "" : ", ") + ("result " + step.result);
  if (!with.empty()) out += " with " + with;
  if (step.min && step.max && *step.min == *step.max)
    out += ": exactly " + std::to_string(*step.min);
  else if (step.min && step.max)
    out += ": between " + std::to_string(*step.min) + " and " + std::to_string(*step.max);
  else if (step.min)
    out += ": at least " + std::to_string(*step.min);
  else
    out += ": at most " + std::to_string(*step.max);
  if (step.min_span_ms)
    out += ", spread over at least " + std::to_string(*step.min_span_ms) + " ms";
  return out;
}

}  // namespace nestlab::lab
