// The guestinfo area: a small key-value store in shared VHV RAM
// (layout::kGuestInfoPa) that the guest reads and writes through the
// backdoor (BRK #0x5658, DCC) and the host through the API (guestinfo.get,
// guestinfo.set), like VMware's guestinfo variables. The same page carries
// what the host tells the guest about itself: the VM's UUID and a time base
// for the "host time" service.
//
// Both halves write it, so every access holds `lock` (an atomic word taken
// with compare-and-swap; both sides only try a bounded number of times and
// report "busy" rather than wait forever on a peer that died holding it).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab::guestinfo {

inline constexpr uint64_t kMagic = 0x3130'4f46'4e49'544eull;  // "NTINFO01"
inline constexpr size_t kMaxKey = 31;                         // bytes, without the NUL
inline constexpr size_t kMaxValue = 95;                       // bytes, without the NUL
inline constexpr size_t kEntries = 64;

struct Entry {
  char key[kMaxKey + 1];      // NUL-terminated; empty = free slot
  char value[kMaxValue + 1];  // NUL-terminated
};
static_assert(sizeof(Entry) == 128);

struct Page {
  uint64_t magic;
  uint32_t lock;  // 0 free, 1 held
  uint32_t pad;
  // Written by the highvisor before each RunVm (host side of the time base).
  uint64_t host_realtime_ns;  // CLOCK_REALTIME when the VM was started
  uint8_t uuid[16];           // the VM's UUID (RFC 4122 version 4)
  // Written by the lowvisor when it starts the VM (its side of the time base).
  uint64_t counter_at_start;  // CNTPCT_EL0 then
  uint64_t reserved[10];
  Entry entries[kEntries];
};
static_assert(sizeof(Page) == 128 + kEntries * sizeof(Entry));

// The values are the backdoor's error codes (vhv/common/backdoor.h).
enum class Status : int8_t {
  Ok = 0,
  TooLong = -3,   // the value does not fit
  NotFound = -4,  // no such key
  Full = -5,      // no free slot for a new key
  Busy = -6,      // the lock could not be taken
  BadKey = -7,    // empty, too long, or a character outside [A-Za-z0-9._-]
};

// A key is 1..kMaxKey characters of [A-Za-z0-9._-].
bool valid_key(const char* key, size_t len);

// The page must be locked by the caller. `key` need not be NUL-terminated.
const Entry* find(const Page& page, const char* key, size_t key_len);
// Sets (or with an empty value, removes) a key.
Status set(Page& page, const char* key, size_t key_len, const char* value, size_t value_len);
// Clears every key (the page keeps its magic and time base).
void clear(Page& page);
// Formats a page that holds garbage (first use).
void format_page(Page& page);

// Bounded lock: false when the other side held it for all `tries`.
bool try_lock(Page& page, unsigned tries);
void unlock(Page& page);

}  // namespace nestlab::guestinfo
