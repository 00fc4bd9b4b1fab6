// A lowvisor bug, never a guest's doing: print raw text on the VHV UART
// (outside any frame, so the highvisor logs it verbatim) and park forever.
#pragma once

namespace nestlab {

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace nestlab
