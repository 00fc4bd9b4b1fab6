#include "labs/guests/monitor/term.h"

#include <cstdarg>

#include "labs/guests/monitor/uart_irq.h"
#include "tests/guests/lib/guest.h"
#include "vhv/common/format.h"

namespace monitor {
namespace {
// PL011 registers (DDI 0183G 3.3.1 UARTDR, 3.3.3 UARTFR).
volatile uint32_t* const kDr = reinterpret_cast<volatile uint32_t*>(guest::kUart + 0x000);
volatile uint32_t* const kFr = reinterpret_cast<volatile uint32_t*>(guest::kUart + 0x018);
constexpr uint32_t kFrRxfe = 1u << 4;
bool g_irq = false;
}  // namespace

void use_interrupts() {
  enable_uart_irq();
  g_irq = true;
}

bool interrupts_on() { return g_irq; }

int read_key() {
  if (g_irq) wait_for_key();
  while (*kFr & kFrRxfe) {
  }
  return static_cast<int>(*kDr & 0xff);
}

void write_raw(const char* s, unsigned len) {
  for (unsigned i = 0; i < len; ++i) guest::putc(s[i]);
}

void write(const char* s) {
  for (; *s; ++s) {
    if (*s == '\n') guest::putc('\r');
    guest::putc(*s);
  }
}

void print(const char* fmt, ...) {
  char text[512];
  va_list args;
  va_start(args, fmt);
  nestlab::vformat(text, sizeof text, fmt, args);
  va_end(args);
  write(text);
}

}  // namespace monitor
