// The grading guest of a hypervisor lab, prepared for one run: read from
// <share>/labs-built/hyp-guests/<lab.guest>, with the run's nonce written
// over the 16 zeros after "NESTLAB-NONCE:" in the image (docs/labs.md,
// "Hypervisor labs"), in an anonymous file the caller owns. The guest prints
// the nonce only from what it got back from the student's hypervisor, so a
// hypervisor that prints the guest's lines itself does not know them.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "console/lab/lab_definition.h"

namespace nestlab::lab {

inline constexpr std::string_view kNonceSlot = "NESTLAB-NONCE:0000000000000000";

// Pure: `image` with the first nonce slot filled; an error when it has none.
HostResult<std::string> fill_nonce_slot(std::string image, std::string_view nonce);

std::string hyp_guest_path(const LabDefinition& lab);

// A memfd (O_CLOEXEC) holding the guest with `nonce` in it; the caller closes it.
HostResult<int> open_hyp_guest(const LabDefinition& lab, std::string_view nonce);

}  // namespace nestlab::lab
