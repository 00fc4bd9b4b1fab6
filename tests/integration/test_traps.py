"""Trap mechanisms of the lowvisor (issue 4), as a user sees them: the BRK
backdoor (S4), the DCC channel (S2), first-execution cache maintenance (S15),
the WFE channel and watchdog (S14), the interrupt security module (S24),
and the exit statistics, trace and
guestinfo through the CLI and the API."""
import json
import os
import re
import signal
import socket
import time

from harness import KernelTestCase, guest, read_until


def run_lines(r):
    """Every JSON line of `nestlab run --json` in order."""
    return [json.loads(line) for line in r.out.splitlines() if line.strip()]


def run_json(r):
    """The {"exit": ...} summary and the console text of `nestlab run --json`."""
    lines = [json.loads(line) for line in r.out.splitlines() if line.strip()]
    text = "".join(line.get("console", "") for line in lines)
    final = [line["exit"] for line in lines if "exit" in line]
    return (final[-1] if final else None), text


class TrapsTest(KernelTestCase):
    def rpc(self, method, params):
        """One JSON-RPC call on the kernel's socket (the API as scripts use it)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(20)
            s.connect(self.env["NESTLAB_SOCKET"])
            s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                   "params": params}) + "\n").encode())
            data = b""
            while b"\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data.split(b"\n")[0])

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except Exception:
                proc.kill()
                proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    def test_backdoor_services_errors_and_reflected_brk(self):
        r = self.nestlab("run", "--json", guest("backdoor.elf"))
        final, text = run_json(r)
        self.assertEqual(r.code, 0, r)
        self.assertIn("printed through the backdoor\n", text)
        self.assertIn("guest handler: BRK #0x1234 (ESR_EL1 0xf2001234)", text)
        self.assertIn("backdoor: 0 failure(s)", text)
        self.assertNotIn("FAIL", text)
        # 7 good requests, 8 malformed ones, 1 reflected BRK.
        self.assertEqual(final["counters"]["BRK64"], 16)
        self.assertEqual(final["reason"], "poweroff")

    def test_guest_debugs_itself_and_the_backdoor_still_works(self):
        # The guest's own hardware breakpoint, watchpoint and software step
        # reach its own vector as on plain QEMU (MDCR_EL2.TDE is clear while
        # MDSCR_EL1.MDE/SS are set); the BRK backdoor works before and after,
        # the DCC backdoor in between.
        r = self.nestlab("run", "--json", guest("hwdebug.elf"))
        final, text = run_json(r)
        self.assertEqual(r.code, 0, (r, text))
        for line in ("ok: hardware breakpoint taken once at the function (EC 0x31)",
                     "ok: watchpoint on a store to RAM",
                     "ok: watchpoint on a store the lowvisor carries out",
                     "ok: watchpoint on a store to a device register",
                     "ok: software step: one step exception per instruction (EC 0x33)",
                     "ok: BRK backdoor before debugging", "ok: BRK backdoor after debugging",
                     "ok: DCC backdoor while debugging",
                     "ok: own BRK while debugging reaches the guest's handler",
                     "ok: plain WFE while debugging", "ok: WFE channel while debugging",
                     "hwdebug: 0 failure(s)"):
            self.assertIn(line, text)
        self.assertNotIn("FAIL", text)
        # The two backdoor calls and the own BRK after debugging trapped; the
        # own BRK while debugging went straight to the guest.
        self.assertEqual(final["counters"]["BRK64"], 3)
        self.assertEqual(final["reason"], "poweroff")

    def test_dcc_channel_offers_the_same_services(self):
        r = self.nestlab("run", "--json", guest("dcc.elf"))
        final, text = run_json(r)
        self.assertEqual(r.code, 0, r)
        self.assertIn("printed through the DCC channel\n", text)
        self.assertIn("dcc: 0 failure(s)", text)
        self.assertEqual(final["counters"]["SYS64"], 10)

    def test_tiny_jit_runs_rewritten_code(self):
        r = self.nestlab("run", "--json", "--append", "rounds=200", guest("jit.elf"))
        final, text = run_json(r)
        self.assertEqual(r.code, 0, r)
        self.assertIn("jit: 200 rounds, 0 wrong", text)
        # Every round's first execution of the rewritten page faults once.
        self.assertGreaterEqual(final["counters"]["IABT_LOW"], 200)

    def test_code_in_many_blocks_and_an_empty_stage2_pool(self):
        # 400 blocks fit the VM's pool of 512 level-3 tables.
        r = self.nestlab("run", "--mem", "1200M", "--append", "blocks=400",
                         guest("codespread.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("codespread: 400 blocks, 0 wrong", r.out)
        # 530 do not: the VM stops and says why, rather than leave a block
        # writable and executable.
        r = self.nestlab("run", "--mem", "1200M", "--append", "blocks=530",
                         guest("codespread.elf"))
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("stage 2 ran out of level-3 tables", r.err)
        self.assertIn("pool of 512", r.err)
        self.assertNotIn("codespread:", r.out)

    def test_wfe_channel_hides_the_patch_and_watchdog_reports(self):
        r = self.nestlab("run", "--json", "--append", "action=0 timeout_ms=100 pets=3",
                         guest("wfe.elf"))
        final, text = run_json(r)
        self.assertEqual(r.code, 0, r)
        self.assertIn("ping: answered=1 status=0 x0=42", text)
        self.assertIn("code at wfe_site reads 0xd503205f", text)
        # Its variable shares the site's page and is stored from there: the
        # store is carried out for it and the site stays one.
        self.assertIn("site on a written page: 3 of 3 pings answered, word 0xa5a50003, "
                      "code 0xd503205f", text)
        # The report itself: the lowvisor's log event, once, naming the action
        # it took; "0 ns left" alone would hold whether or not it fired.
        reports = [line["log"] for line in run_lines(r) if "watchdog" in line.get("log", "")]
        self.assertEqual(len(reports), 1, reports)
        self.assertRegex(reports[0], r"watchdog: vm 0 missed its deadline \(pc 0x[0-9a-f]+\); "
                                     r"it keeps running")
        self.assertIn("watchdog status after the deadline: 0 ns left", text)
        # The report came after the last pet and before the status read.
        order = [line.get("log") or line.get("console", "") for line in run_lines(r)]
        report_at = next(i for i, t in enumerate(order) if "missed its deadline" in t)
        petted_at = next(i for i, t in enumerate(order) if "petted 3 times" in t)
        status_at = next(i for i, t in enumerate(order) if "status after the deadline" in t)
        self.assertLess(petted_at, report_at)
        self.assertLess(report_at, status_at)
        # A patched site is a load of itself from an execute-only page
        # (DABT_LOW), not a BRK, so it works whatever the guest's debugging.
        self.assertGreaterEqual(final["counters"]["DABT_LOW"], 5)
        self.assertEqual(final["counters"].get("BRK64", 0), 0)

    def test_watchdog_stops_the_vm(self):
        r = self.nestlab("run", "--append", "action=1 timeout_ms=100 pets=3", guest("wfe.elf"))
        self.assertEqual(r.code, 126, r)
        self.assertIn("petted 3 times", r.out)
        self.assertIn("watchdog expired", r.err)
        self.assertNotIn("watchdog status after the deadline", r.out)

    def test_watchdog_catches_a_masked_spin_without_exits(self):
        # The guest masks interrupts and loops on one branch: no exit ever
        # happens, so only the EL2 timer the scheduler arms can see the
        # deadline pass. Stopped within the deadline plus one 10 ms slice,
        # by the lowvisor's own clock.
        r = self.nestlab("run", "--append", "action=1 timeout_ms=100 pets=2 spin=1",
                         guest("wfe.elf"))
        self.assertEqual(r.code, 126, r)
        self.assertIn("now spinning with interrupts masked", r.out)
        m = re.search(r"watchdog expired .*, (\d+) us after the deadline", r.err)
        self.assertIsNotNone(m, r.err)
        self.assertLessEqual(int(m.group(1)), 10_000, r.err)

    def test_watchdog_resets_a_masked_spin(self):
        p = self.start_nestlab("run", "--append", "action=2 timeout_ms=100 pets=1 spin=1",
                               guest("wfe.elf"))
        try:
            out = read_until(p.stdout, b"spinning", 60)
            out += read_until(p.stdout, b"spinning", 60)
            self.assertEqual(out.count(b"watchdog armed"), 2, out)  # it booted again
        finally:
            self.stop(p)

    def test_watchdog_resets_the_vm(self):
        p = self.start_nestlab("run", "--append", "action=2 timeout_ms=100 pets=2", guest("wfe.elf"))
        try:
            out = read_until(p.stdout, b"armed", 60)
            out += read_until(p.stdout, b"armed", 60)
            self.assertEqual(out.count(b"watchdog armed"), 2, out)  # it booted again
            self.assertNotIn(b"watchdog status after the deadline", out)
        finally:
            self.stop(p)
        self.assertKernelAlive()

    def test_interrupt_security_hides_the_secret_from_the_handler(self):
        r = self.nestlab("run", "--json", guest("isec.elf"))
        final, text = run_json(r)
        self.assertEqual(r.code, 0, r)
        self.assertIn("handler saw x19=0x5ec2e7c0ffee0000, region resumed with "
                      "x19=0x123456789abcdef0", text)
        self.assertEqual(final["counters"]["BRK64"], 1)  # the declaration

    def test_stats_trace_and_guestinfo_of_a_running_vm(self):
        name = "traps-live"
        p = self.start_nestlab("run", "--name", name, "--append", "wait=1", guest("backdoor.elf"))
        try:
            out = read_until(p.stdout, b"waiting for host.command=exit", 60)
            self.assertIn(b"waiting for host.command", out)

            # The guest now polls guestinfo in a loop, so its BRK64 count
            # grows past the 16 of the checks (on a loaded host the vCPU may
            # not have run again the instant its line arrived).
            deadline = time.time() + 30
            while True:
                r = self.nestlab("vm", "stats", name, "--json")
                self.assertEqual(r.code, 0, r)
                stats = json.loads(r.out)
                if stats["counters"].get("BRK64", 0) > 16 or time.time() > deadline:
                    break
                time.sleep(0.1)
            self.assertTrue(stats["live"])
            self.assertGreater(stats["counters"]["BRK64"], 16)
            self.assertGreaterEqual(stats["trap"]["bad_requests"], 8)
            self.assertEqual(stats["trap"]["brk_reflected"], 1)
            self.assertRegex(stats["uuid"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-")
            r = self.nestlab("vm", "stats", name)
            self.assertEqual(r.code, 0, r)
            self.assertIn("BRK64", r.out)
            self.assertIn("backdoor_calls", r.out)

            r = self.nestlab("vm", "trace", name, "-n", "16", "--json")
            self.assertEqual(r.code, 0, r)
            entries = [json.loads(line) for line in r.out.splitlines()]
            self.assertEqual(len(entries), 16)
            # The guest polls guestinfo: BRK64 exits with service 4, resumed.
            polls = [e for e in entries if e["class"] == "BRK64" and e["detail"] == 4]
            self.assertTrue(polls, entries)
            self.assertEqual(polls[0]["result"], "advance")
            times = [e["time_ns"] for e in entries]
            self.assertEqual(times, sorted(times))
            r = self.nestlab("vm", "trace", name, "-n", "3")
            self.assertEqual(r.code, 0, r)
            self.assertIn("BRK64", r.out)
            self.assertIn("RESULT", r.out)

            follow = self.start_nestlab("vm", "trace", name, "--follow", "--json", "-n", "1")
            try:
                seen = read_until(follow.stdout, b"\n", 20)
                seen += read_until(follow.stdout, b"BRK64", 20)
                self.assertGreaterEqual(seen.count(b"BRK64"), 2, seen)
            finally:
                self.stop(follow)

            r = self.nestlab("vm", "guestinfo", name, "guest.greeting")
            self.assertEqual((r.code, r.out), (0, "hello-from-guest\n"), r)
            r = self.nestlab("vm", "guestinfo", name, "no.such.key")
            self.assertEqual(r.code, 1, r)
            r = self.nestlab("vm", "guestinfo", name, "bad key=1")
            self.assertEqual(r.code, 1, r)
            self.assertIn("bad guestinfo key", r.err)
            reply = self.rpc("guestinfo.set", {"vhv": name, "key": "k", "value": "x" * 96})
            self.assertEqual(reply["error"]["data"]["code"], "invalid-argument", reply)
            reply = self.rpc("vm.trace", {"vhv": name, "cursor": "yesterday"})
            self.assertEqual(reply["error"]["code"], -32602, reply)
            reply = self.rpc("guestinfo.get", {"vhv": name})
            self.assertEqual(reply["result"]["values"]["guest.greeting"], "hello-from-guest")

            r = self.nestlab("vm", "guestinfo", name, "host.command=exit")
            self.assertEqual(r.code, 0, r)
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, err)
            self.assertIn(b"host said exit", out)
        finally:
            self.stop(p)
        r = self.nestlab("vm", "stats", "no-such-vhv")
        self.assertEqual(r.code, 1, r)
        self.assertKernelAlive()
