// Checks the BootParams the highvisor wrote before anything is trusted:
// magic, version, size, checksum, and that every range lies where the
// layout (vhv/common/layout.h) says it may. A failure becomes the text of a
// RunFailed frame.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/boot_params.h"

namespace nestlab {

// vhv_ram_end: end of VHV RAM (from QEMU's device tree), 0 if unknown.
// Returns true when valid; otherwise writes a sentence into `why`.
bool check_boot_params(const BootParams& bp, uint8_t vm_id, uint64_t vhv_ram_end, char* why,
                       size_t why_len);

}  // namespace nestlab
