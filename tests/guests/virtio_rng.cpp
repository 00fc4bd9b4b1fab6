// A virtio-rng driver in miniature: finds the entropy device among the
// virtio-mmio transports of the device tree, does the virtio 1.x
// handshake (virtio 1.2 section 3.1.1), posts one 64-byte device-writable
// buffer, sleeps until the used-buffer interrupt and checks what came
// back. Prints the same on plain QEMU (`-device virtio-rng-device -global
// virtio-mmio.force-legacy=false`) as in a VHV.
//
// attack=1 first posts a descriptor loop, attack=2 a buffer outside RAM:
// the device must say DEVICE_NEEDS_RESET (with a configuration interrupt),
// and after a reset serve the good buffer as before.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"
#include "tests/guests/lib/virtio_mmio.h"

namespace {

using namespace guest::virtio;

Rings g_rings;
uint8_t g_buffer[64];

uint64_t g_base = 0;  // the transport rd() and wr() access
uint32_t g_intid = 0;
bool g_edge = true;
volatile uint32_t g_isr_seen = 0;

uint32_t rd(uint64_t reg) { return *reinterpret_cast<volatile uint32_t*>(g_base + reg); }
void wr(uint64_t reg, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(g_base + reg) = v; }

using guest::be32;

// The first virtio-mmio transport in tree order with a device of type 4
// (entropy) is ours.
bool find_rng(const uint8_t* b) {
  Transport t;
  const unsigned transports = find_device(b, 4, &t);
  if (t.base)
    guest::printf("virtio-rng: transport at 0x%llx, SPI %u, %s\n",
                  static_cast<unsigned long long>(t.base), t.intid - 32, t.edge ? "edge" : "level");
  guest::printf("virtio-rng: %u virtio-mmio transports in the device tree\n", transports);
  g_base = t.base;
  g_intid = t.intid;
  g_edge = t.edge;
  return t.base != 0;
}

// 3.1.1 steps 1 to 8. Returns false (having printed why) on a refusal.
bool bring_up(bool quiet) {
  wr(kStatus, 0);
  wr(kStatus, kAck);
  wr(kStatus, kAck | kDriver);
  wr(kDeviceFeaturesSel, 1);
  const uint32_t high = rd(kDeviceFeatures);
  if (!(high & 1)) {
    guest::printf("virtio-rng: the device does not offer VIRTIO_F_VERSION_1\n");
    return false;
  }
  wr(kDriverFeaturesSel, 0);
  wr(kDriverFeatures, 0);
  wr(kDriverFeaturesSel, 1);
  wr(kDriverFeatures, 1);
  wr(kStatus, kAck | kDriver | kFeaturesOk);
  if (!(rd(kStatus) & kFeaturesOk)) {
    guest::printf("virtio-rng: FEATURES_OK refused\n");
    return false;
  }
  wr(kQueueSel, 0);
  const uint32_t max = rd(kQueueNumMax);
  if (!quiet) guest::printf("virtio-rng: queue 0 holds at most %u buffers\n", max);
  if (max < kQueue) return false;
  for (auto& d : g_rings.desc) d = {};
  g_rings.avail.flags = g_rings.avail.idx = 0;
  g_rings.used.flags = g_rings.used.idx = 0;
  wr(kQueueNum, kQueue);
  set_queue_addresses(g_base, g_rings);
  wr(kQueueReady, 1);
  wr(kStatus, kAck | kDriver | kFeaturesOk | kDriverOk);
  return true;
}

void post(uint16_t head) {
  make_available(g_rings, head);
  g_isr_seen = 0;
  wr(kQueueNotify, 0);
}

bool read_entropy() {
  for (auto& b : g_buffer) b = 0;
  g_rings.desc[0] = {reinterpret_cast<uint64_t>(g_buffer), sizeof(g_buffer), kDescWrite, 0};
  post(0);
  guest::wait_until([] { return (g_isr_seen & 1) != 0; });
  asm volatile("dmb ish" ::: "memory");
  const auto& e = g_rings.used.ring[0];
  bool all_equal = true;
  for (auto b : g_buffer) all_equal = all_equal && b == g_buffer[0];
  guest::printf("virtio-rng: used buffer %u of %u bytes; the bytes are %s\n", e.id, e.len,
                all_equal ? "ALL EQUAL" : "not all equal");
  return g_rings.used.idx == 1 && e.id == 0 && e.len == sizeof(g_buffer) && !all_equal;
}

// A chain the device must refuse: it says DEVICE_NEEDS_RESET with a
// configuration-change interrupt.
bool refused(unsigned attack) {
  if (attack == 1) {
    g_rings.desc[0] = {reinterpret_cast<uint64_t>(g_buffer), 8, kDescWrite | kDescNext, 1};
    g_rings.desc[1] = {reinterpret_cast<uint64_t>(g_buffer), 8, kDescWrite | kDescNext, 0};
  } else {
    g_rings.desc[0] = {0x7f'0000'0000ull, 64, kDescWrite, 0};  // far beyond RAM
  }
  post(0);
  guest::wait_until([] { return (g_isr_seen & 2) != 0; });
  const uint32_t status = rd(kStatus);
  guest::printf("virtio-rng: %s refused: %s\n",
                attack == 1 ? "a descriptor loop" : "a buffer outside RAM",
                (status & kNeedsReset) ? "the device needs a reset" : "NO NEEDS_RESET");
  return (status & kNeedsReset) != 0;
}

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame* f, uint64_t kind) {
  guest::expect_irq(f, kind);
  const uint32_t intid = guest::gic_ack();
  if (intid == g_intid) g_isr_seen = g_isr_seen | take_interrupt_status(g_base);
  if (intid < 1020) guest::gic_eoi(intid);
}

extern "C" int guest_main(uint64_t dtb) {
  const auto* b = reinterpret_cast<const uint8_t*>(dtb ? dtb : guest::kRamBase);
  if (be32(b) != 0xd00dfeed || !find_rng(b)) {
    guest::printf("virtio-rng: no entropy device (tree at 0x%llx)\n",
                  static_cast<unsigned long long>(reinterpret_cast<uint64_t>(b)));
    return 2;
  }
  guest::printf("virtio-rng: version %u\n", rd(kVersion));
  if (rd(kVersion) != 2) return 2;
  guest::install_vectors();
  guest::gic_init_distributor();
  guest::gic_init_cpu();
  guest::gic_enable_spi(g_intid, 0xa0, g_edge);
  guest::irq_enable();
  if (!bring_up(false)) return 1;
  const unsigned attack =
      static_cast<unsigned>(guest::bootarg_number(guest::bootargs(dtb), "attack", 0));
  if (attack != 0) {
    if (!refused(attack)) return 1;
    if (!bring_up(true)) return 1;
    guest::printf("virtio-rng: reset, the device works again\n");
  }
  return read_entropy() ? 0 : 1;
}
