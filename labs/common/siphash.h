// SipHash-2-4 (Aumasson and Bernstein): the keyed hash that authenticates lab
// markers. Header-only and freestanding, so the guest runtime (labs/common)
// and the host grader (console/lab) compute the same value from one source.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab::lab {

struct SipKey {
  uint64_t k0;
  uint64_t k1;
};

namespace sip_detail {
inline constexpr uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }
inline constexpr uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
struct State {
  uint64_t v0, v1, v2, v3;
  constexpr void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  constexpr void absorb(uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};
}  // namespace sip_detail

// The 64-bit SipHash-2-4 of `len` bytes at `data` under `key`.
inline constexpr uint64_t siphash24(SipKey key, const uint8_t* data, size_t len) {
  sip_detail::State s{key.k0 ^ 0x736f6d6570736575ull, key.k1 ^ 0x646f72616e646f6dull,
                      key.k0 ^ 0x6c7967656e657261ull, key.k1 ^ 0x7465646279746573ull};
  const size_t whole = len & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) s.absorb(sip_detail::load_le64(data + i));
  uint64_t last = uint64_t(len & 0xff) << 56;
  for (size_t i = whole; i < len; ++i) last |= uint64_t(data[i]) << (8 * (i - whole));
  s.absorb(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

// The key from 32 hex digits (k0 from the first 16, little-endian bytes as
// SipHash's reference reads them: "000102...0f" is the reference test key).
// Returns false when `hex` is not exactly 32 hex digits.
inline constexpr bool sip_key_from_hex(const char* hex, SipKey& out) {
  uint8_t bytes[16] = {};
  for (int i = 0; i < 32; ++i) {
    const char c = hex[i];
    int nibble = -1;
    if (c >= '0' && c <= '9') nibble = c - '0';
    if (c >= 'a' && c <= 'f') nibble = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') nibble = c - 'A' + 10;
    if (nibble < 0) return false;
    bytes[i / 2] = uint8_t(bytes[i / 2] << 4 | nibble);
  }
  if (hex[32] != '\0') return false;
  out.k0 = sip_detail::load_le64(bytes);
  out.k1 = sip_detail::load_le64(bytes + 8);
  return true;
}

}  // namespace nestlab::lab
