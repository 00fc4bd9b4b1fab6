"""Surviving a kernel restart (issue 3): `kill -9` nestlabd while VHVs run
guests, start it again on the same socket and state directory, and the VHVs
are still there, owned, controllable, and their consoles still stream."""
import json
import os
import re
import signal
import socket
import subprocess
import time

from harness import BIN, KernelTestCase, guest
from test_console import MONITOR, PROMPT, Terminal


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ", 1)[1][0] != "Z"


class RestartableKernel(KernelTestCase):
    """KernelTestCase whose kernel the test can kill and start again."""

    @classmethod
    def kill_kernel(cls):
        cls.kernel.send_signal(signal.SIGKILL)
        cls.kernel.wait(timeout=10)

    @classmethod
    def start_kernel(cls):
        cls.kernel = subprocess.Popen([os.path.join(BIN, "nestlabd"), "--foreground"],
                                      env=cls.env, stdout=cls.kernel_log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        # The old socket file is still there: wait until the new kernel answers.
        deadline = time.time() + 15
        while time.time() < deadline:
            if cls.kernel.poll() is not None:
                raise RuntimeError("nestlabd did not start again: " + cls.kernel_log_text())
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(cls.env["NESTLAB_SOCKET"])
                return
            except OSError:
                time.sleep(0.05)
            finally:
                s.close()
        raise RuntimeError("nestlabd did not listen again: " + cls.kernel_log_text())

    def vhvs(self):
        r = self.nestlab("--json", "vhv", "list")
        self.assertEqual(r.code, 0, r)
        return {v["name"]: v for v in json.loads(r.out)}

    def wait_for(self, predicate, what, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        self.fail("timed out waiting for " + what + "\n" + self.kernel_log_text())


class RestartTest(RestartableKernel):
    def test_vhvs_survive_kill_9_of_the_kernel(self):
        for name in ("mon", "chat", "spin"):
            r = self.nestlab("vhv", "create", "--name", name)
            self.assertEqual(r.code, 0, r)
        t = Terminal(self.env, "mon", "--run", MONITOR)
        self.addCleanup(t.close)
        self.assertIn(PROMPT, t.read_until(PROMPT), t.seen)
        t.type("echo before-restart\r")
        self.assertIn(b"before-restart", t.read_until("before-restart\r\n" + PROMPT.decode()))
        t.close()
        for name, image, text in (("chat", "chatty.elf", "chatty line"), ("spin", "spin.elf",
                                                                          "spinning")):
            c = Terminal(self.env, name, "--run", guest(image))
            self.addCleanup(c.close)
            self.assertIn(text.encode(), c.read_until(text), c.seen)
            c.close()
        # An ephemeral VHV: its client goes with the kernel, so it must go too.
        run = self.start_nestlab("run", guest("spin.elf"))
        self.addCleanup(lambda: run.poll() is None and (run.kill(), run.wait()))
        self.wait_for(lambda: (lambda l: len(l) == 4 and all(v["state"] == "running" for v in
                                                              l.values()))(self.vhvs()),
                      "the ephemeral VHV's guest")
        before = self.vhvs()
        chat_log = os.path.join(self.env["NESTLAB_STATE_DIR"], "consoles",
                                before["chat"]["id"], "vm0.log")
        for v in before.values():
            self.assertEqual(v["state"], "running", v)

        self.kill_kernel()
        time.sleep(1)  # the guests go on with nobody watching
        for v in before.values():
            self.assertTrue(alive(v["pid"]), f"{v['name']}'s highvisor died with the kernel")
        self.start_kernel()

        after = self.wait_for(lambda: (lambda l: l if set(l) == {"mon", "chat", "spin"} else None)(
            self.vhvs()), "the ephemeral VHV to be destroyed and the others listed")
        ephemeral = [v for n, v in before.items() if n not in after][0]
        self.wait_for(lambda: not alive(ephemeral["pid"]), "the ephemeral highvisor to end")
        for name, v in after.items():
            self.assertEqual(v["state"], "running", v)
            self.assertEqual(v["owner_uid"], os.getuid(), v)
            self.assertEqual(v["pid"], before[name]["pid"], v)
            self.assertEqual(v["cgroup"], before[name]["cgroup"], v)
            self.assertTrue(v.get("adopted"), v)
        listed = self.nestlab("vhv", "list")
        self.assertRegex(listed.out, r"mon\s+running")

        # Controllable: pause/resume, inspect, stats.
        self.assertEqual(self.nestlab("vhv", "pause", "spin").code, 0)
        r = self.nestlab("--json", "vhv", "resume", "spin")
        self.assertEqual(r.code, 0, r)
        self.assertFalse(json.loads(r.out)["paused"], r)
        info = json.loads(self.nestlab("--json", "vhv", "inspect", "chat").out)
        self.assertGreater(info.get("total_exits", 0), 0, info)
        self.assertEqual(info["vm"]["image"], "chatty.elf", info)
        if after["spin"]["limits"] == "cgroup":
            stats = json.loads(self.nestlab("--json", "vhv", "stats", "spin").out)
            self.assertGreater(stats["usage"]["cpu_ns"], 0, stats)

        # The monitor: history replayed from before the restart, and typing works.
        t2 = Terminal(self.env, "mon")
        self.addCleanup(t2.close)
        self.assertIn(b"before-restart", t2.read_until("before-restart"), t2.seen)
        t2.type("echo after-restart\r")
        self.assertIn(b"after-restart", t2.read_until("after-restart\r\n" + PROMPT.decode()),
                      t2.seen)
        t2.close()

        # The chatty guest still streams: new lines beyond any seen before.
        with open(chat_log, "rb") as f:
            numbers = [int(n) for n in re.findall(rb"chatty line (\d+)", f.read()[-4096:])]
        last_before = max(numbers)
        viewer = Terminal(self.env, "chat", "--log")
        self.addCleanup(viewer.close)
        seen = viewer.read_until(f"chatty line {last_before + 2000}", timeout=30)
        self.assertIn(f"chatty line {last_before + 2000}".encode(), seen, seen[-500:])
        viewer.close()

        for name in ("mon", "chat", "spin"):
            self.assertEqual(self.nestlab("vhv", "rm", name).code, 0)
        self.assertEqual(self.vhvs(), {})
        for v in after.values():
            self.wait_for(lambda: not alive(v["pid"]), v["name"] + "'s highvisor to end")
        self.assertKernelAlive()


class StaleStateTest(RestartableKernel):
    def test_dead_highvisor_and_corrupt_record_after_restart(self):
        for name in ("gone", "kept"):
            r = self.nestlab("vhv", "create", "--name", name)
            self.assertEqual(r.code, 0, r)
        before = self.vhvs()
        self.kill_kernel()
        os.kill(before["gone"]["pid"], signal.SIGKILL)  # dies while no kernel watches
        self.wait_for(lambda: not alive(before["gone"]["pid"]), "the highvisor to die")
        bad_dir = os.path.join(self.env["NESTLAB_STATE_DIR"], "vhvs", "vhv-99")
        os.makedirs(bad_dir)
        with open(os.path.join(bad_dir, "record.json"), "w") as f:
            f.write('{"format":"nestlab-state","kind":"vhv","vers')
        self.start_kernel()

        after = self.vhvs()
        self.assertEqual(after["gone"]["state"], "failed", after)
        self.assertIn("ended while nestlabd was not running", after["gone"]["message"])
        self.assertEqual(after["kept"]["state"], "ready", after)
        self.assertTrue(alive(after["kept"]["pid"]))
        log = self.kernel_log_text()
        self.assertIn("vhv-99/record.json", log)
        self.assertIn("not JSON", log)
        self.assertTrue(os.path.exists(os.path.join(bad_dir, "record.json.bad")))
        if before["gone"]["cgroup"]:
            self.assertFalse(os.path.exists("/sys/fs/cgroup/memory" + before["gone"]["cgroup"]))
        self.assertEqual(self.nestlab("vhv", "rm", "gone").code, 0)
        self.assertEqual(self.nestlab("vhv", "rm", "kept").code, 0)
        self.assertEqual(self.vhvs(), {})
        self.assertKernelAlive()


if __name__ == "__main__":
    import unittest
    unittest.main()
