// Describes the guests of a --hypervisor VHV in the device tree QEMU made
// (docs/hypervisor.md): the tree's root gets
//
//   nestlab {
//     compatible = "nestlab,lab-contract";
//     #address-cells = <2>; #size-cells = <2>;
//     guest@44000000 {                    // unit address = where it is
//       compatible = "nestlab,guest-image";
//       reg = <0x0 0x44000000 0x0 SIZE>;  // its flattened bytes in RAM
//       load-address = <0x0 0x40080000>;  // the IPA of reg's first byte
//       entry = <0x0 0x40080000>;         // its entry point (an IPA)
//       image-name = "hello.elf";
//     };
//   };
//
// as its last child. The blob is rewritten whole (Devicetree Specification
// v0.4 chapter 5): header, the same reservation block, the structure block
// with the node inserted before the root's FDT_END_NODE, the strings block
// with the new property names appended.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/error.h"
#include "vhv/host/byoh/lab_contract.h"

namespace nestlab::vhv {

// `blob` is the tree as QEMU left it; the result is no larger than
// `max_size` (its totalsize stays QEMU's when the new tree fits in it, so
// the hypervisor keeps the same room to edit it).
HostResult<std::vector<uint8_t>> add_guest_nodes(std::span<const uint8_t> blob,
                                                 std::span<const PlacedGuest> guests,
                                                 size_t max_size);

}  // namespace nestlab::vhv
