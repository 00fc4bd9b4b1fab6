// Authenticated markers (docs/labs.md, "Markers"): the guest prints
// `@@mark <name> <mac>` where mac is SipHash-2-4 of the name under this
// run's secret (labs/common/siphash.h, the same code the guest runs). A
// marker line is accepted only with the MAC of this run's secret, so
// printing a line seen in an earlier run, or guessing, fails.
#pragma once

#include <string>
#include <string_view>

namespace nestlab::lab {

// 1..64 printable ASCII characters without spaces ("uart@9000000").
bool valid_marker_name(std::string_view name);

// The 16 lower-case hex digits the guest must print; "" if `secret_hex` is
// not 32 hex digits.
std::string marker_mac(const std::string& secret_hex, std::string_view name);

enum class MarkerVerdict {
  Valid,     // a line with the right MAC
  WrongMac,  // only lines with another MAC (a stale or forged marker)
  Missing,   // no marker line of that name
};

struct MarkerCheck {
  MarkerVerdict verdict = MarkerVerdict::Missing;
  std::string line;  // the marker line that decided (the last wrong one for WrongMac)
};

// Looks through every complete line of `console` for `@@mark <name> ...`.
MarkerCheck check_marker(std::string_view console, std::string_view name,
                         const std::string& secret_hex);

}  // namespace nestlab::lab
