"""Userworlds as a user sees them: `nestlab vhv stats` reports the VHV's
resource group, and a VHV's processes run jailed (what /proc on the host
shows about them: no host files, no capabilities, seccomp on, only lo)."""
import json
import os
import subprocess
import unittest

from harness import BIN, KernelTestCase


def status_field(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    return None


class UserworldTest(KernelTestCase):
    # A cgroup parent of our own: kernels of other test classes running at
    # the same time also number their VHVs from vhv-1.
    @classmethod
    def setUpClass(cls):
        cls.cgroup_parent = "nestlab-test-%d-%s" % (os.getpid(), cls.__name__)
        os.environ["NESTLAB_CGROUP_PARENT"] = cls.cgroup_parent
        try:
            super().setUpClass()
        finally:
            del os.environ["NESTLAB_CGROUP_PARENT"]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        for controller in ("cpu", "cpuacct", "memory", "pids"):
            try:
                os.rmdir(os.path.join("/sys/fs/cgroup", controller, cls.cgroup_parent))
            except OSError:
                pass

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


if __name__ == "__main__":
    unittest.main()
