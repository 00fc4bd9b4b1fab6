#include "tests/guests/lib/platform.h"

#include "tests/guests/lib/guest.h"

extern "C" {
alignas(16) uint8_t guest_cpu_stacks[guest::kMaxCpus][16 * 1024];
uint64_t guest_secondary_vbar;
void guest_secondary_entry();
void guest_mailbox_entry();
}

namespace guest {
namespace {

template <typename T>
T rd(uint64_t a) {
  return *reinterpret_cast<volatile T*>(a);
}
template <typename T>
void wr(uint64_t a, T v) {
  *reinterpret_cast<volatile T*>(a) = v;
}
uint64_t redist() { return kGicr + cpu_index() * 0x20000ull; }
constexpr uint64_t kSgiFrame = 0x10000;

uint32_t g_print_lock;

}  // namespace

unsigned cpu_index() {
  uint64_t v;
  asm volatile("mrs %0, mpidr_el1" : "=r"(v));
  return static_cast<unsigned>(v & 0xff);
}

unsigned dt_cpu_count(uint64_t dtb) {
  // Walk the structure block for nodes named "cpu@..." (FDT v17 layout).
  // An ELF booted by plain QEMU gets x0 = 0; the tree is at the RAM base.
  const auto* h = reinterpret_cast<const uint8_t*>(dtb ? dtb : kRamBase);
  if (be32(h) != 0xd00dfeed) {
    // No tree: count the CPUs PSCI knows (AFFINITY_INFO of a CPU that does
    // not exist is INVALID_PARAMETERS).
    unsigned n = 1;
    while (n < kMaxCpus && affinity_info(n) != -2) ++n;
    return n;
  }
  const uint8_t* p = h + be32(h + 8);
  const uint8_t* end = p + be32(h + 36);
  unsigned n = 0;
  while (p < end) {
    const uint32_t token = be32(p);
    p += 4;
    if (token == 1) {  // FDT_BEGIN_NODE
      const char* name = reinterpret_cast<const char*>(p);
      if (name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] == '@') ++n;
      unsigned len = 0;
      while (name[len]) ++len;
      p += (len + 4) & ~3u;
    } else if (token == 3) {  // FDT_PROP
      const uint32_t len = be32(p);
      p += 8 + ((len + 3) & ~3u);
    } else if (token == 9) {
      break;
    }
  }
  return n == 0 ? 1 : n;
}

void gic_init_distributor() {
  wr<uint32_t>(kGicd + 0x0, (1u << 4) | (1u << 1));  // ARE, EnableGrp1
  while (rd<uint32_t>(kGicd + 0x0) & (1u << 31)) {
  }
}

void gic_init_cpu() {
  const uint64_t rd_base = redist();
  wr<uint32_t>(rd_base + 0x14, rd<uint32_t>(rd_base + 0x14) & ~2u);  // GICR_WAKER
  while (rd<uint32_t>(rd_base + 0x14) & 4u) {
  }
  uint64_t sre;
  asm volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));  // ICC_SRE_EL1
  asm volatile("msr S3_0_C12_C12_5, %0; isb" ::"r"(sre | 1));
  asm volatile("msr S3_0_C4_C6_0, %0" ::"r"(uint64_t(0xff)));      // ICC_PMR_EL1
  asm volatile("msr S3_0_C12_C12_7, %0; isb" ::"r"(uint64_t(1)));  // ICC_IGRPEN1_EL1
}

void gic_enable_private(uint32_t intid, uint8_t priority) {
  const uint64_t sgi = redist() + kSgiFrame;
  wr<uint32_t>(sgi + 0x80, rd<uint32_t>(sgi + 0x80) | (1u << intid));  // IGROUPR0
  wr<uint8_t>(sgi + 0x400 + intid, priority);
  wr<uint32_t>(sgi + 0x100, 1u << intid);  // ISENABLER0
}

void gic_enable_spi(uint32_t intid, uint8_t priority, bool edge) {
  const uint64_t word = 4 * (intid / 32), bit = 1u << (intid % 32);
  wr<uint32_t>(kGicd + 0x80 + word, rd<uint32_t>(kGicd + 0x80 + word) | bit);  // GICD_IGROUPR
  wr<uint8_t>(kGicd + 0x400 + intid, priority);                                // GICD_IPRIORITYR
  const uint64_t cfg = kGicd + 0xc00 + 4 * (intid / 16);                       // GICD_ICFGR
  const uint32_t edge_bit = 2u << (2 * (intid % 16));
  wr<uint32_t>(cfg, edge ? rd<uint32_t>(cfg) | edge_bit : rd<uint32_t>(cfg) & ~edge_bit);
  wr<uint64_t>(kGicd + 0x6000 + 8 * intid, 0);  // GICD_IROUTER: CPU 0
  wr<uint32_t>(kGicd + 0x100 + word, bit);      // GICD_ISENABLER
}

uint32_t gic_ack() {
  uint64_t v;
  asm volatile("mrs %0, S3_0_C12_C12_0" : "=r"(v));
  asm volatile("dsb sy");
  return static_cast<uint32_t>(v & 0xffffff);
}

void gic_eoi(uint32_t intid) { asm volatile("msr S3_0_C12_C12_1, %0; isb" ::"r"(uint64_t(intid))); }

void gic_send_sgi(unsigned cpu, uint32_t intid) {
  asm volatile(
      "dsb ish; msr S3_0_C12_C11_5, %0; isb" ::"r"((uint64_t(intid) << 24) | (1ull << cpu)));
}

void gic_send_sgi_others(uint32_t intid) {
  asm volatile(
      "dsb ish; msr S3_0_C12_C11_5, %0; isb" ::"r"((uint64_t(intid) << 24) | (1ull << 40)));
}

uint32_t gic_private_pending() { return rd<uint32_t>(redist() + kSgiFrame + 0x200); }
uint32_t gic_private_active() { return rd<uint32_t>(redist() + kSgiFrame + 0x300); }

uint64_t counter() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
  return v;
}

uint64_t frequency() {
  uint64_t v;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
  return v;
}

void timer_arm_at(uint64_t cval) {
  asm volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb" ::"r"(cval), "r"(uint64_t(1)));
}

void timer_disarm() { asm volatile("msr cntv_ctl_el0, %0; isb" ::"r"(uint64_t(0))); }

int64_t start_cpu(unsigned cpu) {
  uint64_t vbar;
  asm volatile("mrs %0, vbar_el1" : "=r"(vbar));
  guest_secondary_vbar = vbar;
  asm volatile("dsb sy" ::: "memory");
  return static_cast<int64_t>(
      psci_call(kPsciCpuOn, cpu, reinterpret_cast<uint64_t>(&guest_secondary_entry), cpu));
}

uint64_t dt_cpu_release_addr(uint64_t dtb, unsigned cpu) {
  const auto* h = reinterpret_cast<const uint8_t*>(dtb ? dtb : kRamBase);
  if (be32(h) != 0xd00dfeed) return 0;
  const uint8_t* p = h + be32(h + 8);
  const uint8_t* end = p + be32(h + 36);
  const char* strings = reinterpret_cast<const char*>(h + be32(h + 12));
  bool in_cpu = false;
  while (p < end) {
    const uint32_t token = be32(p);
    p += 4;
    if (token == 1) {
      const char* name = reinterpret_cast<const char*>(p);
      in_cpu = name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] == '@' &&
               name[4] == char('0' + cpu) && name[5] == 0;
      unsigned len = 0;
      while (name[len]) ++len;
      p += (len + 4) & ~3u;
    } else if (token == 2) {
      in_cpu = false;
    } else if (token == 3) {
      const uint32_t len = be32(p);
      const char* prop = strings + be32(p + 4);
      const char want[] = "cpu-release-addr";
      bool match = in_cpu && len == 8;
      for (unsigned i = 0; match && i < sizeof(want); ++i) match = prop[i] == want[i];
      if (match) return (uint64_t(be32(p + 8)) << 32) | be32(p + 12);
      p += 8 + ((len + 3) & ~3u);
    } else if (token == 9) {
      break;
    }
  }
  return 0;
}

void release_cpu(uint64_t release_addr) {
  uint64_t vbar;
  asm volatile("mrs %0, vbar_el1" : "=r"(vbar));
  guest_secondary_vbar = vbar;
  *reinterpret_cast<volatile uint64_t*>(release_addr) =
      reinterpret_cast<uint64_t>(&guest_mailbox_entry);
  asm volatile("dsb sy; sev" ::: "memory");
}

int64_t affinity_info(unsigned cpu) {
  return static_cast<int64_t>(psci_call(kPsciAffinityInfo, cpu, 0));
}

void print_lock() {
  while (__atomic_exchange_n(&g_print_lock, 1u, __ATOMIC_ACQUIRE) != 0) {
  }
}
void print_unlock() { __atomic_store_n(&g_print_lock, 0u, __ATOMIC_RELEASE); }

}  // namespace guest

// Guests that start no secondary CPU need not define it.
extern "C" __attribute__((weak)) void guest_secondary_main(unsigned) {}
