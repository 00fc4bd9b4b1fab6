// One VM's guest RAM as the highvisor maps it: guest physical addresses
// [ipa, ipa + size) are the host bytes [host, host + size) (the VM's block
// of VHV RAM is contiguous, vm_memory.h). Every address a guest hands us
// goes through at(), which refuses anything not wholly inside.
#pragma once

#include <cstdint>

namespace nestlab::vhv {

class GuestRamView {
 public:
  GuestRamView(uint8_t* host, uint64_t ipa, uint64_t size)
      : m_host(host), m_ipa(ipa), m_size(size) {}

  // Host pointer for [ipa, ipa + len), or nullptr if any byte of it is not
  // guest RAM (len 0 included: no buffer is empty).
  uint8_t* at(uint64_t ipa, uint64_t len) const {
    if (len == 0 || ipa < m_ipa) return nullptr;
    const uint64_t off = ipa - m_ipa;
    if (off >= m_size || len > m_size - off) return nullptr;
    return m_host + off;
  }

 private:
  uint8_t* m_host;  // Not owned: VhvRam's mapping.
  uint64_t m_ipa;
  uint64_t m_size;
};

}  // namespace nestlab::vhv
