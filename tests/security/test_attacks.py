"""Attacks from a VHV's seat: a process that has joined a running VHV's
namespaces (PID, network, UTS, IPC) and resource group, as an unprivileged
user with no capabilities — what a compromised highvisor or QEMU would be
without its seccomp filter. Each attack must fail or be contained, and the
kernel and the other VHV must not notice. Needs root (to enter namespaces
and cgroups), nsenter and setpriv; skips otherwise, saying so."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import KernelTestCase, guest  # noqa: E402

NOBODY = "65534"
CGROOT = "/sys/fs/cgroup"


def usable():
    if os.geteuid() != 0:
        return "needs root to enter a VHV's namespaces and cgroup"
    for tool in ("nsenter", "setpriv"):
        if shutil.which(tool) is None:
            return tool + " (util-linux) is missing"
    if os.path.exists(os.path.join(CGROOT, "cgroup.controllers")):
        return "these attacks join v1 cgroups; this host is cgroup v2"
    return None


@unittest.skipIf(usable() is not None, usable() or "")
class AttackTest(KernelTestCase):
    def create(self, name):
        r = self.nestlab("vhv", "create", "--name", name)
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", name)
        info = json.loads(self.nestlab("--json", "vhv", "inspect", name).out)
        if info["limits"] != "cgroup":
            self.skipTest("no cgroup for VHVs here: " + str(info))
        return info

    def attack(self, info, argv, timeout=60):
        """Runs argv inside info's VHV: its cgroup, its namespaces, as nobody."""
        cg = info["cgroup"]

        def join_cgroup():
            for controller in ("memory", "pids", "cpuacct"):
                with open(f"{CGROOT}/{controller}{cg}/cgroup.procs", "w") as f:
                    f.write(str(os.getpid()))

        cmd = ["nsenter", "-t", str(info["pid"]), "-p", "-n", "-u", "-i", "--",
               "setpriv", "--reuid", NOBODY, "--regid", NOBODY, "--clear-groups",
               "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"] + argv
        return subprocess.run(cmd, preexec_fn=join_cgroup, capture_output=True, text=True,
                              timeout=timeout)

    def assertOthersUnharmed(self, other):
        self.assertKernelAlive()
        r = self.nestlab("--json", "vhv", "inspect", other["name"])
        self.assertEqual(json.loads(r.out)["state"], "ready", r)
        run = self.nestlab("run", "--append", "exit=4", guest("exitcode.elf"))
        self.assertEqual(run.code, 4, run)

    def test_the_attacker_really_is_inside(self):
        a = self.create("inside")
        r = self.attack(a, ["sh", "-c", "cat /proc/self/cgroup; hostname; id -u"])
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("pids:" + a["cgroup"], r.stdout)
        self.assertIn("inside\n", r.stdout)
        self.assertIn("65534", r.stdout)

    def test_fork_bomb_is_stopped_by_the_pid_limit(self):
        a, b = self.create("bomb"), self.create("bystander1")
        # Bounded on purpose: try 1000 processes, count how many started.
        # 1000 processes; the shell itself gives up when fork fails.
        script = ("i=0; while [ $i -lt 1000 ]; do i=$((i+1)); "
                  "sleep 20 </dev/null >/dev/null 2>&1 & done; echo all-started")
        r = self.attack(a, ["sh", "-c", script], timeout=120)
        self.assertNotIn("all-started", r.stdout, r)
        self.assertIn("Cannot fork", r.stderr, r)
        stats = json.loads(self.nestlab("--json", "vhv", "stats", "bomb").out)
        pids = stats["usage"]["pids"]
        self.assertEqual(pids["limit"], 256, stats)
        self.assertGreater(pids["current"], 200, stats)  # it did hit the limit
        self.assertLessEqual(pids["current"], 256, stats)
        self.assertOthersUnharmed(b)

    def test_memory_hog_is_oom_killed_alone(self):
        a, b = self.create("hog"), self.create("bystander2")
        hog = ("b = []\nwhile True: b.append(bytearray(32 << 20))")
        r = self.attack(a, [sys.executable, "-c", hog], timeout=120)
        self.assertEqual(r.returncode, -9, r)  # the OOM killer's SIGKILL
        stats = json.loads(self.nestlab("--json", "vhv", "stats", "hog").out)
        self.assertGreaterEqual(stats["usage"]["memory"]["oom_kills"], 1, stats)
        # The kernel noticed and says so where a user looks (within its
        # once-a-second reading of the group's counters).
        for _ in range(30):
            info = json.loads(self.nestlab("--json", "vhv", "inspect", "hog").out)
            if info["memory_events"]["oom_kills"]:
                break
            time.sleep(0.1)
        self.assertIn("OOM-killed", info["memory_events"].get("last", ""), info)
        self.assertOthersUnharmed(b)

    def test_no_network_beyond_its_own_loopback(self):
        a = self.create("net")
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        self.addCleanup(listener.close)
        port = listener.getsockname()[1]
        probe = ("import socket\n"
                 "for addr in [('127.0.0.1', %d), ('1.1.1.1', 53), ('10.0.2.2', 22)]:\n"
                 "    s = socket.socket(); s.settimeout(2)\n"
                 "    try:\n"
                 "        s.connect(addr); print('connected', addr)\n"
                 "    except OSError as e:\n"
                 "        print('refused', addr, e.errno)\n" % port)
        r = self.attack(a, [sys.executable, "-c", probe])
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn("connected", r.stdout)
        self.assertEqual(r.stdout.count("refused"), 3, r)

    def test_signalling_another_vhv_fails(self):
        a, b = self.create("sig-a"), self.create("sig-b")
        r = self.attack(a, ["sh", "-c", "kill -9 %d; echo status=$?" % b["pid"]])
        self.assertIn("status=1", r.stdout, r)
        time.sleep(0.2)
        self.assertOthersUnharmed(b)

    def test_mounting_fails(self):
        a = self.create("mnt")
        r = self.attack(a, ["sh", "-c", "mount -t tmpfs none /tmp; echo status=$?"])
        self.assertIn("status=", r.stdout, r)
        self.assertNotIn("status=0", r.stdout, r)

    def test_ptrace_of_the_highvisor_fails(self):
        a = self.create("ptr")
        probe = ("import ctypes, os\n"
                 "libc = ctypes.CDLL(None, use_errno=True)\n"
                 "r = libc.ptrace(16, 1, None, None)  # PTRACE_ATTACH to PID 1, the highvisor\n"
                 "print('ptrace', r, os.strerror(ctypes.get_errno()))\n")
        r = self.attack(a, [sys.executable, "-c", probe])
        self.assertIn("ptrace -1 Operation not permitted", r.stdout, r)


if __name__ == "__main__":
    unittest.main()
