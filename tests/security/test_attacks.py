"""Attacks from a VHV's seat: a process that has joined a running VHV's
namespaces (PID, network, UTS, IPC) and resource group, with no
capabilities, as an unprivileged user or with the very uid and gid QEMU runs
as — what a compromised highvisor or QEMU would be without its seccomp
filter. Each attack must fail or be contained, and the kernel and the other
VHV must not notice. Needs root (to enter namespaces and cgroups), nsenter
and setpriv; skips otherwise, saying so. Runs on the host's cgroup version
(AttackTest) and on a cgroup v2 hierarchy whatever the host has
(AttackTestOnCgroup2, see tests/integration/cgroup2.py)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import cgroup2  # noqa: E402
from harness import KernelTestCase, guest  # noqa: E402

NOBODY = "65534"
# The attacker runs as another user, who may not reach this interpreter
# (a pyenv under /root): the system's python3 when there is one.
PYTHON = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
CGROOT = "/sys/fs/cgroup"


def usable():
    if os.geteuid() != 0:
        return "needs root to enter a VHV's namespaces and cgroup"
    for tool in ("nsenter", "setpriv"):
        if shutil.which(tool) is None:
            return tool + " (util-linux) is missing"
    return None


def status_ids(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return [int(v) for v in line.split()[1:]]
    return []


def qemu_of(highvisor_pid):
    with open(f"/proc/{highvisor_pid}/task/{highvisor_pid}/children") as f:
        return int(f.read().split()[0])


@unittest.skipIf(usable() is not None, usable() or "")
class AttackTest(KernelTestCase):
    # Whether this class's kernel runs on cgroup v2 (the host's hierarchy
    # otherwise, which on this project's machines is v1).
    on_cgroup2 = os.path.exists(os.path.join(CGROOT, "cgroup.controllers"))

    def create(self, name, needs=()):
        r = self.nestlab("vhv", "create", "--name", name)
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", name)
        info = json.loads(self.nestlab("--json", "vhv", "inspect", name).out)
        missing = [c for c in needs if c not in self.controllers(info)]
        if missing:
            self.skipTest(f"the {', '.join(missing)} controller is not available to VHV groups "
                          f"on this host's cgroup v{2 if self.on_cgroup2 else 1}: {info}")
        return info

    def controllers(self, info):
        cg = info["cgroup"]
        if not cg:
            return []
        if self.on_cgroup2:
            with open(f"{cgroup2.host_v2_root()}{cg}/cgroup.controllers") as f:
                return f.read().split()
        return [c for c in ("cpu", "memory", "pids") if os.path.isdir(f"{CGROOT}/{c}{cg}")]

    def cgroup_procs_files(self, info):
        cg = info["cgroup"]
        if not cg:
            return []
        if self.on_cgroup2:
            return [f"{cgroup2.host_v2_root()}{cg}/cgroup.procs"]
        return [f"{CGROOT}/{c}{cg}/cgroup.procs" for c in ("memory", "pids", "cpuacct")
                if os.path.isdir(f"{CGROOT}/{c}{cg}")]

    def attack(self, info, argv, timeout=60, uid=NOBODY, gid=NOBODY):
        """Runs argv inside info's VHV: its cgroup, its namespaces, as uid:gid."""
        files = self.cgroup_procs_files(info)

        def join_cgroup():
            for path in files:
                with open(path, "w") as f:
                    f.write(str(os.getpid()))

        cmd = ["nsenter", "-t", str(info["pid"]), "-p", "-n", "-u", "-i", "--",
               "setpriv", "--reuid", str(uid), "--regid", str(gid), "--clear-groups",
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
        self.assertIn(("0::" if self.on_cgroup2 else "pids:") + a["cgroup"] + "\n", r.stdout)
        self.assertIn("inside\n", r.stdout)
        self.assertIn("65534", r.stdout)

    def test_fork_bomb_is_stopped_by_the_pid_limit(self):
        a, b = self.create("bomb", needs=["pids"]), self.create("bystander1")
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
        a, b = self.create("hog", needs=["memory"]), self.create("bystander2")
        hog = ("b = []\nwhile True: b.append(bytearray(32 << 20))")
        r = self.attack(a, [PYTHON, "-c", hog], timeout=120)
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
        r = self.attack(a, [PYTHON, "-c", probe])
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
        r = self.attack(a, [PYTHON, "-c", probe])
        self.assertIn("ptrace -1 Operation not permitted", r.stdout, r)

    def test_ptrace_of_the_highvisor_fails_with_qemus_own_credentials(self):
        a = self.create("ptr2")
        qemu = qemu_of(a["pid"])
        uid, gid = status_ids(qemu, "Uid")[0], status_ids(qemu, "Gid")[0]
        probe = ("import ctypes, os\n"
                 "libc = ctypes.CDLL(None, use_errno=True)\n"
                 "r = libc.ptrace(16, 1, None, None)  # PTRACE_ATTACH to PID 1, the highvisor\n"
                 "print('ptrace', r, os.strerror(ctypes.get_errno()))\n"
                 "try:  # the host's /proc, so the highvisor's host PID\n"
                 "    open('/proc/%d/mem', 'rb').close(); print('mem opened')\n"
                 "except OSError as e:\n"
                 "    print('mem refused', e.errno)\n" % a["pid"])
        r = self.attack(a, [PYTHON, "-c", probe], uid=uid, gid=gid)
        self.assertIn("ptrace -1 Operation not permitted", r.stdout, r)
        self.assertIn("mem refused", r.stdout, r)

    def test_host_root_is_out_of_reach_with_qemus_own_credentials(self):
        # A compromised QEMU has QEMU's uid and gid. If those were root's,
        # no capability would be needed to own the host through files root
        # owns: core_pattern runs a program as root on the next crash.
        a = self.create("root1")
        qemu = qemu_of(a["pid"])
        uid, gid = status_ids(qemu, "Uid")[0], status_ids(qemu, "Gid")[0]
        targets = ["/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger",
                   "/proc/sys/vm/drop_caches", "/sys/kernel/mm/transparent_hugepage/enabled",
                   "/dev/kmsg",
                   # The same through QEMU's own view of /proc, in its jail.
                   f"/proc/{qemu}/root/proc/sys/kernel/core_pattern",
                   f"/proc/{qemu}/root/proc/sysrq-trigger"]
        # Open for writing and close again: nothing is written even if it opens.
        probe = ("import os, sys\n"
                 "for path in sys.argv[1:]:\n"
                 "    try:\n"
                 "        os.close(os.open(path, os.O_WRONLY)); print('opened', path)\n"
                 "    except OSError as e:\n"
                 "        print('refused', path, e.errno)\n"
                 "try:\n"
                 "    os.mknod('/tmp/nestlab-attack-mem-%d' % os.getpid(), 0o20600, os.makedev(1, 1))\n"
                 "    print('opened mknod')\n"
                 "except OSError as e:\n"
                 "    print('refused mknod', e.errno)\n")
        r = self.attack(a, [PYTHON, "-c", probe] + targets, uid=uid, gid=gid)
        self.assertEqual(r.returncode, 0, r)
        self.assertNotIn("opened", r.stdout, f"QEMU runs as uid {uid}:\n{r.stdout}")
        self.assertEqual(r.stdout.count("refused"), len(targets) + 1, r)


@unittest.skipIf(usable() is not None or cgroup2.unusable() is not None,
                 usable() or cgroup2.unusable() or "")
class AttackTestOnCgroup2(AttackTest):
    """The same attacks, the kernel on a cgroup v2 hierarchy."""
    on_cgroup2 = True

    @classmethod
    def kernel_command(cls):
        return cgroup2.kernel_command()


if __name__ == "__main__":
    unittest.main()
