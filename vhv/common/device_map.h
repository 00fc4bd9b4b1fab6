// S9: the device-ID mapping table. A user-defined file in the VM's
// configuration (`nestlab run --device-map FILE`) maps the identifiers of
// the VM's devices (a nestlab device ID from the second boot table, such as
// "NLAB0003", or a standard compatible string) to identifiers the guest's
// software recognises, so that its drivers bind to devices with generic or
// obscure names. The table reaches the guest with its boot tables: the
// device tree's /nestlab-device-map node (vhv/common/guest_fdt.h).
//
// File format, one mapping a line:
//     # comment
//     NLAB0003 = acme,dogwatch-3000
// Identifiers are 1..kMaxId characters of [A-Za-z0-9,._+-]; a device ID
// is mapped at most once; at most kMaxEntries lines map something.
//
// The text travels from the CLI through the kernel and the highvisor (which
// checks it first, for a message before anything runs) to the lowvisor in
// a DeviceMapBlock at layout::kDeviceMapPa. Freestanding: parsed by both.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab::device_map {

inline constexpr unsigned kMaxEntries = 32;
inline constexpr size_t kMaxId = 63;
inline constexpr size_t kMaxText = 8192 - 16;

struct Entry {
  char device[kMaxId + 1];
  char guest[kMaxId + 1];
};

struct Table {
  Entry entries[kMaxEntries];
  unsigned count = 0;
  // The guest ID `device` maps to, or null.
  const char* lookup(const char* device) const;
};

enum class Problem {
  None,
  NoEquals,        // a line that is not "DEVICE_ID = GUEST_ID"
  EmptyId,         // one side is empty
  BadCharacter,    // a character outside [A-Za-z0-9,._+-]
  TooLong,         // an identifier longer than kMaxId
  Duplicate,       // the device ID was mapped on an earlier line
  TooManyEntries,  // more than kMaxEntries mappings
  TooBig,          // the file is longer than kMaxText
  NulByte,         // binary content
};

struct ParseError {
  Problem problem = Problem::None;
  unsigned line = 0;         // 1-based; 0 for the whole file
  unsigned first_line = 0;   // Duplicate: where the ID was mapped first
  char id[kMaxId + 1] = {};  // the identifier concerned, cut to kMaxId
};

// Parses `len` bytes of `text` into `out`. On failure, fills `error` and
// returns false (`out` is then partial).
bool parse(const char* text, size_t len, Table* out, ParseError* error);

// "device map line 3: ..." as a full sentence, into buf (NUL-terminated).
void describe(const ParseError& e, char* buf, size_t len);

// The shared-memory block the highvisor writes for the lowvisor.
struct DeviceMapBlock {
  static constexpr uint32_t kMagic = 0x504d'444e;  // "NDMP" little-endian
  uint32_t magic;     // kMagic when a map is present; anything else: none
  uint32_t length;    // bytes of text
  uint32_t checksum;  // fnv1a32 over text[0, length)
  uint32_t reserved;
  char text[kMaxText];
};
static_assert(sizeof(DeviceMapBlock) == 8192);

}  // namespace nestlab::device_map
