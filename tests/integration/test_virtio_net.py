"""virtio-net on lab networks (issue 14): `--net NAME` gives a VM a
virtio-net device on its owner's lab network NAME, switched by nestlabd.
Two Debian Linux guests on one network ping each other and move a file with
busybox nc (the same sha256 on both sides), whether they are VMs of two VHVs
or of one VHV; a guest of another owner on the same NAME sees none of it;
bad names and the per-user bounds are clear errors before anything runs.

The guests run tests/tools/linux_inputs.py NET_INIT_SCRIPT, which takes its
role and address from the kernel command line. Every process is bounded in
time (BOOT_TIMEOUT) and every capture in size (harness.OUTPUT_CAP)."""
import base64
import grp
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time

from harness import BIN, BUILD, OUTPUT_CAP, KernelTestCase, Result, capped, guest
from test_console import Rpc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import linux_inputs  # noqa: E402

BOOT_TIMEOUT = 400  # seconds for a pair of guests to boot, talk and power off
APPEND = "console=ttyAMA0 panic=-1 quiet"
SUFFIX = str(os.getpid() % 100000)
SOCKET_GROUP = "nlnsock" + SUFFIX
OTHER_USER = "nlnet" + SUFFIX
FILE_BYTES = 256 * 1024


def run_tool(*argv):
    subprocess.run(argv, check=True, timeout=30, capture_output=True)


def init_lines(text):
    return [line.strip() for line in text.replace("\r", "").split("\n")
            if line.strip().startswith("init: ")]


def line_with(lines, prefix):
    found = [l for l in lines if l.startswith(prefix)]
    return found[0] if found else None


class VirtioNetTest(KernelTestCase):
    """A system-mode kernel whose socket a second user (made here) shares,
    with small network bounds so that reaching them is quick."""

    @classmethod
    def setUpClass(cls):
        # Another owner is the point of the isolation test: a machine where
        # the suite cannot make one fails here, naming why (never a skip).
        if os.geteuid() != 0 or not all(shutil.which(t) for t in ("useradd", "groupadd")):
            raise RuntimeError("test_virtio_net needs root and useradd/groupadd to make a "
                               "second user for the isolation test")
        cls.image, cls.initrd = linux_inputs.prepare(BUILD,
                                                     linux_inputs.NET_INIT_SCRIPT, "initrd-net")
        run_tool("groupadd", SOCKET_GROUP)
        try:
            run_tool("useradd", "-M", "-N", "-g", SOCKET_GROUP, "-s", "/usr/sbin/nologin",
                     OTHER_USER)
        except Exception:
            subprocess.run(["groupdel", SOCKET_GROUP], timeout=30, capture_output=True)
            raise
        os.environ["NESTLAB_SOCKET_GROUP"] = SOCKET_GROUP
        try:
            super().setUpClass()
        except Exception:
            cls.remove_user()
            raise
        finally:
            del os.environ["NESTLAB_SOCKET_GROUP"]

    @classmethod
    def kernel_command(cls):
        return [os.path.join(BIN, "nestlabd"), "--foreground", "--limit", "networks=2",
                "--limit", "net-ports=2"]

    @classmethod
    def remove_user(cls):
        subprocess.run(["userdel", OTHER_USER], timeout=30, capture_output=True)
        subprocess.run(["groupdel", SOCKET_GROUP], timeout=30, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.remove_user()

    def linux_args(self, role, ip, **extra):
        append = f"{APPEND} nestlab.role={role} nestlab.ip={ip}"
        for k, v in extra.items():
            append += f" nestlab.{k}={v}"
        return ["--initrd", self.initrd, "--append", append, self.image]

    def start_run(self, net, role, ip, user=None, **extra):
        argv = [os.path.join(BIN, "nestlab"), "run", "--mem", "256M", "--net", net,
                *self.linux_args(role, ip, **extra)]
        kw = {}
        env = dict(self.env)
        if user:
            pw = pwd.getpwnam(user)
            env.update(HOME=self.tmp, USER=user, LOGNAME=user)
            env.pop("XDG_RUNTIME_DIR", None)
            kw = dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], cwd=self.tmp)
        return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, **kw)

    def finish(self, p, timeout=BOOT_TIMEOUT):
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        return Result(p.returncode, capped(out).decode(errors="replace"),
                      capped(err).decode(errors="replace"))

    def as_other(self, *args, timeout=90):
        pw = pwd.getpwnam(OTHER_USER)
        env = dict(self.env, HOME=self.tmp, USER=OTHER_USER, LOGNAME=OTHER_USER)
        env.pop("XDG_RUNTIME_DIR", None)
        p = subprocess.run([os.path.join(BIN, "nestlab"), *args], env=env, timeout=timeout,
                           capture_output=True, user=pw.pw_uid, group=pw.pw_gid, extra_groups=[],
                           cwd=self.tmp)
        return Result(p.returncode, capped(p.stdout).decode(errors="replace"),
                      capped(p.stderr).decode(errors="replace"))

    def assertFileMoved(self, server, client):
        s, c = init_lines(server.out), init_lines(client.out)
        self.assertIn("init: ping 3 of 3 answered", c, client)
        sent = line_with(c, "init: sending ")
        got = line_with(s, "init: received ")
        self.assertIsNotNone(sent, client)
        self.assertIsNotNone(got, server)
        sha = re.search(r"sha256 ([0-9a-f]{64})", sent).group(1)
        self.assertEqual(got, f"init: received {FILE_BYTES} bytes sha256 {sha}", server)
        self.assertIn(f"init: sending {FILE_BYTES} bytes sha256 {sha}", c)
        self.assertEqual(s[-1], "init: done", server)
        self.assertEqual(c[-1], "init: done", client)

    def test_two_vhvs_ping_and_move_a_file_and_another_owner_sees_nothing(self):
        # The other owner's guest on the same name first, pinging the
        # server's address the whole time the two others talk.
        probe = self.start_run("lab0", "probe", "10.0.0.3/24", user=OTHER_USER,
                               peer="10.0.0.1", count=25)
        server = self.start_run("lab0", "server", "10.0.0.1/24")
        time.sleep(1)
        client = self.start_run("lab0", "client", "10.0.0.2/24", peer="10.0.0.1",
                                bytes=FILE_BYTES)
        client_r, server_r, probe_r = self.finish(client), self.finish(server), self.finish(probe)
        self.assertEqual(client_r.code, 0, client_r)
        self.assertEqual(server_r.code, 0, server_r)
        self.assertFileMoved(server_r, client_r)
        # Each MAC is locally administered unicast, and they differ.
        macs = [re.search(r"mac ([0-9a-f:]{17})", line_with(init_lines(r.out), "init: eth0")).group(1)
                for r in (server_r, client_r, probe_r)]
        for mac in macs:
            self.assertEqual(int(mac[:2], 16) & 3, 2, mac)
        self.assertEqual(len(set(macs)), 3, macs)
        p = init_lines(probe_r.out)
        self.assertEqual(probe_r.code, 0, probe_r)
        self.assertIn("init: ping 0 answered", p, probe_r)
        self.assertIn("init: eth0 received 0 packets", p, probe_r)
        self.assertKernelAlive()

    def console_of(self, vhv, vm, until, timeout=BOOT_TIMEOUT):
        rpc = Rpc(self.env["NESTLAB_SOCKET"])
        self.addCleanup(rpc.close)
        self.assertIn("result", rpc.call("console.subscribe", {"vhv": vhv, "vm": vm}))
        text = ""
        deadline = time.time() + timeout
        while until not in text and time.time() < deadline and len(text) < OUTPUT_CAP:
            n = rpc.notification("console", timeout=deadline - time.time())
            if n is None:
                break
            text += base64.b64decode(n["params"]["data"]).decode(errors="replace")
        return text

    def test_two_vms_of_one_vhv_share_a_network_and_list_their_macs(self):
        name = f"vnet1-{os.getpid()}"
        r = self.nestlab("vhv", "create", "--name", name, "--mem", "640M", "--smp", "2")
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", name)
        r = self.nestlab("--json", "vm", "run", name, "--mem", "256M", "--net", "lab1",
                         *self.linux_args("server", "10.0.1.1/24"))
        self.assertEqual(r.code, 0, r)
        server_vm = json.loads(r.out)
        self.assertEqual(server_vm["net"], "lab1")
        r = self.nestlab("--json", "vm", "run", name, "--mem", "256M", "--net", "lab1",
                         *self.linux_args("client", "10.0.1.2/24", peer="10.0.1.1",
                                          bytes=FILE_BYTES))
        self.assertEqual(r.code, 0, r)
        client_vm = json.loads(r.out)
        # vm list shows each VM's network and its MAC, the one the guest has.
        r = self.nestlab("vm", "list", name)
        self.assertEqual(r.code, 0, r)
        self.assertIn("NET", r.out)
        self.assertIn(server_vm["mac"], r.out)
        self.assertIn(client_vm["mac"], r.out)
        server = self.console_of(name, server_vm["vm"], "init: done")
        client = self.console_of(name, client_vm["vm"], "init: done")
        self.assertIn(f"mac {server_vm['mac']}", server)
        self.assertFileMoved(Result(0, server, ""), Result(0, client, ""))
        self.assertKernelAlive()

    def test_bad_names_are_refused_before_anything_runs(self):
        for bad in ("", "has space", "a/b", "x" * 33, "lab0;rm"):
            r = self.nestlab("run", "--net", bad, guest("hello.elf"))
            self.assertEqual(r.code, 2, r)  # a usage error
            self.assertIn("1 to 32 characters of A-Z a-z 0-9 . _ -", r.err, r)
            self.assertNotIn("Hello", r.out)
        r = self.nestlab("run", "--net", "a", "--net", "b", guest("hello.elf"))
        self.assertEqual(r.code, 2, r)
        self.assertIn("one network device", r.err)
        r = self.nestlab("vm", "run", "novhv", "--net", "no good", guest("hello.elf"))
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("1 to 32 characters", r.err)
        # A guest without a driver for it still runs beside its device.
        r = self.nestlab("run", "--net", "lab-ok.1_A", guest("hello.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("Hello from a nestlab guest!", r.out)

    def test_the_shipped_initrd_brings_eth0_up_with_the_address_it_is_given(self):
        from harness import SHARE
        image = os.path.join(SHARE, "linux", "Image")
        initrd = os.path.join(SHARE, "linux", "initrd")
        r = self.nestlab("run", "--mem", "256M", "--net", "lab-shipped", "--initrd", initrd,
                         "--append", f"{APPEND} nestlab.ip=10.0.7.1/24", image,
                         timeout=BOOT_TIMEOUT)
        self.assertEqual(r.code, 0, r)
        lines = init_lines(r.out)
        # Linux finds the NIC on transport 30 (virtio0), the rng on 31.
        self.assertIn("init: virtio0 device 0x0001", lines, r)
        self.assertIn("init: virtio1 device 0x0004", lines, r)
        eth0 = line_with(lines, "init: eth0 up, address 10.0.7.1/24, mac ")
        self.assertIsNotNone(eth0, r)
        self.assertEqual(lines[-1], "init: done", r)

    def test_the_bounds_are_clear_errors_and_ports_go_with_their_vms(self):
        name = f"vnet2-{os.getpid()}"
        r = self.nestlab("vhv", "create", "--name", name, "--mem", "256M")
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", name)

        def idle(net, *extra):
            return self.nestlab("--json", "vm", "run", name, "--mem", "32M", "--net", net,
                                *extra, "--append", "seconds=120", guest("idle.elf"))

        first = idle("bound-a")
        self.assertEqual(first.code, 0, first)
        self.assertEqual(idle("bound-a").code, 0)  # two ports: net-ports=2
        r = idle("bound-a")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn('the per-user bound "net-ports" (2) is reached', r.err, r)
        self.assertEqual(idle("bound-b").code, 0)  # a second network: networks=2
        r = idle("bound-c")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn('the per-user bound "networks" (2) is reached', r.err, r)
        # The other owner's bounds are its own.
        r = self.as_other("vhv", "create", "--name", name + "-b", "--mem", "64M")
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", name + "-b")
        r = self.as_other("--json", "vm", "run", name + "-b", "--mem", "32M", "--net", "bound-c",
                          "--append", "seconds=1", guest("idle.elf"))
        self.assertEqual(r.code, 0, r)
        # Stopping a VM gives its port back: bound-a takes another.
        vm = json.loads(first.out)["vm"]
        r = self.nestlab("vm", "stop", name, "--vm", str(vm))
        self.assertEqual(r.code, 0, r)
        r = idle("bound-a")
        self.assertEqual(r.code, 0, r)
        # kill -9 of the VHV gives back every port it held: a new VHV gets
        # both of bound-a's, and the kernel lives on.
        r = self.nestlab("--json", "vhv", "inspect", name)
        self.assertEqual(r.code, 0, r)
        os.kill(json.loads(r.out)["pid"], signal.SIGKILL)
        deadline = time.time() + 30
        while time.time() < deadline:
            r = self.nestlab("--json", "vhv", "inspect", name)
            if json.loads(r.out)["state"] not in ("running", "ready"):
                break
            time.sleep(0.2)
        self.assertNotIn(json.loads(r.out)["state"], ("running", "ready"), r)
        again = name + "-c"
        r = self.nestlab("vhv", "create", "--name", again, "--mem", "128M")
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", again)
        for _ in range(2):
            r = self.nestlab("vm", "run", again, "--mem", "32M", "--net", "bound-a",
                             "--append", "seconds=5", guest("idle.elf"))
            self.assertEqual(r.code, 0, r)
        self.assertKernelAlive()


if __name__ == "__main__":
    import unittest
    unittest.main()
