// A user's --device-map file (vhv/common/device_map.h), parsed as the CLI,
// the highvisor and the lowvisor parse it; an accepted table must hold only
// valid, distinct identifiers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "vhv/common/device_map.h"

namespace dm = nestlab::device_map;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static dm::Table table;
  table = dm::Table{};
  dm::ParseError error;
  char message[512];
  if (!dm::parse(reinterpret_cast<const char*>(data), size, &table, &error)) {
    dm::describe(error, message, sizeof message);
    if (std::strlen(message) >= sizeof message) std::abort();
    return 0;
  }
  if (table.count > dm::kMaxEntries) std::abort();
  for (unsigned i = 0; i < table.count; ++i) {
    const auto& e = table.entries[i];
    if (!e.device[0] || !e.guest[0]) std::abort();
    if (std::strlen(e.device) > dm::kMaxId || std::strlen(e.guest) > dm::kMaxId) std::abort();
    if (std::strcmp(table.lookup(e.device), e.guest) != 0) std::abort();
    for (unsigned k = 0; k < i; ++k)
      if (std::strcmp(table.entries[k].device, e.device) == 0) std::abort();
  }
  return 0;
}
