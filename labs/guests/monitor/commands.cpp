#include "labs/guests/monitor/commands.h"

#include "labs/guests/monitor/term.h"
#include "tests/guests/lib/guest.h"

namespace monitor {
namespace {

using ull = unsigned long long;

#define READ_SYSREG(name)                      \
  ({                                           \
    uint64_t v_;                               \
    asm volatile("mrs %0, " #name : "=r"(v_)); \
    v_;                                        \
  })

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

// Splits off the first word; returns the rest (leading blanks skipped).
char* split(char* line) {
  while (*line && *line != ' ') ++line;
  if (!*line) return line;
  *line++ = '\0';
  while (*line == ' ') ++line;
  return line;
}

void cmd_help() {
  write(
      "commands:\n"
      "  help             this list\n"
      "  echo TEXT        print TEXT\n"
      "  info             CPU, counter, PSCI and boot arguments of this guest\n"
      "  ticks            the virtual counter (CNTVCT_EL0) and seconds since boot\n"
      "  history          the lines typed so far\n"
      "  clear            clear the screen\n"
      "  poweroff [CODE]  PSCI SYSTEM_OFF with exit code CODE (default 0)\n"
      "keys: Left/Right, Home/End, Up/Down for history, Ctrl-U, Ctrl-C, Ctrl-L\n");
}

void cmd_info(const Session& s) {
  const uint64_t midr = READ_SYSREG(midr_el1);
  const uint64_t mpidr = READ_SYSREG(mpidr_el1);
  const uint64_t el = (READ_SYSREG(CurrentEL) >> 2) & 3;
  const uint64_t freq = READ_SYSREG(cntfrq_el0);
  const uint64_t psci = guest::psci_call(guest::kPsciVersion);
  print("cpu      MIDR_EL1 0x%08llx (implementer 0x%02llx, part 0x%03llx), MPIDR_EL1 0x%llx\n",
        ull(midr), ull(midr >> 24), ull((midr >> 4) & 0xfff), ull(mpidr));
  print("level    EL%llu\n", ull(el));
  print("counter  %llu Hz\n", ull(freq));
  print("psci     %llu.%llu\n", ull(psci >> 16), ull(psci & 0xffff));
  print("uart     PL011 at 0x%llx, %s\n", ull(guest::kUart),
        interrupts_on() ? "receive interrupt (GIC SPI 1) and WFI" : "polled");
  print("dtb      0x%llx\n", ull(s.dtb));
  print("bootargs \"%s\"\n", s.bootargs);
  print("commands %llu run so far\n", ull(s.commands_run));
}

void cmd_ticks() {
  const uint64_t freq = READ_SYSREG(cntfrq_el0);
  const uint64_t ticks = READ_SYSREG(cntvct_el0);
  const uint64_t ms = freq ? ticks / (freq / 1000 ? freq / 1000 : 1) : 0;
  print("ticks %llu (%llu.%03llu s at %llu Hz)\n", ull(ticks), ull(ms / 1000), ull(ms % 1000),
        ull(freq));
}

uint8_t parse_code(const char* text) {
  unsigned v = 0;
  for (; *text >= '0' && *text <= '9'; ++text) v = v * 10 + unsigned(*text - '0');
  return static_cast<uint8_t>(v);
}

}  // namespace

bool run_command(Session& s, char* line) {
  while (*line == ' ') ++line;
  if (!*line) return true;
  char* rest = split(line);
  ++s.commands_run;
  if (equals(line, "help")) {
    cmd_help();
  } else if (equals(line, "echo")) {
    write(rest);
    write("\n");
  } else if (equals(line, "info")) {
    cmd_info(s);
  } else if (equals(line, "ticks")) {
    cmd_ticks();
  } else if (equals(line, "history")) {
    for (unsigned i = 0; i < s.editor->history_size(); ++i)
      print("%4u  %s\n", i + 1, s.editor->history_entry(i));
  } else if (equals(line, "clear")) {
    write("\x1b[H\x1b[2J");
  } else if (equals(line, "poweroff")) {
    s.exit_code = parse_code(rest);
    print("powering off (code %u)\n", unsigned(s.exit_code));
    return false;
  } else {
    print("%s: unknown command; type 'help'\n", line);
  }
  return true;
}

}  // namespace monitor
