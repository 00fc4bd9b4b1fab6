#include "vhv/host/byoh/el2_log.h"

#include <charconv>

#include "vhv/common/esr.h"

namespace nestlab::vhv {

namespace {

bool el2_starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A number at the start of `s` in `base` ("0x" skipped for 16); false when
// there is none. Advances `s` past it.
bool el2_take_number(std::string_view& s, uint64_t& out, int base) {
  if (base == 16 && el2_starts_with(s, "0x")) s.remove_prefix(2);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  if (ec != std::errc() || end == s.data()) return false;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  return true;
}

bool el2_take(std::string_view& s, std::string_view word) {
  if (!el2_starts_with(s, word)) return false;
  s.remove_prefix(word.size());
  return true;
}

}  // namespace

std::string El2LogParser::class_name(uint32_t ec) {
  if (ec == kAsyncIrq) return "IRQ";
  if (ec == kAsyncFiq) return "FIQ";
  if (ec == kAsyncSError) return "SERROR";
  return exception_class_name(static_cast<ExceptionClass>(ec & 0x3f));
}

void El2LogParser::feed(std::string_view bytes, uint64_t now_ns) {
  m_bytes += bytes.size();
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    const std::string_view part = bytes.substr(0, nl);
    if (!m_overlong) {
      if (m_line.size() + part.size() > kMaxLine) {
        m_overlong = true;
        m_line.clear();
        ++m_lines_dropped;
      } else {
        m_line.append(part);
      }
    }
    if (nl == std::string_view::npos) return;
    if (!m_overlong) line(m_line, now_ns);
    m_line.clear();
    m_overlong = false;
    bytes.remove_prefix(nl + 1);
  }
}

void El2LogParser::line(std::string_view s, uint64_t now_ns) {
  if (el2_take(s, "Taking exception ")) {
    // A record that never said where it went is dropped with the next one.
    m_pending = false;
    uint64_t number = 0;
    if (!el2_take_number(s, number, 10)) return;
    m_current = El2Exception{};
    m_to_el = 0;
    m_pending_kind = 0;
    // The bracketed name tells an asynchronous exception, whose ESR QEMU
    // leaves stale (EXCP_IRQ, EXCP_VIRQ, EXCP_VSERR, ...).
    const size_t open = s.find('['), close = s.find(']');
    if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
      const std::string_view name = s.substr(open + 1, close - open - 1);
      if (name.find("IRQ") != std::string_view::npos)
        m_pending_kind = kAsyncIrq;
      else if (name.find("FIQ") != std::string_view::npos)
        m_pending_kind = kAsyncFiq;
      else if (name.find("SError") != std::string_view::npos)
        m_pending_kind = kAsyncSError;
      s.remove_prefix(close + 1);
    }
    uint64_t cpu = 0;
    if (el2_take(s, " on CPU ") && el2_take_number(s, cpu, 10))
      m_current.cpu = static_cast<uint32_t>(cpu);
    m_pending = true;
    return;
  }
  if (el2_take(s, "Exception return from AArch64 EL")) {
    uint64_t from = 0, to = 0;
    if (el2_take_number(s, from, 10) && el2_take(s, " to AArch") &&
        (el2_take(s, "64 EL") || el2_take(s, "32 EL")) && el2_take_number(s, to, 10) && from == 2 &&
        to < 2)
      ++m_erets_to_lower;
    return;
  }
  if (!m_pending || !el2_take(s, "...")) return;
  uint64_t v = 0;
  if (el2_take(s, "from EL")) {
    uint64_t from = 0, to = 0;
    if (el2_take_number(s, from, 10) && el2_take(s, " to EL") && el2_take_number(s, to, 10)) {
      m_current.from_el = static_cast<uint32_t>(from);
      m_to_el = static_cast<uint32_t>(to);
    }
  } else if (el2_take(s, "with ESR ")) {
    // "0xEC/0xESR"
    if (el2_take_number(s, v, 16) && el2_take(s, "/") && el2_take_number(s, v, 16))
      m_current.esr = v;
  } else if (el2_take(s, "with ELR ")) {
    if (el2_take_number(s, v, 16)) m_current.elr = v;
  } else if (el2_take(s, "to EL")) {
    uint64_t el = 0;
    if (el2_take_number(s, el, 10) && el2_take(s, " PC ") && el2_take_number(s, v, 16)) {
      m_current.vector_pc = v;
      m_to_el = static_cast<uint32_t>(el);
    }
    complete(now_ns);
  } else if (el2_take(s, "handled as PSCI call")) {
    ++m_psci_calls;
    m_pending = false;
  }
}

void El2LogParser::complete(uint64_t now_ns) {
  m_pending = false;
  if (m_to_el != 2) return;
  m_current.ec =
      m_pending_kind ? m_pending_kind : static_cast<uint32_t>((m_current.esr >> 26) & 0x3f);
  switch (m_current.ec) {
    case kAsyncIrq: ++m_irqs; break;
    case kAsyncFiq: ++m_fiqs; break;
    case kAsyncSError: ++m_serrors; break;
    default: ++m_by_class[m_current.ec & 0x3f];
  }
  ++m_total;
  if (m_current.from_el == 2) ++m_from_el2;
  m_current.seq = m_total;
  m_current.time_ns = now_ns;
  if (m_recent.size() == kMaxRecent) m_recent.pop_front();
  m_recent.push_back(m_current);
}

}  // namespace nestlab::vhv
