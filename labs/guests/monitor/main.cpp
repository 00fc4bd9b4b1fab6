// The console object guest (seed S7): a small interactive monitor that a
// person reaches over the serial port with `nestlab console`, and the guest
// `nestlab demo` runs. It renders a prompt with line editing and history
// and runs a few commands (help, echo, info, ticks, history, poweroff).
//
// With a GICv3 it sleeps in WFI on the UART's receive interrupt instead of
// polling (uart_irq.h); bootargs `poll` or `irq` force either way.
// Bootargs `script=CMD;CMD;...` (the rest of the bootargs) run those
// commands first, shown as if typed, so demos and benchmarks need no
// keyboard; a script that does not end in poweroff leaves the prompt open.
// Runs unchanged on plain `qemu-system-aarch64 -M virt -serial stdio`.
#include "labs/guests/monitor/commands.h"
#include "labs/guests/monitor/line_editor.h"
#include "labs/guests/monitor/term.h"
#include "labs/guests/monitor/uart_irq.h"
#include "tests/guests/lib/guest.h"

namespace {

constexpr const char* kPrompt = "monitor> ";

const char* find_script(const char* args) {
  for (const char* p = args; *p; ++p) {
    if (p != args && p[-1] != ' ') continue;
    const char* k = "script=";
    const char* q = p;
    while (*k && *q == *k) ++q, ++k;
    if (!*k) return q;
  }
  return nullptr;
}

bool has_word(const char* args, const char* word) {
  for (const char* p = args; *p; ++p) {
    if (p != args && p[-1] != ' ') continue;
    const char* w = word;
    const char* q = p;
    while (*w && *q == *w) ++q, ++w;
    if (!*w && (*q == ' ' || *q == '\0')) return true;
  }
  return false;
}

// Runs the script's commands; false when one of them powered off.
bool run_script(monitor::Session& s, const char* script) {
  char line[monitor::LineEditor::kMaxLine + 1];
  while (*script) {
    unsigned n = 0;
    while (*script && *script != ';' && n < monitor::LineEditor::kMaxLine) line[n++] = *script++;
    while (*script && *script != ';') ++script;  // overlong command: truncated
    if (*script == ';') ++script;
    line[n] = '\0';
    monitor::write(kPrompt);
    monitor::write(line);
    monitor::write("\n");
    s.editor->remember(line);
    if (!monitor::run_command(s, line)) return false;
  }
  return true;
}

}  // namespace

extern "C" int guest_main(uint64_t dtb) {
  static monitor::LineEditor editor(kPrompt);
  monitor::Session s;
  s.dtb = dtb;
  s.bootargs = guest::bootargs(dtb);
  s.editor = &editor;
  monitor::write("\nnestlab monitor: a console object on a PL011 serial port. Type 'help'.\n");
  if (has_word(s.bootargs, "irq") || (!has_word(s.bootargs, "poll") && monitor::gicv3_present())) {
    monitor::use_interrupts();
    monitor::write("keys wake the monitor through the UART interrupt (GIC SPI 1)\n");
  }
  if (const char* script = find_script(s.bootargs))
    if (!run_script(s, script)) return s.exit_code;
  for (;;) {
    char* line = const_cast<char*>(editor.read_line());
    if (!monitor::run_command(s, line)) return s.exit_code;
  }
}
