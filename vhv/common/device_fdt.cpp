#include "vhv/common/device_fdt.h"

namespace nestlab {

void fdt_reg(FdtWriter& w, const char* name, uint64_t base, uint64_t size) {
  const uint32_t cells[4] = {uint32_t(base >> 32), uint32_t(base), uint32_t(size >> 32),
                             uint32_t(size)};
  w.prop_cells(name, cells, 4);
}

void fdt_interrupts(FdtWriter& w, DeviceIrq irq) {
  constexpr uint32_t kSpi = 0, kPpi = 1, kLevelHigh = 4;
  if (irq.kind == DeviceIrq::Kind::None) return;
  const uint32_t cells[3] = {irq.kind == DeviceIrq::Kind::Spi ? kSpi : kPpi, irq.number,
                             kLevelHigh};
  w.prop_cells("interrupts", cells, 3);
}

}  // namespace nestlab
