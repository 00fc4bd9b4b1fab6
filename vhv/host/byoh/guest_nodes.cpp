#include "vhv/host/byoh/guest_nodes.h"

#include <cstring>
#include <string>

namespace nestlab::vhv {

namespace {

constexpr uint32_t kMagic = 0xd00dfeed;
constexpr uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;
constexpr size_t kHeaderSize = 40;

uint32_t fdt_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

void fdt_put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
void fdt_set32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

Err<Error> bad_guest_tree(const std::string& why) {
  return make_error(ErrorCode::Internal, "QEMU's device tree cannot take the guest nodes: " + why);
}

// The structure-block tokens of the new node; property names go into
// `strings` (reused when QEMU's table has them already).
class NodeBuilder {
 public:
  NodeBuilder(std::vector<uint8_t>& tokens, std::string& strings)
      : m_tokens(tokens), m_strings(strings) {}

  void begin(const std::string& name) {
    fdt_put32(m_tokens, kBeginNode);
    bytes(name.c_str(), name.size() + 1);
  }
  void end() { fdt_put32(m_tokens, kEndNode); }
  void prop(const char* name, const void* data, size_t len) {
    fdt_put32(m_tokens, kProp);
    fdt_put32(m_tokens, static_cast<uint32_t>(len));
    fdt_put32(m_tokens, name_offset(name));
    bytes(data, len);
  }
  void prop_string(const char* name, const std::string& value) {
    prop(name, value.c_str(), value.size() + 1);
  }
  void prop_cells(const char* name, std::initializer_list<uint32_t> cells) {
    std::vector<uint8_t> raw;
    for (uint32_t c : cells) fdt_put32(raw, c);
    prop(name, raw.data(), raw.size());
  }
  void prop_u64(const char* name, uint64_t v) {
    prop_cells(name, {static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(v)});
  }

 private:
  void bytes(const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    m_tokens.insert(m_tokens.end(), p, p + len);
    while (m_tokens.size() % 4) m_tokens.push_back(0);
  }
  uint32_t name_offset(const char* name) {
    // Whole NUL-terminated names only, not a suffix of another.
    const std::string key = std::string(name) + '\0';
    for (size_t at = 0; (at = m_strings.find(key, at)) != std::string::npos; ++at)
      if (at == 0 || m_strings[at - 1] == '\0') return static_cast<uint32_t>(at);
    const size_t at = m_strings.size();
    m_strings += key;
    return static_cast<uint32_t>(at);
  }
  std::vector<uint8_t>& m_tokens;
  std::string& m_strings;
};

// Offset in `structs` of the root node's FDT_END_NODE.
HostResult<size_t> find_root_end(const uint8_t* s, size_t size) {
  int depth = 0;
  size_t at = 0;
  while (at + 4 <= size) {
    const uint32_t token = fdt_be32(s + at);
    const size_t token_at = at;
    at += 4;
    switch (token) {
      case kBeginNode: {
        const void* nul = std::memchr(s + at, 0, size - at);
        if (!nul) return bad_guest_tree("a node name runs past the structure block");
        at = ((static_cast<const uint8_t*>(nul) - s) + 1 + 3) & ~size_t{3};
        ++depth;
        break;
      }
      case kEndNode:
        if (depth == 0) return bad_guest_tree("FDT_END_NODE without a node");
        if (--depth == 0) return token_at;
        break;
      case kProp: {
        if (at + 8 > size) return bad_guest_tree("a property runs past the structure block");
        const uint64_t len = fdt_be32(s + at);
        at += 8 + ((len + 3) & ~uint64_t{3});
        if (at > size) return bad_guest_tree("a property runs past the structure block");
        break;
      }
      case kNop: break;
      case kEnd: return bad_guest_tree("FDT_END before the root node ended");
      default: return bad_guest_tree("unknown token " + std::to_string(token));
    }
  }
  return bad_guest_tree("the structure block ends inside the root node");
}

}  // namespace

HostResult<std::vector<uint8_t>> add_guest_nodes(std::span<const uint8_t> blob,
                                                 std::span<const PlacedGuest> guests,
                                                 size_t max_size) {
  if (blob.size() < kHeaderSize || fdt_be32(blob.data()) != kMagic)
    return bad_guest_tree("there is no tree (no FDT magic) at the start of RAM");
  const uint8_t* h = blob.data();
  const uint32_t total = fdt_be32(h + 4), off_struct = fdt_be32(h + 8),
                 off_strings = fdt_be32(h + 12), off_rsv = fdt_be32(h + 16),
                 version = fdt_be32(h + 20), size_strings = fdt_be32(h + 32),
                 size_struct = fdt_be32(h + 36);
  if (total > blob.size() || version < 17)
    return bad_guest_tree("its header says version " + std::to_string(version) + ", " +
                          std::to_string(total) + " bytes");
  auto inside = [&](uint64_t off, uint64_t len) { return off <= total && len <= total - off; };
  if (!inside(off_struct, size_struct) || !inside(off_strings, size_strings) ||
      off_rsv < kHeaderSize || off_rsv > off_struct || (off_struct % 4) || (off_rsv % 8))
    return bad_guest_tree("its blocks lie outside it");
  const size_t root_end = TRY(find_root_end(h + off_struct, size_struct));

  std::string strings(reinterpret_cast<const char*>(h + off_strings), size_strings);
  std::vector<uint8_t> node;
  NodeBuilder b(node, strings);
  b.begin("nestlab");
  b.prop_string("compatible", "nestlab,lab-contract");
  b.prop_cells("#address-cells", {2});
  b.prop_cells("#size-cells", {2});
  for (const PlacedGuest& g : guests) {
    char unit[32];
    std::snprintf(unit, sizeof unit, "guest@%llx", static_cast<unsigned long long>(g.pa));
    b.begin(unit);
    b.prop_string("compatible", "nestlab,guest-image");
    const uint64_t size = g.flat.size();
    b.prop_cells("reg", {static_cast<uint32_t>(g.pa >> 32), static_cast<uint32_t>(g.pa),
                         static_cast<uint32_t>(size >> 32), static_cast<uint32_t>(size)});
    b.prop_u64("load-address", g.load_address);
    b.prop_u64("entry", g.entry);
    b.prop_string("image-name", g.name);
    b.end();
  }
  b.end();

  // Header, reservation block (up to the structure block, as QEMU laid it
  // out), structure block, strings.
  std::vector<uint8_t> out(h, h + off_struct);
  const uint32_t new_struct = static_cast<uint32_t>(out.size());
  out.insert(out.end(), h + off_struct, h + off_struct + root_end);
  out.insert(out.end(), node.begin(), node.end());
  out.insert(out.end(), h + off_struct + root_end, h + off_struct + size_struct);
  const uint32_t new_struct_size = static_cast<uint32_t>(out.size() - new_struct);
  const uint32_t new_strings = static_cast<uint32_t>(out.size());
  out.insert(out.end(), strings.begin(), strings.end());
  const size_t used = out.size();
  const size_t new_total = std::max<size_t>(used, total);
  if (new_total > max_size)
    return make_error(ErrorCode::InvalidArgument,
                      "the device tree with the guests' nodes needs " + std::to_string(used) +
                          " bytes, more than the " + std::to_string(max_size) +
                          " below the hypervisor image; link the hypervisor higher");
  out.resize(new_total, 0);
  fdt_set32(out, 4, static_cast<uint32_t>(new_total));
  fdt_set32(out, 8, new_struct);
  fdt_set32(out, 12, new_strings);
  fdt_set32(out, 32, static_cast<uint32_t>(strings.size()));
  fdt_set32(out, 36, new_struct_size);
  return out;
}

}  // namespace nestlab::vhv
