#include "hyp.h"

extern "C" char __heap_start[];

namespace hyp {

namespace {
// The heap is the RAM from the end of the image to the first guest
// (docs/hypervisor.md, "The lab contract": that RAM is the hypervisor's).
constexpr uint64_t kHeapEnd = 0x4400'0000;
uint64_t g_next;  // invariant: __heap_start <= g_next <= kHeapEnd
}  // namespace

void* alloc(size_t bytes, size_t align) {
  if (g_next == 0) g_next = reinterpret_cast<uint64_t>(__heap_start);
  uint64_t at = (g_next + align - 1) & ~static_cast<uint64_t>(align - 1);
  if (at + bytes > kHeapEnd) {
    puts("nestlab-hyp: out of memory\n");
    system_off(1);
  }
  g_next = at + bytes;
  auto* p = reinterpret_cast<uint8_t*>(at);
  for (size_t i = 0; i < bytes; ++i) p[i] = 0;
  return p;
}

}  // namespace hyp
