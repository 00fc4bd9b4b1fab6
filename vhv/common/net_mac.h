// The MAC address of a VM's virtio-net device: deterministic, so that a VM
// keeps its address across runs and a user can write it into a lab sheet,
// and different for every (owner, VHV, VM, network). The kernel hashes what
// only it knows for sure (the owner's uid, the VHV's id and the network's
// name) into a key; the highvisor, which picks the VM's slot, mixes in the
// VM id. The address is locally administered unicast (IEEE 802 bit 1 of
// the first octet set, bit 0 clear), so it can never be a vendor's or a
// multicast group.
#pragma once

#include <cstdint>

namespace nestlab {

struct MacAddress {
  uint8_t bytes[6];
  bool operator==(const MacAddress&) const = default;
};

// FNV-1a, 64 bits, continued from `h`.
constexpr uint64_t fnv1a64(const char* data, unsigned long len,
                           uint64_t h = 0xcbf2'9ce4'8422'2325ull) {
  for (unsigned long i = 0; i < len; ++i) {
    h ^= static_cast<uint8_t>(data[i]);
    h *= 0x0000'0100'0000'01b3ull;
  }
  return h;
}

constexpr MacAddress derive_mac(uint64_t key, unsigned vm) {
  const char id[2] = {static_cast<char>(vm & 0xff), static_cast<char>(vm >> 8)};
  uint64_t h = fnv1a64(id, 2, key ^ 0x6e65'746c'6162'0000ull);
  // One more round spreads the last bytes over all of them.
  h ^= h >> 29;
  h *= 0xbf58'476d'1ce4'e5b9ull;
  h ^= h >> 32;
  MacAddress m{};
  for (int i = 0; i < 6; ++i) m.bytes[i] = static_cast<uint8_t>(h >> (8 * i));
  m.bytes[0] = static_cast<uint8_t>((m.bytes[0] & 0xfc) | 0x02);
  return m;
}

// "02:1a:..." into `out` (17 characters and a NUL).
inline void format_mac(const MacAddress& m, char (&out)[18]) {
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 6; ++i) {
    out[3 * i] = kHex[m.bytes[i] >> 4];
    out[3 * i + 1] = kHex[m.bytes[i] & 15];
    out[3 * i + 2] = i == 5 ? '\0' : ':';
  }
}

static_assert((derive_mac(0, 0).bytes[0] & 3) == 2);
static_assert((derive_mac(~0ull, 7).bytes[0] & 3) == 2);
static_assert(!(derive_mac(1, 0) == derive_mac(1, 1)));

}  // namespace nestlab
