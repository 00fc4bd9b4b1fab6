"""`nestlab top` (issue 3): the refreshing table of VHVs with their resource
groups' CPU %, memory now/peak/limit and PIDs, as a user and a script see it."""
import json
import os
import subprocess
import unittest

from harness import KernelTestCase, guest, read_until


class TopTest(KernelTestCase):

    def test_once_shows_each_vhv_and_a_busy_guest_uses_cpu(self):
        r = self.nestlab("vhv", "create", "--name", "top-idle")
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", "top-idle")
        spin = self.start_nestlab("run", "--name", "top-spin", guest("spin.elf"))
        try:
            # The spinning guest is up once its VHV is listed as running.
            for _ in range(100):
                lst = self.nestlab("--json", "vhv", "list")
                states = {v["name"]: v["state"] for v in json.loads(lst.out)}
                if states.get("top-spin") == "running":
                    break
                subprocess.run(["sleep", "0.1"], timeout=5)
            self.assertEqual(states.get("top-spin"), "running", lst)
            j = self.nestlab("--json", "top", "--once", timeout=30)
            self.assertEqual(j.code, 0, j)
            rows = {row["name"]: row for row in json.loads(j.out)}
            self.assertEqual(set(rows), {"top-idle", "top-spin"})
            busy, idle = rows["top-spin"], rows["top-idle"]
            if busy["limits"] == "cgroup":
                # A guest spinning in a loop keeps QEMU busy; an idle VHV does not.
                self.assertGreater(busy["cpu_percent"], 10.0, busy)
                self.assertLess(idle["cpu_percent"], busy["cpu_percent"], rows)
                self.assertGreater(busy["memory"]["current"], 1 << 20)
                self.assertGreaterEqual(busy["memory"]["peak"], busy["memory"]["current"])
                self.assertGreater(busy["pids"]["current"], 1)
            else:
                self.assertIsNone(busy["cpu_percent"])
            t = self.nestlab("top", "--once", timeout=30)
            self.assertEqual(t.code, 0, t)
            lines = t.out.splitlines()
            self.assertEqual(lines[0].split()[:4], ["ID", "NAME", "STATE", "CPU%"])
            self.assertTrue(any("top-spin" in l and "running" in l for l in lines), t)
            # Refreshing mode, bounded: two tables, one after the other.
            n = self.nestlab("top", "-n", "2", "-d", "0.2", timeout=30)
            self.assertEqual(n.code, 0, n)
            self.assertEqual(n.out.count("CPU%"), 2, n)
        finally:
            spin.terminate()
            try:
                spin.wait(timeout=20)
            except subprocess.TimeoutExpired:
                spin.kill()
                spin.wait()
            spin.stdout.close()
            spin.stderr.close()
        self.assertKernelAlive()

    def test_bad_arguments_are_usage_errors(self):
        for argv in (("top", "-d", "0"), ("top", "-n", "zero"), ("top", "extra")):
            r = self.nestlab(*argv, timeout=30)
            self.assertEqual(r.code, 2, r)
            self.assertIn("nestlab top:", r.err)


if __name__ == "__main__":
    unittest.main()
