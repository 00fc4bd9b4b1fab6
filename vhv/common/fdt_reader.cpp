#include "vhv/common/fdt_reader.h"

namespace nestlab {
namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

bool starts_with(const char* s, const char* prefix) {
  while (*prefix)
    if (*s++ != *prefix++) return false;
  return true;
}

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

}  // namespace

bool fdt_find_memory(const void* blob, size_t max_size, MemoryRange* out) {
  const auto* b = static_cast<const uint8_t*>(blob);
  if (max_size < 40 || be32(b) != 0xd00dfeed) return false;
  const uint32_t total = be32(b + 4), off_struct = be32(b + 8), off_strings = be32(b + 12);
  const uint32_t size_strings = be32(b + 32), size_struct = be32(b + 36);
  if (total > max_size || off_struct > total || size_struct > total - off_struct ||
      off_strings > total || size_strings > total - off_strings)
    return false;
  // Devicetree Specification 5.4: walk tokens, tracking the node we are in.
  size_t pos = off_struct;
  const size_t end = off_struct + size_struct;
  int depth = 0;
  int memory_depth = -1;
  while (pos + 4 <= end) {
    const uint32_t token = be32(b + pos);
    pos += 4;
    if (token == 1) {  // BEGIN_NODE
      const char* name = reinterpret_cast<const char*>(b + pos);
      size_t n = 0;
      while (pos + n < end && name[n]) ++n;
      if (pos + n >= end) return false;
      ++depth;
      if (depth == 2 && starts_with(name, "memory")) memory_depth = depth;
      pos = (pos + n + 1 + 3) & ~size_t(3);
    } else if (token == 2) {  // END_NODE
      if (depth == memory_depth) memory_depth = -1;
      --depth;
    } else if (token == 3) {  // PROP
      if (pos + 8 > end) return false;
      const uint32_t len = be32(b + pos), nameoff = be32(b + pos + 4);
      pos += 8;
      if (len > end - pos || nameoff >= size_strings) return false;
      const char* pname = reinterpret_cast<const char*>(b + off_strings + nameoff);
      if (memory_depth == depth && len >= 16 && equals(pname, "reg")) {
        const uint8_t* v = b + pos;
        out->base = (uint64_t(be32(v)) << 32) | be32(v + 4);
        out->size = (uint64_t(be32(v + 8)) << 32) | be32(v + 12);
        return true;
      }
      pos = (pos + len + 3) & ~size_t(3);
    } else if (token == 4) {  // NOP
    } else {
      return false;  // END or garbage
    }
  }
  return false;
}

}  // namespace nestlab
