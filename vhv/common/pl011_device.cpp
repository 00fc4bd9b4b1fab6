// The PL011 as a device of the contract (device.h): its descriptor and
// device-tree node, reset, and its snapshot.
#include "vhv/common/device_fdt.h"
#include "vhv/common/format.h"
#include "vhv/common/guest_devices.h"
#include "vhv/common/layout.h"
#include "vhv/common/pl011.h"

namespace nestlab {
namespace {

constexpr uint32_t kApbClockHz = 24'000'000;

// As QEMU virt writes it (hw/arm/virt.c create_uart), after the APB clock
// node the UART's `clocks` refer to.
void pl011_node(FdtWriter& w, const DevicePlacement& at) {
  w.begin_node("apb-pclk");
  w.prop_string("compatible", "fixed-clock");
  w.prop_u32("#clock-cells", 0);
  w.prop_u32("clock-frequency", kApbClockHz);
  w.prop_string("clock-output-names", "clk24mhz");
  w.prop_u32("phandle", kPhandleApbClock);
  w.end_node();

  const uint64_t base = at.of(DeviceId::Pl011);
  char name[32];
  format(name, sizeof(name), "pl011@%llx", static_cast<unsigned long long>(base));
  w.begin_node(name);
  const char* compat[] = {"arm,pl011", "arm,primecell"};
  w.prop_strings("compatible", compat, 2);
  fdt_reg(w, "reg", base, Pl011::kSize);
  fdt_interrupts(w, Pl011::kDescriptor.irq);
  const uint32_t clocks[2] = {kPhandleApbClock, kPhandleApbClock};
  w.prop_cells("clocks", clocks, 2);
  const char* clock_names[] = {"uartclk", "apb_pclk"};
  w.prop_strings("clock-names", clock_names, 2);
  w.end_node();
}

}  // namespace

// QEMU virt: UART0 at 0x0900_0000, SPI 1 (hw/arm/virt.c VIRT_UART).
const DeviceDescriptor Pl011::kDescriptor = {
    "pl011",   layout::kGuestPl011Ipa, kSize, {DeviceIrq::Kind::Spi, 1}, GuestDevice::Pl011,
    pl011_node};

void Pl011::reset() {
  // A new device on the same wiring; the line it drove is lowered.
  const bool level = m_irq_level;
  *this = Pl011(m_sink, m_source);
  m_irq_level = level;
  update_irq_line();
}

Result<size_t, SnapshotError> Pl011::save(uint8_t* out, size_t len) const {
  SnapshotWriter w(out, len, kSnapshotMagic, kSnapshotVersion);
  w.u32(m_ibrd);
  w.u32(m_fbrd);
  w.u32(m_lcr_h);
  w.u32(m_cr);
  w.u32(m_ifls);
  w.u32(m_imsc);
  w.u32(m_ris);
  w.u32(m_dmacr);
  w.u32(m_ilpr);
  w.u32(m_rsr);
  w.u32(static_cast<uint32_t>(m_rx_count));
  for (size_t i = 0; i < kRxFifo; ++i) w.u8(i < m_rx_count ? m_rx[(m_rx_head + i) % kRxFifo] : 0);
  return w.finish();
}

Result<void, SnapshotError> Pl011::restore(const uint8_t* data, size_t len) {
  auto r = TRY(SnapshotReader::open(data, len, kSnapshotMagic, kSnapshotVersion, kSnapshotPayload));
  // Each register holds only the bits its write path keeps (Pl011::write);
  // RIS only the conditions that ever raise it.
  Pl011 next(m_sink, m_source);
  next.m_ibrd = r.u32_mask(0xffff);
  next.m_fbrd = r.u32_mask(0x3f);
  next.m_lcr_h = r.u32_mask(0xff);
  next.m_cr = r.u32_mask(0xffff);
  next.m_ifls = r.u32_mask(0x3f);
  next.m_imsc = r.u32_mask(kIntAll);
  next.m_ris = r.u32_mask(kIntTx | kIntRx | kIntRt | kIntOe);
  next.m_dmacr = r.u32_mask(7);
  next.m_ilpr = r.u32_mask(0xff);
  next.m_rsr = r.u32_mask(kRsrOe);
  const uint32_t count = r.u32();
  if (count > kRxFifo) r.reject(SnapshotError::OutOfRange);
  for (size_t i = 0; i < kRxFifo; ++i) {
    const uint8_t b = r.u8();
    if (i >= count && b != 0) r.reject(SnapshotError::OutOfRange);  // one encoding per state
    next.m_rx[i] = b;
  }
  TRY(r.finish());
  next.m_rx_count = count;
  // RX and RX-timeout are functions of the FIFO level and trigger
  // (update_rx_interrupts runs after every change to either): a snapshot
  // that disagrees would leave the guest an interrupt it cannot clear.
  Pl011 derived = next;
  derived.update_rx_interrupts();
  if (derived.m_ris != next.m_ris) return Err{SnapshotError::OutOfRange};
  next.m_irq_level = m_irq_level;
  *this = next;
  update_irq_line();  // a restored device drives its line again
  return {};
}

}  // namespace nestlab
