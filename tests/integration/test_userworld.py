"""Userworlds as a user sees them: `nestlab vhv stats` reports the VHV's
resource group, and a VHV's processes run jailed (what /proc on the host
shows about them: no host files, no capabilities, seccomp on, only lo)."""
import json
import os
import select
import socket
import subprocess
import sys
import time
import unittest

import cgroup2
from harness import BIN, KernelTestCase, guest


def status_field(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    return None


def children_of(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def limit_of(pid, name):
    """The soft value of one line of /proc/PID/limits, e.g. "Max processes"."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith(name):
                return line[len(name):].split()[0]
    return None


class UserworldTest(KernelTestCase):
    def create(self, name):
        r = self.nestlab("vhv", "create", "--name", name)
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", name)
        info = self.nestlab("--json", "vhv", "inspect", name)
        self.assertEqual(info.code, 0, info)
        return json.loads(info.out)

    def test_vhv_stats_shows_its_resource_group(self):
        info = self.create("stats1")
        r = self.nestlab("vhv", "stats", "stats1")
        self.assertEqual(r.code, 0, r)
        self.assertIn("stats1", r.out)
        j = self.nestlab("--json", "vhv", "stats", "stats1")
        self.assertEqual(j.code, 0, j)
        stats = json.loads(j.out)
        if info["limits"] != "cgroup":
            self.assertIsNone(stats["usage"])
            self.assertIn("rlimits only", r.out)
            return
        self.assertIn("Memory:", r.out)
        self.assertIn("PIDs:", r.out)
        self.assertGreater(stats["usage"]["memory"]["current"], 1 << 20, stats)
        self.assertGreater(stats["usage"]["cpu_ns"], 0, stats)
        self.assertEqual(stats["cgroup"], info["cgroup"])
        missing = self.nestlab("vhv", "stats", "nope")
        self.assertEqual(missing.code, 1, missing)
        self.assertIn("no VHV", missing.err)

    def test_vhv_processes_are_jailed(self):
        info = self.create("jail1")
        hv = info["pid"]
        with open(f"/proc/{hv}/task/{hv}/children") as f:
            children = [int(p) for p in f.read().split()]
        self.assertTrue(children, "the highvisor has no QEMU child")
        for pid in [hv, children[0]]:
            self.assertEqual(status_field(pid, "CapEff"), "0000000000000000")
            self.assertEqual(status_field(pid, "CapBnd"), "0000000000000000")
            self.assertEqual(status_field(pid, "NoNewPrivs"), "1")
            self.assertEqual(status_field(pid, "Seccomp"), "2")
            root = f"/proc/{pid}/root"
            for host_file in ["etc/shadow", "etc/passwd", "root", "home", "var"]:
                self.assertFalse(os.path.exists(os.path.join(root, host_file)),
                                 f"{host_file} is visible in the jail of {pid}")
            with open(f"/proc/{pid}/net/dev") as f:
                devices = [line.split(":")[0].strip() for line in f.readlines()[2:]]
            self.assertEqual(devices, ["lo"])
        # Its UTS namespace is named after the VHV.
        uts = subprocess.run(["nsenter", "-t", str(hv), "-u", "hostname"], capture_output=True,
                             timeout=10, text=True)
        self.assertEqual(uts.stdout.strip(), "jail1", uts)

    def test_vhv_processes_run_as_a_uid_of_their_own(self):
        # A uid-0 process owns /proc/sys/kernel/core_pattern and the like
        # even without capabilities: a system-mode VHV must never be one.
        if os.geteuid() != 0:
            self.skipTest("system mode needs root")
        uids = {}
        for name in ("uid-a", "uid-b"):
            info = self.create(name)
            hv = info["pid"]
            qemu = children_of(hv)
            self.assertTrue(qemu, "the highvisor has no QEMU child")
            for pid in (hv, qemu[0]):
                real, effective, saved, fs = (int(u) for u in status_field(pid, "Uid").split())
                self.assertNotEqual(real, 0, f"pid {pid} of {name} runs as root")
                self.assertEqual({real, effective, saved, fs}, {real}, status_field(pid, "Uid"))
                self.assertEqual(set(status_field(pid, "Gid").split()), {str(real)})
                self.assertEqual(status_field(pid, "Groups"), "", "root's groups stayed")
                self.assertEqual(real, info["host_uid"], info)
            uids[name] = real
        self.assertNotEqual(uids["uid-a"], uids["uid-b"], "two VHVs share a uid")
        # Everything the VHV needs still works under that uid: its control
        # socket, console, RAM memfd and the image it is given.
        r = self.nestlab("vm", "run", "uid-a", guest("hello.elf"), "--wait")
        self.assertEqual(r.code, 0, r)

    def test_vhv_task_limit_is_per_uid(self):
        info = self.create("nproc1")
        for pid in [info["pid"]] + children_of(info["pid"]):
            self.assertEqual(limit_of(pid, "Max processes"), "256", pid)
            # A group with the memory controller bounds memory; otherwise
            # the address-space limit does.
            expected = "unlimited" if info["limits"] == "cgroup" else None
            if expected:
                self.assertEqual(limit_of(pid, "Max address space"), expected, pid)
            else:
                self.assertNotEqual(limit_of(pid, "Max address space"), "unlimited", pid)

    def test_doctor_says_what_the_machine_offers(self):
        r = self.nestlab("--json", "doctor")
        self.assertEqual(r.code, 0, r)
        d = json.loads(r.out)
        v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
        self.assertEqual(d["cgroups"]["version"], 2 if v2 else 1)
        self.assertEqual(d["cgroups"]["delegated"], os.access(d["cgroups"]["where"], os.W_OK))
        self.assertEqual(d["seccomp"]["available"],
                         os.path.exists("/proc/sys/kernel/seccomp/actions_avail"))
        self.assertIn("QEMU emulator version", d["qemu"]["version"])
        self.assertEqual(d["kvm"]["present"], os.path.exists("/dev/kvm"))
        text = self.nestlab("doctor")
        self.assertEqual(text.code, 0, text)
        self.assertIn("cgroup v", text.out)
        if os.geteuid() == 0 and not v2:
            nobody = subprocess.run(["setpriv", "--reuid", "65534", "--regid", "65534",
                                     "--clear-groups", os.path.join(BIN, "nestlab"), "doctor"],
                                    capture_output=True, text=True, timeout=30)
            self.assertIn("no delegated group for this user: VHVs run with rlimits only",
                          nobody.stdout, nobody)


class EventWatcher:
    """A raw API connection subscribed to the kernel's event bus."""

    def __init__(self, socket_path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(socket_path)
        self.buf = b""
        self.sock.sendall(b'{"jsonrpc":"2.0","id":1,"method":"events.subscribe"}\n')

    def wait_for(self, predicate, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.buf) < (1 << 20):
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                msg = json.loads(line)
                if msg.get("method") == "event" and predicate(msg["params"]):
                    return msg["params"]
            r, _, _ = select.select([self.sock], [], [], max(0, deadline - time.time()))
            if not r:
                break
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        return None

    def close(self):
        self.sock.close()


class TenantTest(KernelTestCase):
    """Hierarchical resource groups: <parent>/<tenant>/<vhv>, the tenant's
    limits bounding its VHVs together, and memory events on the bus."""

    def test_tenant_memory_limit_bounds_two_vhvs_together(self):
        if os.geteuid() != 0 or os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            self.skipTest("needs root on a cgroup v1 host (v2 is covered by cgroup_settings_test)")
        limit = 400 << 20
        r = self.nestlab("tenant", "set", "team1", "--mem", "400M", "--pids", "600")
        self.assertEqual(r.code, 0, r)
        self.assertIn("team1", r.out)
        infos = []
        for name in ("ta", "tb"):
            c = self.nestlab("vhv", "create", "--name", name, "--tenant", "team1",
                             "--cpu-weight", "50", "--cpu-quota", "80")
            self.assertEqual(c.code, 0, c)
            self.addCleanup(self.nestlab, "vhv", "rm", name)
            infos.append(json.loads(self.nestlab("--json", "vhv", "inspect", name).out))
        a, b = infos
        tenant_dir = f"/{self.cgroup_parent}/team1"
        for info in infos:
            self.assertEqual(info["tenant"], "team1", info)
            self.assertEqual(info["cgroup"], f"{tenant_dir}/{info['id']}", info)
            # Each VHV alone may use more than the tenant has for both.
            self.assertGreater(info["memory_limit"], limit, info)
        mem = "/sys/fs/cgroup/memory" + tenant_dir
        with open(mem + "/memory.limit_in_bytes") as f:
            self.assertEqual(int(f.read()), limit)
        if os.path.exists(mem + "/memory.memsw.limit_in_bytes"):
            with open(mem + "/memory.memsw.limit_in_bytes") as f:
                self.assertEqual(int(f.read()), limit)  # no swap beyond it
        with open(f"/sys/fs/cgroup/cpu{a['cgroup']}/cpu.shares") as f:
            self.assertEqual(int(f.read()), 512)
        with open(f"/sys/fs/cgroup/cpu{a['cgroup']}/cpu.cfs_quota_us") as f:
            self.assertEqual(int(f.read()), 80000)
        listed = json.loads(self.nestlab("--json", "tenant", "list").out)
        team = [t for t in listed if t["tenant"] == "team1"][0]
        self.assertEqual(sorted(team["vhvs"]), ["ta", "tb"])
        self.assertEqual(team["usage"]["memory"]["limit"], limit)
        self.assertGreater(team["usage"]["memory"]["current"], 0)

        # A hog in ta's group gets 600 MiB of ta's own limit but not of the
        # tenant's 400 MiB: the OOM killer stops it, and says so on the bus.
        watcher = EventWatcher(self.env["NESTLAB_SOCKET"])
        self.addCleanup(watcher.close)

        def join_cgroup():
            with open(f"/sys/fs/cgroup/memory{a['cgroup']}/cgroup.procs", "w") as f:
                f.write(str(os.getpid()))

        hog = ("b = []\nfor i in range(600 // 16): b.append(bytearray(16 << 20))\n"
               "print('survived')")
        p = subprocess.run([sys.executable, "-c", hog], preexec_fn=join_cgroup,
                           capture_output=True, text=True, timeout=120)
        self.assertNotIn("survived", p.stdout)
        self.assertEqual(p.returncode, -9, p)
        event = watcher.wait_for(lambda e: e["type"] == "oom-kill" and e["vhv"] == a["id"], 10)
        self.assertIsNotNone(event, "no oom-kill event")
        self.assertIn("OOM-killed", event["message"])
        inspect = json.loads(self.nestlab("--json", "vhv", "inspect", "ta").out)
        self.assertGreaterEqual(inspect["memory_events"]["oom_kills"], 1, inspect)
        self.assertIn("OOM-killed", self.nestlab("vhv", "inspect", "ta").out)
        for name in ("ta", "tb"):
            state = json.loads(self.nestlab("--json", "vhv", "inspect", name).out)["state"]
            self.assertEqual(state, "ready", name)

    def test_a_cpu_limit_that_cannot_be_applied_is_an_error(self):
        if os.geteuid() != 0 or os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            self.skipTest("needs root on a cgroup v1 host (v1 refuses a quota above its parent's)")
        self.assertEqual(self.nestlab("tenant", "set", "team3", "--cpu-quota", "20").code, 0)
        r = self.nestlab("vhv", "create", "--name", "tq", "--tenant", "team3", "--cpu-quota", "80")
        self.assertEqual(r.code, 1, r)
        self.assertIn("cannot apply the requested CPU limits", r.err)
        self.assertIn("cpu.cfs_quota_us", r.err)
        self.assertNotIn("tq", self.nestlab("vhv", "list").out)
        ok = self.nestlab("vhv", "create", "--name", "tq", "--tenant", "team3", "--cpu-quota", "10")
        self.assertEqual(ok.code, 0, ok)
        self.addCleanup(self.nestlab, "vhv", "rm", "tq")
        listed = json.loads(self.nestlab("--json", "tenant", "list").out)
        team = [t for t in listed if t["tenant"] == "team3"][0]
        self.assertEqual(team["limits"]["cpu_quota"], 20)
        self.assertEqual(team["vhvs"], ["tq"])


@unittest.skipIf(cgroup2.unusable() is not None, cgroup2.unusable() or "")
class Cgroup2KernelTest(KernelTestCase):
    """The kernel on a cgroup v2 hierarchy (cgroup2.py): groups made by
    mkdir with controllers delegated through cgroup.subtree_control,
    processes moved through cgroup.procs, usage read, groups removed."""

    @classmethod
    def kernel_command(cls):
        return cgroup2.kernel_command()

    def in_kernel_ns(self, *argv):
        return cgroup2.in_kernel_ns(self.kernel.pid, *argv)

    def test_a_vhv_lives_in_its_v2_group(self):
        r = self.nestlab("vhv", "create", "--name", "v2a")
        self.assertEqual(r.code, 0, r)
        info = json.loads(self.nestlab("--json", "vhv", "inspect", "v2a").out)
        cg = info["cgroup"]
        self.assertEqual(cg, f"/{self.cgroup_parent}/{info['tenant']}/{info['id']}", info)
        group = "/sys/fs/cgroup" + cg
        procs = self.in_kernel_ns("cat", group + "/cgroup.procs")
        self.assertEqual(procs.returncode, 0, procs)
        self.assertIn(str(info["pid"]), procs.stdout.split())
        for pid in [info["pid"]] + children_of(info["pid"]):
            with open(f"/proc/{pid}/cgroup") as f:
                self.assertIn("0::" + cg + "\n", f.read(), pid)
        # The limits it claims are those of the controllers the group has.
        controllers = self.in_kernel_ns("cat", group + "/cgroup.controllers").stdout.split()
        self.assertEqual(info["limits"], "cgroup" if "memory" in controllers else "rlimits-only",
                         (info, controllers))
        if "memory" in controllers:
            max_ = self.in_kernel_ns("cat", group + "/memory.max").stdout.strip()
            self.assertEqual(int(max_), info["memory_limit"])
        if "pids" in controllers:
            self.assertEqual(self.in_kernel_ns("cat", group + "/pids.max").stdout.strip(), "256")
        # Its usage comes from the v2 files (cpu.stat is in every v2 group).
        deadline = time.time() + 10
        while True:
            stats = json.loads(self.nestlab("--json", "vhv", "stats", "v2a").out)
            if stats["usage"] and stats["usage"]["cpu_ns"] > 0 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertGreater(stats["usage"]["cpu_ns"], 0, stats)
        # It still runs guests, and its group goes with it.
        run = self.nestlab("vm", "run", "v2a", guest("hello.elf"), "--wait")
        self.assertEqual(run.code, 0, run)
        self.assertEqual(self.nestlab("vhv", "rm", "v2a").code, 0)
        gone = self.in_kernel_ns("test", "-e", group)
        self.assertNotEqual(gone.returncode, 0, "the VHV's group is still there")
        tenant = "/sys/fs/cgroup" + cg.rsplit("/", 1)[0]
        self.assertNotEqual(self.in_kernel_ns("test", "-e", tenant).returncode, 0,
                            "the empty tenant group is still there")


if __name__ == "__main__":
    unittest.main()
