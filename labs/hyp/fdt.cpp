// A minimal walk of the flattened device tree (Devicetree Specification
// v0.4, chapter 5): enough to find nestlab's /nestlab/guest@ADDR node and
// read its reg, load-address, entry and image-name (docs/hypervisor.md).
#include "hyp.h"

namespace hyp {

namespace {

constexpr uint32_t kFdtMagic = 0xd00dfeed;
constexpr uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;

// The tree is big-endian and QEMU's blob is 4-byte aligned.
uint32_t be32(const void* p) {
  auto* b = static_cast<const uint8_t*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}
uint64_t be64(const void* p) {
  auto* b = static_cast<const uint8_t*>(p);
  return (uint64_t{be32(b)} << 32) | be32(b + 4);
}
bool equal(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
bool starts_with(const char* s, const char* prefix) {
  while (*prefix && *s == *prefix) ++s, ++prefix;
  return *prefix == 0;
}
uint32_t length(const char* s) {
  uint32_t n = 0;
  while (s[n]) ++n;
  return n;
}

}  // namespace

bool find_guest(uint64_t dtb, GuestImage& out) {
  auto* base = reinterpret_cast<const uint8_t*>(dtb);
  if (be32(base) != kFdtMagic) return false;
  const uint8_t* p = base + be32(base + 8);  // off_dt_struct
  const char* strings = reinterpret_cast<const char*>(base + be32(base + 12));
  int depth = 0;
  int nestlab_depth = -1;  // depth of /nestlab while we are inside it
  bool in_guest = false;   // inside /nestlab/guest@...
  for (;;) {
    uint32_t token = be32(p);
    p += 4;
    if (token == kBeginNode) {
      const char* name = reinterpret_cast<const char*>(p);
      p += (length(name) + 1 + 3) & ~3u;
      ++depth;
      if (depth == 2 && equal(name, "nestlab")) nestlab_depth = depth;
      if (nestlab_depth == 2 && depth == 3 && starts_with(name, "guest@")) in_guest = true;
    } else if (token == kEndNode) {
      if (in_guest && depth == 3) return out.entry != 0 || out.base != 0;  // the first guest
      if (depth == nestlab_depth) nestlab_depth = -1;
      --depth;
    } else if (token == kProp) {
      uint32_t len = be32(p);
      const char* name = strings + be32(p + 4);
      const uint8_t* value = p + 8;
      p += 8 + ((len + 3) & ~3u);
      if (!in_guest) continue;
      if (equal(name, "reg") && len == 16) {
        out.base = be64(value);
        out.size = be64(value + 8);
      } else if (equal(name, "load-address") && len == 8) {
        out.load = be64(value);
      } else if (equal(name, "entry") && len == 8) {
        out.entry = be64(value);
      } else if (equal(name, "image-name")) {
        out.name = reinterpret_cast<const char*>(value);
      }
    } else if (token == kNop) {
      continue;
    } else {
      (void)kEnd;  // kEnd, or a token this walk does not know: the tree ends here
      return false;
    }
  }
}

}  // namespace hyp
