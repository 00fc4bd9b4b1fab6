// S3/S9: binds drivers by the identifiers in the boot tables. The guest's
// "software" knows only its own obscure names: a watchdog driver for
// "acme,dogwatch-3000" and a serial driver for "acme,uart". It reads the
// device tree: standard nodes (by their compatible), nestlab's own devices
// in the second table /nestlab-devices (by nestlab,device-id, with the
// standard compatible-id as a fallback), and the user's mapping table
// /nestlab-device-map (`nestlab run --device-map FILE`), which turns those
// identifiers into names its drivers recognise. Each bound driver probes its
// device: the watchdog pings the WFE channel, the serial driver prints.
// Exit code: 0 when at least `need=N` drivers (default 1) bound and probed.
#include "tests/guests/hypercall.h"
#include "tests/guests/lib/guest.h"

namespace {

using guest::be32;
using guest::equals;
using guest::length;

// The user's mapping from the tree: pairs of NUL-separated strings.
const char* g_map = nullptr;
uint32_t g_map_len = 0;

const char* mapped(const char* id) {
  for (uint32_t pos = 0; id && pos < g_map_len;) {
    const char* device = g_map + pos;
    pos += static_cast<uint32_t>(length(device)) + 1;
    if (pos >= g_map_len) break;
    const char* guest_id = g_map + pos;
    pos += static_cast<uint32_t>(length(guest_id)) + 1;
    if (equals(device, id)) return guest_id;
  }
  return nullptr;
}

bool probe_watchdog() {
  const auto r = guest::wfe_call(nestlab::wfe_channel::Op::Ping, 41);
  return r.answered && r.status == 0 && r.x0 == 42;
}

bool probe_uart() {
  guest::printf("acme-uart: hello through the mapped serial port\n");
  return true;
}

struct Driver {
  const char* name;
  const char* binds_to;  // the only identifier this driver knows
  bool (*probe)();
};
constexpr Driver kDrivers[] = {
    {"acme-dogwatch", "acme,dogwatch-3000", probe_watchdog},
    {"acme-uart", "acme,uart", probe_uart},
};

unsigned g_bound = 0;

// One device: its identifier (a standard compatible or a nestlab device
// ID) and, for the second table, the standard component's compatible.
void bind(const char* node, const char* id, const char* compatible_id) {
  const char* guest_id = mapped(id);
  for (const Driver& d : kDrivers) {
    if (!guest_id || !equals(d.binds_to, guest_id)) continue;
    const bool ok = d.probe();
    guest::printf("devmap: bound %s to %s (%s, mapped to %s): probe %s\n", d.name, node, id,
                  guest_id, ok ? "ok" : "FAILED");
    if (ok) ++g_bound;
    return;
  }
  if (compatible_id)
    guest::printf("devmap: no driver for %s (%s, compatible-id %s)\n", node, id, compatible_id);
}

// Walks the tree twice: the map first (it may come after the devices).
void walk(const uint8_t* b, bool binding) {
  const uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12), size_struct = be32(b + 36);
  uint32_t pos = off_struct;
  int depth = 0;
  const char* level2 = "";
  const char* node = "";
  const char* id = nullptr;
  const char* compatible_id = nullptr;
  while (pos < off_struct + size_struct) {
    const uint32_t token = be32(b + pos);
    pos += 4;
    if (token == 1) {  // FDT_BEGIN_NODE
      node = reinterpret_cast<const char*>(b + pos);
      ++depth;
      if (depth == 2) level2 = node;
      id = compatible_id = nullptr;
      pos = (pos + static_cast<uint32_t>(length(node)) + 1 + 3) & ~3u;
    } else if (token == 2) {  // FDT_END_NODE
      const bool second_table = depth == 3 && equals(level2, "nestlab-devices");
      if (binding && id && (depth == 2 || second_table)) bind(node, id, compatible_id);
      id = compatible_id = nullptr;
      --depth;
    } else if (token == 3) {  // FDT_PROP
      const uint32_t len = be32(b + pos), nameoff = be32(b + pos + 4);
      pos += 8;
      const char* name = reinterpret_cast<const char*>(b + off_strings + nameoff);
      const char* value = reinterpret_cast<const char*>(b + pos);
      if (depth == 2 && equals(level2, "nestlab-device-map") && equals(name, "map")) {
        g_map = value;
        g_map_len = len;
      } else if (depth == 2 && equals(name, "compatible")) {
        id = value;  // a standard node: its first compatible
      } else if (depth == 3 && equals(name, "nestlab,device-id")) {
        id = value;
      } else if (depth == 3 && equals(name, "compatible-id")) {
        compatible_id = value;
      }
      pos = (pos + len + 3) & ~3u;
    } else if (token != 4) {
      break;
    }
  }
}

}  // namespace

extern "C" int guest_main(uint64_t dtb) {
  const auto* b = reinterpret_cast<const uint8_t*>(dtb ? dtb : guest::kRamBase);
  if ((reinterpret_cast<uint64_t>(b) & 3) || be32(b) != 0xd00dfeed) {
    guest::printf("devmap: no device tree\n");
    return 2;
  }
  walk(b, false);
  guest::printf("devmap: %s\n", g_map ? "the device tree carries a device map" : "no device map");
  walk(b, true);
  const uint64_t need = guest::bootarg_number(guest::bootargs(dtb), "need", 1);
  guest::printf("devmap: %u driver(s) bound\n", g_bound);
  return g_bound >= need ? 0 : 1;
}
