// A virtio-blk driver in miniature: finds the first block device among the
// virtio-mmio transports of the device tree, does the virtio 1.x handshake
// (virtio 1.2 section 3.1.1, accepting VIRTIO_BLK_F_FLUSH), then one
// request at a time (5.2.6), each completed by the used-buffer interrupt:
// reads sector 0 and prints its text, writes sector 1, flushes, reads
// sector 1 back, reads past the end, asks for the ID and sends a type no
// device knows, printing each status. Prints the same on plain QEMU
// (`-device virtio-blk-device`, force-legacy=false) as in a VHV; the
// test reads sector 1 back from the host's file.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"
#include "tests/guests/lib/virtio_mmio.h"

namespace {

using namespace guest::virtio;

// 5.2.3, 5.2.6.
constexpr uint32_t kFeatureRo = 1u << 5, kFeatureFlush = 1u << 9;
constexpr uint32_t kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4, kTypeGetId = 8, kTypeBogus = 0x10;

struct Header {
  uint32_t type, reserved;
  uint64_t sector;
};
Rings g_rings;
Header g_header;
alignas(512) uint8_t g_data[512];
volatile uint8_t g_status;

uint64_t g_base = 0;
uint32_t g_intid = 0;
bool g_edge = true;
volatile uint32_t g_isr_seen = 0;

uint32_t rd(uint64_t reg) { return *reinterpret_cast<volatile uint32_t*>(g_base + reg); }
void wr(uint64_t reg, uint32_t v) { *reinterpret_cast<volatile uint32_t*>(g_base + reg) = v; }

using guest::be32;

// The first virtio-mmio transport in tree order with a device of type 2
// (block) is ours.
bool find_blk(const uint8_t* b) {
  Transport t;
  find_device(b, 2, &t);
  if (t.base)
    guest::printf("virtio-blk: transport at 0x%llx, SPI %u, %s\n",
                  static_cast<unsigned long long>(t.base), t.intid - 32, t.edge ? "edge" : "level");
  g_base = t.base;
  g_intid = t.intid;
  g_edge = t.edge;
  return t.base != 0;
}

// 3.1.1 steps 1 to 8; the driver takes FLUSH and RO when offered.
bool bring_up() {
  wr(kStatus, 0);
  wr(kStatus, kAck);
  wr(kStatus, kAck | kDriver);
  wr(kDeviceFeaturesSel, 1);
  const uint32_t high = rd(kDeviceFeatures);
  wr(kDeviceFeaturesSel, 0);
  const uint32_t low = rd(kDeviceFeatures);
  if (!(high & 1)) {
    guest::printf("virtio-blk: the device does not offer VIRTIO_F_VERSION_1\n");
    return false;
  }
  guest::printf("virtio-blk: flush %s, %s\n", (low & kFeatureFlush) ? "offered" : "NOT OFFERED",
                (low & kFeatureRo) ? "read-only" : "read-write");
  wr(kDriverFeaturesSel, 0);
  wr(kDriverFeatures, low & (kFeatureFlush | kFeatureRo));
  wr(kDriverFeaturesSel, 1);
  wr(kDriverFeatures, 1);
  wr(kStatus, kAck | kDriver | kFeaturesOk);
  if (!(rd(kStatus) & kFeaturesOk)) {
    guest::printf("virtio-blk: FEATURES_OK refused\n");
    return false;
  }
  wr(kQueueSel, 0);
  if (rd(kQueueNumMax) < kQueue) return false;
  wr(kQueueNum, kQueue);
  set_queue_addresses(g_base, g_rings);
  wr(kQueueReady, 1);
  wr(kStatus, kAck | kDriver | kFeaturesOk | kDriverOk);
  return true;
}

// One request: the header, `len` data bytes (device-writable unless OUT;
// none for 0) and the status byte. Returns the status, or 0xff if the
// device never wrote it.
uint8_t request(uint32_t type, uint64_t sector, uint32_t len) {
  g_header = {type, 0, sector};
  g_status = 0xff;
  unsigned n = 0;
  g_rings.desc[n] = {reinterpret_cast<uint64_t>(&g_header), sizeof g_header, kDescNext, 1};
  ++n;
  if (len) {
    g_rings.desc[n] = {reinterpret_cast<uint64_t>(g_data), len,
                       static_cast<uint16_t>(kDescNext | (type == kTypeOut ? 0 : kDescWrite)),
                       static_cast<uint16_t>(n + 1)};
    ++n;
  }
  g_rings.desc[n] = {reinterpret_cast<uint64_t>(&g_status), 1, kDescWrite, 0};
  const uint16_t before = g_rings.used.idx;
  make_available(g_rings, 0);
  g_isr_seen = 0;
  wr(kQueueNotify, 0);
  guest::wait_until([] { return (g_isr_seen & 1) != 0; });
  asm volatile("dmb ish" ::: "memory");
  if (g_rings.used.idx != static_cast<uint16_t>(before + 1)) return 0xfe;
  return g_status;
}

const char* status_name(uint8_t s) {
  switch (s) {
    case 0: return "OK";
    case 1: return "IOERR";
    case 2: return "UNSUPP";
    default: return "NO ANSWER";
  }
}

// The text at the start of a sector: printable bytes up to a NUL or newline.
void print_text(const char* what) {
  char text[65];
  unsigned n = 0;
  while (n < 64 && g_data[n] >= 0x20 && g_data[n] < 0x7f) {
    text[n] = static_cast<char>(g_data[n]);
    ++n;
  }
  text[n] = 0;
  guest::printf("virtio-blk: %s: \"%s\"\n", what, text);
}

constexpr char kWritten[] = "written by the virtio-blk guest";

bool exercise() {
  const uint64_t sectors = uint64_t(rd(kConfig + 4)) << 32 | rd(kConfig);
  guest::printf("virtio-blk: capacity %llu sectors\n", static_cast<unsigned long long>(sectors));
  if (sectors < 2) return false;

  uint8_t s = request(kTypeIn, 0, 512);
  guest::printf("virtio-blk: read sector 0: %s\n", status_name(s));
  print_text("sector 0 says");
  if (s != 0) return false;

  for (unsigned i = 0; i < 512; ++i) g_data[i] = static_cast<uint8_t>(i * 7 + 1);
  for (unsigned i = 0; i < sizeof kWritten; ++i) g_data[i] = static_cast<uint8_t>(kWritten[i]);
  guest::printf("virtio-blk: write sector 1: %s\n", status_name(request(kTypeOut, 1, 512)));
  guest::printf("virtio-blk: flush: %s\n", status_name(request(kTypeFlush, 0, 0)));

  for (auto& b : g_data) b = 0;
  s = request(kTypeIn, 1, 512);
  guest::printf("virtio-blk: read sector 1: %s\n", status_name(s));
  print_text("sector 1 says");

  s = request(kTypeIn, sectors - 1, 512);
  guest::printf("virtio-blk: read the last sector: %s\n", status_name(s));
  s = request(kTypeIn, sectors, 512);
  guest::printf("virtio-blk: read past the end: %s\n", status_name(s));
  s = request(kTypeIn, sectors - 1, 1024);
  guest::printf("virtio-blk: read across the end: %s\n", status_name(s));

  for (auto& b : g_data) b = 0xee;
  s = request(kTypeGetId, 0, 20);
  guest::printf("virtio-blk: get id: %s, first byte 0x%02x\n", status_name(s), g_data[0]);
  s = request(kTypeBogus, 0, 0);
  guest::printf("virtio-blk: request type 0x%x: %s\n", kTypeBogus, status_name(s));
  return true;
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
  if (be32(b) != 0xd00dfeed || !find_blk(b)) {
    guest::printf("virtio-blk: no block device\n");
    return 2;
  }
  if (rd(kVersion) != 2) return 2;
  guest::install_vectors();
  guest::gic_init_distributor();
  guest::gic_init_cpu();
  guest::gic_enable_spi(g_intid, 0xa0, g_edge);
  guest::irq_enable();
  if (!bring_up()) return 1;
  return exercise() ? 0 : 1;
}
