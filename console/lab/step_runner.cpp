#include "console/lab/step_runner.h"

#include <cstdio>

#include "console/lab/marker.h"
#include "console/lab/pattern.h"
#include "console/lab/trace_match.h"

namespace nestlab::lab {

namespace {

constexpr int kPumpMs = 50;
constexpr size_t kTailLines = 10;

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string ms_text(int64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

}  // namespace

std::vector<std::string> last_lines(std::string_view console, size_t lines) {
  std::vector<std::string> out;
  size_t end = console.size();
  if (end > 0 && console[end - 1] == '\n') --end;  // a final newline ends the last line
  while (out.size() < lines && end > 0) {
    size_t nl = console.rfind('\n', end - 1);
    size_t begin = nl == std::string_view::npos ? 0 : nl + 1;
    std::string line(console.substr(begin, end - begin));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.insert(out.begin(), std::move(line));
    if (nl == std::string_view::npos) break;
    end = nl;
  }
  return out;
}

std::string describe_guest_end(const LabVm& vm) {
  if (const auto& e = vm.exit()) {
    std::string detail = e->message.empty() ? "" : " (" + e->message + ")";
    if (e->reason == "poweroff") return "powered off with code " + std::to_string(e->code);
    if (e->reason == "fault") return "was stopped by the lowvisor" + detail;
    if (e->reason == "reset") return "asked for a reset, which ends it" + detail;
    if (e->reason == "stopped") return "was stopped from outside" + detail;
    return "ended (" + e->reason + ")" + detail;
  }
  if (vm.failure()) return "lost its VHV: " + *vm.failure();
  return "still running when grading ended";
}

std::vector<std::string> StepRunner::console_tail() const {
  return last_lines(m_vm.console(), kTailLines);
}

StepRunner::Wait StepRunner::wait_until(const std::function<bool()>& met, double start_guest_ms,
                                        int64_t timeout_ms) {
  for (;;) {
    // Output that came with the exit event has been taken in by now, so
    // `met` sees everything the guest printed before it ended.
    if (met()) return Wait::Met;
    if (m_vm.ended()) return Wait::GuestEnded;
    if (std::chrono::steady_clock::now() >= m_deadline) {
      m_wall_cap_hit = true;
      return Wait::WallCap;
    }
    auto now = m_vm.guest_ms();
    if (now.is_error()) {
      m_error = now.error().message;
      return Wait::Error;
    }
    if (now.value() - start_guest_ms >= static_cast<double>(timeout_ms)) return Wait::GuestTimeout;
    // The exit records are read as the guest goes, before its rings wrap.
    if (auto t = m_reads_trace ? m_vm.poll_trace() : HostResult<void>{}; t.is_error()) {
      m_error = t.error().message;
      return Wait::Error;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    m_deadline - std::chrono::steady_clock::now())
                    .count();
    if (auto p = m_vm.pump(static_cast<int>(std::clamp<int64_t>(left, 1, kPumpMs))); p.is_error()) {
      m_error = p.error().message;
      return Wait::Error;
    }
  }
}

void StepRunner::wait_failed(Wait why, const Step& step, StepResult& r,
                             const std::string& seen_if_ended) {
  r.status = StepStatus::Failed;
  switch (why) {
    case Wait::GuestTimeout:
      r.seen = seen_if_ended + " within " + ms_text(m_lab.step_timeout_ms(step)) + " of guest time";
      break;
    case Wait::WallCap:
      r.seen = "the wall-clock cap of " + std::to_string(m_lab.wall_cap_s) +
               " s ran out (limits.wall_cap_s)";
      break;
    case Wait::GuestEnded:
      r.seen = seen_if_ended + ": the guest " + describe_guest_end(m_vm) + " first";
      break;
    case Wait::Met:
    case Wait::Error: break;
  }
  r.console_tail = console_tail();
}

void StepRunner::run_expect(const Step& step, StepResult& r) {
  const std::string pattern = expand_placeholders(step.pattern, m_values);
  r.expected = step.regex ? "output matching /" + pattern + "/" : "output " + in_quotes(pattern);
  std::optional<PatternMatch> found;
  auto met = [&] {
    found = find_pattern(m_vm.console(), m_cursor, pattern, step.regex);
    return found.has_value();
  };
  Wait w = wait_until(met, r.guest_ms, m_lab.step_timeout_ms(step));
  if (w == Wait::Met) {
    m_cursor = found->end;
    r.status = StepStatus::Passed;
    return;
  }
  std::string since = m_cursor == 0 ? "" : " after the previous step's match";
  wait_failed(w, step, r, "not printed" + since);
}

void StepRunner::run_send(const Step& step, StepResult& r) {
  const std::string input = expand_placeholders(step.input, m_values);
  r.expected = "input " + in_quotes(input) + " delivered to the guest console";
  if (m_vm.ended()) {
    r.status = StepStatus::Failed;
    r.seen = "nothing to type into: the guest " + describe_guest_end(m_vm);
    r.console_tail = console_tail();
    return;
  }
  // Output before the input does not answer it.
  m_cursor = m_vm.console().size();
  auto sent = m_vm.send(input);
  if (sent.is_error()) {
    r.status = StepStatus::Failed;
    r.seen = sent.error().message;
    r.console_tail = console_tail();
    return;
  }
  r.status = StepStatus::Passed;
}

void StepRunner::run_mark(const Step& step, StepResult& r) {
  const std::string mark = expand_placeholders(step.mark, m_values);  // "uart@{pl011}"
  r.expected = "marker " + in_quotes(mark) + " with this run's MAC (lab::mark)";
  MarkerCheck check;
  auto met = [&] {
    check = check_marker(m_vm.console(), mark, m_secret);
    return check.verdict == MarkerVerdict::Valid;
  };
  Wait w = wait_until(met, r.guest_ms, m_lab.step_timeout_ms(step));
  if (w == Wait::Met) {
    r.status = StepStatus::Passed;
    return;
  }
  if (check.verdict == MarkerVerdict::WrongMac) {
    wait_failed(w, step, r, "");
    std::string why = check.line.ends_with(" nosecret")
                          ? "the guest could not read the secret (guestinfo lab.secret)"
                          : "a MAC that is not this run's (a stale or forged marker)";
    r.seen = in_quotes(check.line) + ": " + why;
    return;
  }
  wait_failed(w, step, r, "no marker " + in_quotes(mark));
}

void StepRunner::run_counter(const Step& step, StepResult& r) {
  std::string range;
  if (step.min && step.max)
    range = "between " + std::to_string(*step.min) + " and " + std::to_string(*step.max);
  else if (step.min)
    range = "at least " + std::to_string(*step.min);
  else
    range = "at most " + std::to_string(*step.max);
  r.expected = step.exit_class + " exits " + range;
  auto counters = m_vm.counters();
  if (counters.is_error()) {
    m_error = counters.error().message;
    return;
  }
  auto it = counters.value().find(step.exit_class);
  uint64_t n = it == counters.value().end() ? 0 : it->second;
  bool ok = (!step.min || n >= *step.min) && (!step.max || n <= *step.max);
  r.status = ok ? StepStatus::Passed : StepStatus::Failed;
  if (!ok) {
    r.seen = step.exit_class + " exits: " + std::to_string(n) +
             (m_vm.ended() ? " (final)" : " (while running)");
    r.console_tail = console_tail();
  }
}

// The student's VM against its competitor over a window of guest time, from
// the lowvisor's own run-time accounting: what the program prints plays no
// part.
void StepRunner::run_share(const Step& step, StepResult& r) {
  r.expected = "a CPU share of " + (step.share_min ? std::to_string(*step.share_min) : "0") +
               "% to " + (step.share_max ? std::to_string(*step.share_max) : "100") +
               "% against the competitor over " + std::to_string(step.window_ms) +
               " ms of guest time";
  auto a0 = m_vm.run_ns(0), b0 = m_vm.run_ns(1);
  if (a0.is_error() || b0.is_error()) {
    m_error = (a0.is_error() ? a0.error() : b0.error()).message;
    return;
  }
  auto start = m_vm.guest_ms();
  if (start.is_error()) {
    m_error = start.error().message;
    return;
  }
  const Wait w = wait_until([] { return false; }, start.value(), step.window_ms);
  if (w == Wait::Error) return;
  if (w != Wait::GuestTimeout) {
    r.status = StepStatus::Failed;
    r.seen = w == Wait::GuestEnded ? "the program ended before the window was over"
                                   : "the wall-clock cap was reached";
    r.console_tail = console_tail();
    return;
  }
  auto a1 = m_vm.run_ns(0), b1 = m_vm.run_ns(1);
  if (a1.is_error() || b1.is_error()) {
    m_error = (a1.is_error() ? a1.error() : b1.error()).message;
    return;
  }
  const double ours = double(a1.value() - std::min(a1.value(), a0.value()));
  const double theirs = double(b1.value() - std::min(b1.value(), b0.value()));
  const double share = ours + theirs > 0 ? 100.0 * ours / (ours + theirs) : 0.0;
  const bool ok = (!step.share_min || share >= double(*step.share_min)) &&
                  (!step.share_max || share <= double(*step.share_max));
  r.status = ok ? StepStatus::Passed : StepStatus::Failed;
  if (!ok) {
    char text[160];
    std::snprintf(text, sizeof text, "a share of %.1f%% (%.0f ms of CPU against %.0f ms)", share,
                  ours / 1e6, theirs / 1e6);
    r.seen = text;
    r.console_tail = console_tail();
  }
}

void StepRunner::run_guestinfo(const Step& step, StepResult& r) {
  const std::string want = expand_placeholders(step.value, m_values);
  r.expected = "guestinfo " + step.key + " = " + in_quotes(want);
  auto got = m_vm.guestinfo(step.key);
  if (got.is_error()) {
    m_error = got.error().message;
    return;
  }
  if (got.value() == want) {
    r.status = StepStatus::Passed;
    return;
  }
  r.status = StepStatus::Failed;
  r.seen = got.value() ? "guestinfo " + step.key + " = " + in_quotes(*got.value())
                       : "guestinfo " + step.key + " is not set";
  r.console_tail = console_tail();
}

void StepRunner::run_exit(const Step& step, StepResult& r) {
  r.expected = "power off (PSCI SYSTEM_OFF) with code " + std::to_string(step.code);
  Wait w = wait_until([&] { return m_vm.ended(); }, r.guest_ms, m_lab.step_timeout_ms(step));
  if (w != Wait::Met) return wait_failed(w, step, r, "still running");
  const auto& e = m_vm.exit();
  if (e && e->reason == "poweroff" && e->code == step.code) {
    r.status = StepStatus::Passed;
    return;
  }
  r.status = StepStatus::Failed;
  r.seen = "the guest " + describe_guest_end(m_vm);
  r.console_tail = console_tail();
}

void StepRunner::run_trace(const Step& step, StepResult& r) {
  r.expected = describe_trace_step(step);
  if (auto t = m_vm.poll_trace(true); t.is_error()) {
    m_error = t.error().message;
    return;
  }
  uint64_t n = 0, first = 0, last = 0;
  for (const TraceRecord& rec : m_vm.trace()) {
    if (!trace_matches(step, rec)) continue;
    if (n++ == 0) first = rec.time_ns;
    last = rec.time_ns;
  }
  const double span_ms = n ? static_cast<double>(last - first) / 1e6 : 0;
  bool ok = (!step.min || n >= *step.min) && (!step.max || n <= *step.max);
  if (step.min_span_ms) ok = ok && span_ms >= static_cast<double>(*step.min_span_ms);
  r.status = ok ? StepStatus::Passed : StepStatus::Failed;
  if (ok) return;
  char span[64];
  std::snprintf(span, sizeof span, ", %.0f ms from the first to the last", span_ms);
  r.seen = std::to_string(n) + " such exit" + (n == 1 ? "" : "s") +
           (step.min_span_ms && n ? span : "") + (m_vm.ended() ? " (final)" : " (while running)");
  if (m_vm.trace_lost())
    r.seen += "; " + std::to_string(m_vm.trace_lost()) +
              " exit records were overwritten before the grader read them";
  r.console_tail = console_tail();
}

RunOutcome StepRunner::run(std::vector<StepResult>& results) {
  std::string stop;  // why the remaining steps are not run
  for (const Step& step : m_lab.steps) {
    StepResult r;
    r.name = step.name;
    r.kind = step.kind;
    r.max_points = step.points;
    if (!stop.empty()) {
      r.status = StepStatus::NotReached;
      r.seen = stop;
      results.push_back(r);
      if (m_on_step) m_on_step(results.back());
      continue;
    }
    auto wall_start = std::chrono::steady_clock::now();
    auto g0 = m_vm.guest_ms();
    if (g0.is_error()) m_error = g0.error().message;
    r.guest_ms = g0.is_ok() ? g0.value() : 0;
    const double start = r.guest_ms;
    if (m_error.empty()) {
      switch (step.kind) {
        case StepKind::Expect: run_expect(step, r); break;
        case StepKind::Send: run_send(step, r); break;
        case StepKind::Mark: run_mark(step, r); break;
        case StepKind::Counter: run_counter(step, r); break;
        case StepKind::GuestInfo: run_guestinfo(step, r); break;
        case StepKind::Exit: run_exit(step, r); break;
        case StepKind::Trace: run_trace(step, r); break;
        case StepKind::Share: run_share(step, r); break;
      }
    }
    if (!m_error.empty()) return RunOutcome{RunEnd::Broken, m_error};
    // QEMU or the highvisor died: that is no verdict on the student's program.
    if (m_vm.failure()) return RunOutcome{RunEnd::Broken, *m_vm.failure()};
    auto g1 = m_vm.guest_ms();
    r.guest_ms = std::max(0.0, (g1.is_ok() ? g1.value() : start) - start);
    r.wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall_start)
            .count();
    r.points = r.status == StepStatus::Passed ? step.points : 0;
    if (r.status != StepStatus::Passed && step.fatal)
      stop = "not reached: " + in_quotes(step.name) + " failed and is fatal";
    if (m_wall_cap_hit)
      stop =
          "not reached: the wall-clock cap of " + std::to_string(m_lab.wall_cap_s) + " s ran out";
    results.push_back(r);
    if (m_on_step) m_on_step(results.back());
  }
  return RunOutcome{};
}

}  // namespace nestlab::lab
