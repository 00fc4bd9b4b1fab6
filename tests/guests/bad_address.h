// An IPA with nothing behind it, both on plain QEMU -M virt (between the
// virtio-mmio transports at 0x0a000000 and the platform bus at 0x0c000000)
// and in a VHV (everything below RAM that is not an emulated device; nestlab
// devices start at 0x0b000000).
#pragma once
#include <cstdint>
inline constexpr uint64_t kBadAddress = 0x0a80'0000;
