#include "vhv/common/format.h"

#include <cstdint>

namespace nestlab {
namespace {

// Appends to a bounded buffer, keeping room for the terminating NUL.
class Sink {
 public:
  Sink(char* buf, size_t len) : m_buf(buf), m_len(len) {}
  void put(char c) {
    if (m_pos + 1 < m_len) m_buf[m_pos] = c;
    ++m_pos;
  }
  void pad(char c, int n) {
    for (int i = 0; i < n; ++i) put(c);
  }
  size_t finish() {
    if (m_len == 0) return 0;
    size_t end = m_pos < m_len - 1 ? m_pos : m_len - 1;
    m_buf[end] = '\0';
    return end;
  }

 private:
  char* m_buf;
  size_t m_len;
  size_t m_pos = 0;  // characters produced so far, may exceed m_len
};

size_t string_length(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

struct Spec {
  bool left = false;
  bool zero = false;
  int width = 0;
};

void emit_padded(Sink& out, const Spec& spec, const char* text, size_t n, bool negative) {
  int total = static_cast<int>(n) + (negative ? 1 : 0);
  int padding = spec.width > total ? spec.width - total : 0;
  if (!spec.left && !spec.zero) out.pad(' ', padding);
  if (negative) out.put('-');
  if (!spec.left && spec.zero) out.pad('0', padding);
  for (size_t i = 0; i < n; ++i) out.put(text[i]);
  if (spec.left) out.pad(' ', padding);
}

void emit_unsigned(Sink& out, const Spec& spec, uint64_t v, unsigned base, bool upper,
                   bool negative) {
  char digits[24];
  size_t n = 0;
  const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[n++] = set[v % base];
    v /= base;
  } while (v != 0);
  char text[24];
  for (size_t i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  emit_padded(out, spec, text, n, negative);
}

}  // namespace

size_t vformat(char* buf, size_t len, const char* fmt, va_list args) {
  Sink out(buf, len);
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') {
      out.put(*p);
      continue;
    }
    ++p;
    Spec spec;
    for (;; ++p) {
      if (*p == '-')
        spec.left = true;
      else if (*p == '0')
        spec.zero = true;
      else
        break;
    }
    while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
    int longs = 0;
    while (*p == 'l' || *p == 'z') {
      longs += (*p == 'z') ? 2 : 1;
      ++p;
    }
    switch (*p) {
      case '\0': return out.finish();
      case '%': out.put('%'); break;
      case 'c': {
        char c = static_cast<char>(va_arg(args, int));
        emit_padded(out, spec, &c, 1, false);
        break;
      }
      case 's': {
        const char* s = va_arg(args, const char*);
        if (s == nullptr) s = "(null)";
        Spec text_spec = spec;
        text_spec.zero = false;
        emit_padded(out, text_spec, s, string_length(s), false);
        break;
      }
      case 'd':
      case 'i': {
        int64_t v = longs > 0 ? va_arg(args, long long) : va_arg(args, int);
        bool negative = v < 0;
        uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        emit_unsigned(out, spec, magnitude, 10, false, negative);
        break;
      }
      case 'u':
      case 'x':
      case 'X': {
        uint64_t v = longs > 0 ? va_arg(args, unsigned long long) : va_arg(args, unsigned int);
        emit_unsigned(out, spec, v, *p == 'u' ? 10 : 16, *p == 'X', false);
        break;
      }
      case 'p': {
        auto v = reinterpret_cast<uintptr_t>(va_arg(args, void*));
        out.put('0');
        out.put('x');
        emit_unsigned(out, spec, v, 16, false, false);
        break;
      }
      default:
        // Unknown conversion: print it verbatim so the mistake is visible.
        out.put('%');
        out.put(*p);
        break;
    }
  }
  return out.finish();
}

size_t format(char* buf, size_t len, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t n = vformat(buf, len, fmt, args);
  va_end(args);
  return n;
}

}  // namespace nestlab
