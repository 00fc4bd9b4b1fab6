"""Guest time across pause/resume (issue 5, S10): `nestlab vhv pause|resume`
and the VM's tick policy (`nestlab run --tick-policy`). The guest
(tests/guests/clock.cpp) ticks every 100 ms of its own time and prints its
virtual time at each tick; the test pauses the VHV for 2 s in the middle and
checks what a user would see in the guest's clock: it never goes backwards,
and the pause is left out (none), jumped over at once (skip) or caught up
at an accelerated rate (accelerated)."""
import re
import threading
import time

from harness import KernelTestCase, guest

PAUSE_S = 2.0
TICK_RE = re.compile(r"clock: tick (\d+) t_ms (\d+)")


class TimeAcrossPause(KernelTestCase):
    def run_paused(self, policy, name):
        p = self.start_nestlab("run", "--name", name, "--tick-policy", policy, "--append",
                               "ticks=60 period_ms=100", guest("clock.elf"))
        ticks = []  # (host seconds, tick, guest ms)
        text = []
        paused_at = resumed_at = None

        def reader():
            for raw in p.stdout:
                line = raw.decode(errors="replace")
                text.append(line)
                m = TICK_RE.search(line)
                if m:
                    ticks.append((time.monotonic(), int(m.group(1)), int(m.group(2))))

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        try:
            deadline = time.monotonic() + 60
            while len(ticks) < 6 and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.05)
            self.assertGreaterEqual(len(ticks), 6, "".join(text))
            r = self.nestlab("vhv", "pause", name, timeout=30)
            self.assertEqual(r.code, 0, r)
            self.assertIn("paused", r.out)
            paused_at = time.monotonic()
            count = len(ticks)
            time.sleep(PAUSE_S)
            self.assertEqual(len(ticks), count, "the guest ticked while paused")
            r = self.nestlab("vhv", "resume", name, timeout=30)
            resumed_at = time.monotonic()
            self.assertEqual(r.code, 0, r)
            self.assertIn(f"tick policy {policy}", r.out)
            p.wait(timeout=90)  # stdout is the reader thread's
            err = p.stderr.read()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        t.join(timeout=10)
        p.stdout.close()
        p.stderr.close()
        out = "".join(text)
        self.assertEqual(p.returncode, 0, out + err.decode(errors="replace"))
        self.assertIn("clock: done, monotonic", out)
        self.assertNotIn("BACKWARDS", out)
        self.assertEqual([k[1] for k in ticks], list(range(60)), out)
        gaps = [b[2] - a[2] for a, b in zip(ticks, ticks[1:])]
        guest_span = ticks[-1][2] - ticks[0][2]
        host_span = (ticks[-1][0] - ticks[0][0]) * 1000
        return gaps, guest_span, host_span, resumed_at - paused_at, out

    def test_none_leaves_the_pause_out(self):
        gaps, guest_span, host_span, pause, out = self.run_paused("none", "clock-none")
        self.assertLess(max(gaps), 1000, out)  # no jump
        self.assertLess(guest_span, host_span - 0.7 * pause * 1000, out)

    def test_skip_jumps_over_the_pause(self):
        gaps, guest_span, host_span, pause, out = self.run_paused("skip", "clock-skip")
        jumps = [g for g in gaps if g >= 1000]
        self.assertEqual(len(jumps), 1, out)  # one tick after the pause, not many
        self.assertGreaterEqual(jumps[0], PAUSE_S * 1000 * 0.9, out)
        self.assertGreater(guest_span, host_span - 0.3 * pause * 1000, out)

    def test_accelerated_catches_up(self):
        gaps, guest_span, host_span, pause, out = self.run_paused("accelerated", "clock-acc")
        self.assertLess(max(gaps), 1000, out)  # no jump at once
        print(f"accelerated: guest {guest_span} ms over host {host_span:.0f} ms, largest gap "
              f"{max(gaps)} ms", flush=True)
        # ... yet the guest's clock covers the pause by the end.
        self.assertGreater(guest_span, host_span - 0.3 * pause * 1000, out)

    def test_bad_policy_is_refused(self):
        r = self.nestlab("run", "--tick-policy", "sometimes", guest("clock.elf"), timeout=30)
        self.assertNotEqual(r.code, 0)
        self.assertIn("--tick-policy sometimes: expected none, skip or accelerated", r.err)

    def test_pause_of_unknown_vhv_is_refused(self):
        r = self.nestlab("vhv", "pause", "no-such-vhv", timeout=30)
        self.assertNotEqual(r.code, 0)
        self.assertIn("no-such-vhv", r.err)


if __name__ == "__main__":
    import unittest
    unittest.main()
