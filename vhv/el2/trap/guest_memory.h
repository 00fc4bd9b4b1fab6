// Reaching guest buffers named by guest virtual addresses in a request
// (backdoor strings, guestinfo values): translate through the guest's stage 1
// (AT S1E1R/S1E1W, Arm ARM C5.5.8) and then its stage 2 (only guest RAM is
// accepted, never MMIO), page by page.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/backdoor.h"

namespace nestlab {

class Vm;

enum class GuestAccess : uint8_t { Read, Write };

// The VHV physical address of one guest VA, or false if it is not mapped
// for that access (stage-1 fault, or an IPA outside guest RAM).
bool guest_va_to_pa(const Vm& vm, uint64_t va, GuestAccess access, uint64_t* pa);

backdoor::Error copy_from_guest(const Vm& vm, uint64_t va, void* dst, size_t len);
backdoor::Error copy_to_guest(Vm& vm, uint64_t va, const void* src, size_t len);
// Reads a NUL-terminated string of at most `max` characters into buf
// (buf has room for max + 1); BadString when there is no NUL in time.
backdoor::Error read_guest_string(const Vm& vm, uint64_t va, char* buf, size_t max, size_t* len);

}  // namespace nestlab
