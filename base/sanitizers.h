// NESTLAB_UNDER_ASAN: defined when this translation unit is built with
// AddressSanitizer, by GCC (__SANITIZE_ADDRESS__) or clang (__has_feature).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define NESTLAB_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NESTLAB_UNDER_ASAN 1
#endif
#endif
