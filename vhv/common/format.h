// A tiny printf-style formatter that works without libc (the lowvisor) and on
// the host. Supported: %s %c %d %i %u %x %X %p %%, length modifiers l and ll
// (and z for size_t), zero padding and widths ("%08x", "%4d", "%-6s").
// Always NUL-terminates when len > 0; returns the number of characters
// written, not counting the NUL (output is truncated to len - 1).
#pragma once

#include <stdarg.h>

#include <cstddef>

namespace nestlab {

size_t format(char* buf, size_t len, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
size_t vformat(char* buf, size_t len, const char* fmt, va_list args);

}  // namespace nestlab
