// The monitor's terminal: the PL011 at 0x0900_0000 polled, as a serial
// terminal driver with no interrupts does. The line is raw, so the monitor
// does the output post-processing a tty would (ONLCR: "\n" -> "\r\n").
#pragma once

#include <cstdint>

namespace monitor {

int read_key();  // blocks until a byte arrives (polling, or WFI once irq mode is on)
void use_interrupts();
bool interrupts_on();
void write_raw(const char* s, unsigned len);
void write(const char* s);  // "\n" becomes "\r\n"
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace monitor
