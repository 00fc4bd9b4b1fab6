#include "vhv/common/virtio_mmio_bank.h"

#include "vhv/common/device_fdt.h"
#include "vhv/common/format.h"
#include "vhv/common/guest_devices.h"

namespace nestlab {
namespace {

// Devicetree: <type number flags>, type 0 SPI, flags 1 edge rising, as
// QEMU writes virtio-mmio nodes (GIC_FDT_IRQ_FLAGS_EDGE_LO_HI).
constexpr uint32_t kIrqSpi = 0;
constexpr uint32_t kIrqEdgeRising = 1;

// Lowest address first, as in QEMU's tree (hw/arm/virt.c adds the nodes in
// reverse because libfdt prepends subnodes).
void virtio_nodes(FdtWriter& w, const DevicePlacement& at) {
  const uint64_t base = at.of(DeviceId::VirtioMmioBank);
  for (unsigned n = 0; n < VirtioMmioBank::kTransports; ++n) {
    const uint64_t reg = base + n * VirtioMmioTransport::kSize;
    char name[32];
    format(name, sizeof(name), "virtio_mmio@%llx", static_cast<unsigned long long>(reg));
    w.begin_node(name);
    w.prop_string("compatible", "virtio,mmio");
    fdt_reg(w, "reg", reg, VirtioMmioTransport::kSize);
    const uint32_t irq[3] = {kIrqSpi, VirtioMmioBank::kFirstSpi + n, kIrqEdgeRising};
    w.prop_cells("interrupts", irq, 3);
    w.prop_empty("dma-coherent");
    w.end_node();
  }
}

}  // namespace

const DeviceDescriptor VirtioMmioBank::kDescriptor = {"virtio-mmio",
                                                      kBase,
                                                      kTransports* VirtioMmioTransport::kSize,
                                                      {DeviceIrq::Kind::Spi, kFirstSpi},
                                                      GuestDevice::VirtioMmio,
                                                      virtio_nodes};

VirtioMmioBank::VirtioMmioBank(const DeviceWiring& w) {
  for (unsigned n = 0; n < kTransports; ++n)
    m_transports[n] = VirtioMmioTransport(
        n, n == kEntropyTransport ? virtio::DeviceType::Entropy : virtio::DeviceType::None,
        w.virtio);
}

void VirtioMmioBank::configure_disks(const BootDisk* disks, unsigned count) {
  if (count > BootParams::kMaxDisks) count = BootParams::kMaxDisks;
  // One past the disks too: the network device's place behind eight disks
  // (configure_net), empty unless this run has one there.
  for (unsigned d = 0; d <= BootParams::kMaxDisks; ++d) {
    VirtioMmioTransport& t = m_transports[disk_transport(d)];
    if (d < count)
      t.reconfigure(virtio::DeviceType::Block,
                    {disks[d].sectors, (disks[d].flags & BootDisk::kFlagReadOnly) != 0});
    else
      t.reconfigure(virtio::DeviceType::None);
  }
}

void VirtioMmioBank::configure_net(const BootNet* net, unsigned disk_count) {
  if (!net || disk_count > BootParams::kMaxDisks) return;
  VirtioNetConfig config;
  for (unsigned i = 0; i < 6; ++i) config.mac[i] = net->mac[i];
  m_transports[net_transport(disk_count)].reconfigure_net(config);
}

uint64_t VirtioMmioBank::read(uint64_t offset, unsigned size) {
  return transport(static_cast<unsigned>(offset / VirtioMmioTransport::kSize))
      .read(offset % VirtioMmioTransport::kSize, size);
}

void VirtioMmioBank::write(uint64_t offset, unsigned size, uint64_t value) {
  transport(static_cast<unsigned>(offset / VirtioMmioTransport::kSize))
      .write(offset % VirtioMmioTransport::kSize, size, value);
}

void VirtioMmioBank::reset() {
  for (auto& t : m_transports) t.reset();
}

Result<size_t, SnapshotError> VirtioMmioBank::save(uint8_t* out, size_t len) const {
  SnapshotWriter w(out, len, kSnapshotMagic, kSnapshotVersion);
  for (const auto& t : m_transports) {
    const VirtioMmioTransport::State s = t.state();
    w.u32(static_cast<uint32_t>(t.type()));
    w.u32(s.device_features_sel);
    w.u64(s.driver_features);
    w.u32(s.driver_features_sel);
    w.u32(s.queue_sel);
    w.u8(s.status);
    w.u8(s.isr);
    for (const auto& q : s.queues) {
      w.u16(q.num);
      w.boolean(q.ready);
      w.u64(q.desc);
      w.u64(q.driver);
      w.u64(q.device);
    }
  }
  return w.finish();
}

Result<void, SnapshotError> VirtioMmioBank::restore(const uint8_t* data, size_t len) {
  auto r = TRY(SnapshotReader::open(data, len, kSnapshotMagic, kSnapshotVersion, kSnapshotPayload));
  VirtioMmioTransport::State next[kTransports];
  for (unsigned n = 0; n < kTransports; ++n) {
    const VirtioMmioTransport& t = m_transports[n];
    // Which device a transport has is configuration, not state.
    if (r.u32() != static_cast<uint32_t>(t.type())) r.reject(SnapshotError::Mismatch);
    VirtioMmioTransport::State& s = next[n];
    s.device_features_sel = r.u32();
    s.driver_features = r.u64();
    s.driver_features_sel = r.u32();
    s.queue_sel = r.u32();
    s.status = r.u8();
    s.isr = r.u8_mask(virtio::kIntUsedBuffer | virtio::kIntConfigChange);
    if (s.queue_sel >= VirtioMmioTransport::kQueueSelLimit) r.reject(SnapshotError::OutOfRange);
    for (unsigned q = 0; q < VirtioMmioTransport::kMaxQueues; ++q) {
      auto& queue = s.queues[q];
      queue.num = r.u16();
      queue.ready = r.boolean();
      queue.desc = r.u64();
      queue.driver = r.u64();
      queue.device = r.u64();
      // A queue the device has holds 1..QueueNumMax entries; one it lacks
      // is never written (VirtioMmioTransport::write).
      if (q < t.queue_count()) {
        if (queue.num < 1 || queue.num > t.queue_num_max()) r.reject(SnapshotError::OutOfRange);
      } else if (!(queue == VirtioMmioTransport::Queue{})) {
        r.reject(SnapshotError::OutOfRange);
      }
    }
    // An empty transport ignores every write.
    if (t.type() == virtio::DeviceType::None && !(s == t.reset_state()))
      r.reject(SnapshotError::OutOfRange);
  }
  TRY(r.finish());
  for (unsigned n = 0; n < kTransports; ++n) m_transports[n].set_state(next[n]);
  return {};
}

}  // namespace nestlab
