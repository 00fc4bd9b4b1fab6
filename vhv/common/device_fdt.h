// Pieces of device-tree nodes that several devices' node writers share
// (device.h DeviceDescriptor::fdt_node) with the tree builder (guest_fdt.cpp).
#pragma once

#include <cstdint>

#include "vhv/common/device.h"
#include "vhv/common/fdt_writer.h"

namespace nestlab {

// Phandles as QEMU numbers them, so dumps of both trees compare cleanly.
inline constexpr uint32_t kPhandleApbClock = 0x8000;
inline constexpr uint32_t kPhandleGic = 0x8002;

// A `reg`-style <base size> pair in two cells each (the root's
// #address-cells and #size-cells).
void fdt_reg(FdtWriter& w, const char* name, uint64_t base, uint64_t size);
// `interrupts` = <type number flags> for a level-high line (type 0 SPI,
// 1 PPI; flags 4 = level high: interrupt-controller/arm,gic-v3.yaml).
void fdt_interrupts(FdtWriter& w, DeviceIrq irq);

}  // namespace nestlab
