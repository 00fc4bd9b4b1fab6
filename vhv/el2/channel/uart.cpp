#include "vhv/el2/channel/uart.h"

#include "vhv/common/layout.h"
#include "vhv/common/pl011.h"
#include "vhv/el2/arch/sysreg.h"

namespace nestlab {
namespace {
constexpr uint64_t kBase = layout::kVhvPl011;
constexpr uint32_t kLcrFen = 1u << 4, kLcrWlen8 = 3u << 5;
constexpr uint32_t kCrUarten = 1u << 0, kCrTxe = 1u << 8, kCrRxe = 1u << 9;
constexpr uint32_t kIntRt = 1u << 6;
}  // namespace

void VhvUart::init() {
  arch::mmio_write<uint32_t>(kBase + Pl011::kCr, 0);
  arch::mmio_write<uint32_t>(kBase + Pl011::kLcrH, kLcrFen | kLcrWlen8);
  arch::mmio_write<uint32_t>(kBase + Pl011::kIcr, 0x7ff);
  arch::mmio_write<uint32_t>(kBase + Pl011::kImsc, Pl011::kIntRx | kIntRt);
  arch::mmio_write<uint32_t>(kBase + Pl011::kCr, kCrUarten | kCrTxe | kCrRxe);
}

void VhvUart::write_raw(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < len; ++i) {
    while (arch::mmio_read<uint32_t>(kBase + Pl011::kFr) & Pl011::kFrTxff) {
    }
    arch::mmio_write<uint32_t>(kBase + Pl011::kDr, p[i]);
  }
}

int VhvUart::read_byte() {
  if (arch::mmio_read<uint32_t>(kBase + Pl011::kFr) & Pl011::kFrRxfe) return -1;
  return static_cast<int>(arch::mmio_read<uint32_t>(kBase + Pl011::kDr) & 0xff);
}

}  // namespace nestlab
