#include "vhv/common/guestinfo.h"

namespace nestlab::guestinfo {
namespace {

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool key_equals(const Entry& e, const char* key, size_t len) {
  for (size_t i = 0; i < len; ++i)
    if (e.key[i] != key[i]) return false;
  return e.key[len] == '\0';
}

void copy_string(char* dst, const char* src, size_t len) {
  for (size_t i = 0; i < len; ++i) dst[i] = src[i];
  dst[len] = '\0';
}

}  // namespace

bool valid_key(const char* key, size_t len) {
  if (len == 0 || len > kMaxKey) return false;
  for (size_t i = 0; i < len; ++i)
    if (!key_char(key[i])) return false;
  return true;
}

const Entry* find(const Page& page, const char* key, size_t key_len) {
  if (!valid_key(key, key_len)) return nullptr;
  for (const Entry& e : page.entries)
    if (e.key[0] != '\0' && key_equals(e, key, key_len)) return &e;
  return nullptr;
}

Status set(Page& page, const char* key, size_t key_len, const char* value, size_t value_len) {
  if (!valid_key(key, key_len)) return Status::BadKey;
  if (value_len > kMaxValue) return Status::TooLong;
  Entry* slot = const_cast<Entry*>(find(page, key, key_len));
  if (value_len == 0) {
    if (slot) slot->key[0] = '\0';
    return slot ? Status::Ok : Status::NotFound;
  }
  if (!slot) {
    for (Entry& e : page.entries)
      if (e.key[0] == '\0') {
        slot = &e;
        break;
      }
    if (!slot) return Status::Full;
  }
  copy_string(slot->value, value, value_len);
  copy_string(slot->key, key, key_len);
  return Status::Ok;
}

void clear(Page& page) {
  for (Entry& e : page.entries) {
    e.key[0] = '\0';
    e.value[0] = '\0';
  }
}

void format_page(Page& page) {
  page.lock = 0;
  page.pad = 0;
  page.host_realtime_ns = 0;
  for (auto& b : page.uuid) b = 0;
  page.counter_at_start = 0;
  for (auto& r : page.reserved) r = 0;
  clear(page);
  page.magic = kMagic;
}

bool try_lock(Page& page, unsigned tries) {
  for (unsigned i = 0; i < tries; ++i) {
    uint32_t expected = 0;
    if (__atomic_compare_exchange_n(&page.lock, &expected, 1u, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED))
      return true;
  }
  return false;
}

void unlock(Page& page) { __atomic_store_n(&page.lock, 0u, __ATOMIC_RELEASE); }

}  // namespace nestlab::guestinfo
