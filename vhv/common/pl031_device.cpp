// The PL031 as a device of the contract (device.h): its descriptor and
// device-tree node, reset, and its snapshot.
#include "vhv/common/device_fdt.h"
#include "vhv/common/format.h"
#include "vhv/common/guest_devices.h"
#include "vhv/common/layout.h"
#include "vhv/common/pl031.h"

namespace nestlab {
namespace {

// As QEMU virt writes it (hw/arm/virt.c create_rtc): the APB clock that
// the PL011's node defines is its only clock.
void pl031_node(FdtWriter& w, const DevicePlacement& at) {
  const uint64_t base = at.of(DeviceId::Pl031);
  char name[32];
  format(name, sizeof(name), "pl031@%llx", static_cast<unsigned long long>(base));
  w.begin_node(name);
  const char* compat[] = {"arm,pl031", "arm,primecell"};
  w.prop_strings("compatible", compat, 2);
  fdt_reg(w, "reg", base, Pl031::kSize);
  fdt_interrupts(w, Pl031::kDescriptor.irq);
  w.prop_u32("clocks", kPhandleApbClock);
  w.prop_string("clock-names", "apb_pclk");
  w.end_node();
}

}  // namespace

// QEMU virt: the RTC at 0x0901_0000, SPI 2 (hw/arm/virt.c VIRT_RTC).
const DeviceDescriptor Pl031::kDescriptor = {
    "pl031",   layout::kGuestPl031Ipa, kSize, {DeviceIrq::Kind::Spi, 2}, GuestDevice::Pl031,
    pl031_node};

void Pl031::reset() {
  // A new device on the same backend: no match pending, the line lowered.
  const bool level = m_irq_level;
  *this = Pl031(m_backend);
  m_irq_level = level;
  tell_alarm();
  update_irq_line();
}

Result<size_t, SnapshotError> Pl031::save(uint8_t* out, size_t len) const {
  SnapshotWriter w(out, len, kSnapshotMagic, kSnapshotVersion);
  w.u32(m_offset);
  w.u32(m_mr);
  w.u32(m_lr);
  w.u32(m_imsc);
  w.u32(m_ris);
  w.u64(m_alarm_s);
  return w.finish();
}

Result<void, SnapshotError> Pl031::restore(const uint8_t* data, size_t len) {
  auto r = TRY(SnapshotReader::open(data, len, kSnapshotMagic, kSnapshotVersion, kSnapshotPayload));
  Pl031 next(m_backend);
  next.m_offset = r.u32();
  next.m_mr = r.u32();
  next.m_lr = r.u32();
  next.m_imsc = r.u32_mask(kIntMatch);
  next.m_ris = r.u32_mask(kIntMatch);
  next.m_alarm_s = r.u64();
  // A pending match is the second at which the counter reaches RTCMR, and
  // arm() never puts it 2^32 s or more ahead of the clock; any other value
  // would be an alarm no register write sets (a clock restored from
  // another machine may have moved, so "ahead" is measured from now).
  if (next.m_alarm_s != 0 &&
      (next.counter(next.m_alarm_s) != next.m_mr || next.m_alarm_s > now_s() + (1ull << 32)))
    r.reject(SnapshotError::OutOfRange);
  TRY(r.finish());
  // Not synced here: a match already due is raised at the next access or
  // by the alarm, so that a restored device saves back the same bytes.
  next.m_irq_level = m_irq_level;
  *this = next;
  tell_alarm();
  update_irq_line();  // a restored device drives its line again
  return {};
}

}  // namespace nestlab
