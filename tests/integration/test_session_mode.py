"""Session mode: an ordinary user (not root) runs a guest. `nestlab run`
starts a session kernel of that user on demand, as it would on a laptop."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from harness import BIN, HELLO_TEXT, capped, guest

NOBODY = 65534
OTHER = 65533  # another unprivileged user
FALLBACK = f"/tmp/nestlab-{NOBODY}"  # the socket directory without XDG_RUNTIME_DIR


def limit_of(pid, name):
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith(name):
                return line[len(name):].split()[0]
    return None


@unittest.skipUnless(os.geteuid() == 0, "needs root to switch to an unprivileged user")
class SessionModeTest(unittest.TestCase):
    def setUp(self):
        if shutil.which("setpriv") is None:
            self.fail("setpriv (util-linux) is missing: run scripts/install-deps")
        self.home = tempfile.mkdtemp(prefix="nestlab-session-")
        os.chown(self.home, NOBODY, NOBODY)
        self.env = {"PATH": os.environ["PATH"], "HOME": self.home,
                    "XDG_RUNTIME_DIR": os.path.join(self.home, "run"),
                    "XDG_DATA_HOME": os.path.join(self.home, "data")}
        os.makedirs(self.env["XDG_RUNTIME_DIR"], mode=0o700)
        os.chown(self.env["XDG_RUNTIME_DIR"], NOBODY, NOBODY)

    def as_nobody(self, *args, timeout=90, env=None, program="nestlab"):
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
               os.path.join(BIN, program), *args]
        p = subprocess.run(cmd, env=env or self.env, capture_output=True, timeout=timeout)
        return p.returncode, capped(p.stdout).decode(errors="replace"), capped(p.stderr).decode(errors="replace")

    def tearDown(self):
        code, out, _ = self.as_nobody("kernel", "status", "--json", timeout=30)
        if code == 0:
            try:
                os.kill(int(json.loads(out)["pid"]), signal.SIGTERM)
            except (ValueError, KeyError, ProcessLookupError):
                pass
        sock = os.path.join(self.env["XDG_RUNTIME_DIR"], "nestlab", "nestlab.sock")
        deadline = time.time() + 10
        while os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.home, ignore_errors=True)

    def test_ordinary_user_runs_a_guest_in_a_session_kernel(self):
        code, out, err = self.as_nobody("run", guest("hello.elf"))
        self.assertEqual(code, 0, err)
        self.assertIn(HELLO_TEXT, out)
        code, out, err = self.as_nobody("kernel", "status", "--json")
        self.assertEqual(code, 0, err)
        status = json.loads(out)
        self.assertEqual(status["mode"], "session")
        self.assertEqual(status["uid"], NOBODY)
        self.assertTrue(os.path.exists(os.path.join(self.env["XDG_RUNTIME_DIR"], "nestlab", "nestlab.sock")))

    def test_without_a_cgroup_rlimits_bound_memory_and_tasks(self):
        # nobody may not create cgroups here: the VHV runs on rlimits only,
        # and they must be there (docs/protocols.md, "Userworld jail").
        code, out, err = self.as_nobody("--json", "vhv", "create", "--name", "rl", "--mem", "128M")
        self.assertEqual(code, 0, err)
        info = json.loads(out)
        if info["limits"] != "rlimits-only":
            self.skipTest("nobody has a delegated cgroup here: " + str(info))
        hv = info["pid"]
        with open(f"/proc/{hv}/task/{hv}/children") as f:
            pids = [hv] + [int(p) for p in f.read().split()]
        self.assertEqual(len(pids), 2, "no QEMU under the highvisor")
        for pid in pids:
            address_space = limit_of(pid, "Max address space")
            self.assertNotEqual(address_space, "unlimited", f"pid {pid} has no memory bound")
            # The VHV's RAM, its 64 MiB of lowvisor space and 4 GiB of
            # address space for QEMU's code cache, arenas and stacks.
            self.assertEqual(int(address_space), (128 << 20) + (64 << 20) + (4 << 30))
            self.assertEqual(limit_of(pid, "Max processes"), "256")
        code, _, err = self.as_nobody("vhv", "rm", "rl")
        self.assertEqual(code, 0, err)


@unittest.skipUnless(os.geteuid() == 0, "needs root to play another user")
class SocketPlaceTest(unittest.TestCase):
    """Where a client finds its kernel must be its own or root's: otherwise
    another user could stand in for nestlabd and receive its images and
    keystrokes."""

    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="nestlab-session-")
        os.chown(self.home, NOBODY, NOBODY)
        # No XDG_RUNTIME_DIR: the socket falls back to /tmp/nestlab-$UID.
        self.env = {"PATH": os.environ["PATH"], "HOME": self.home,
                    "XDG_DATA_HOME": os.path.join(self.home, "data")}
        if os.path.lexists(FALLBACK):
            self.fail(f"{FALLBACK} exists already; remove it to run this test")
        self.addCleanup(shutil.rmtree, FALLBACK, ignore_errors=True)
        self.addCleanup(shutil.rmtree, self.home, ignore_errors=True)

    def run_as_nobody(self, program, *args, env=None):
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
               os.path.join(BIN, program), *args]
        p = subprocess.run(cmd, env=env or self.env, capture_output=True, timeout=60, text=True)
        return p.returncode, p.stdout, p.stderr

    def test_a_fallback_directory_made_by_someone_else_is_refused(self):
        os.mkdir(FALLBACK)
        os.chown(FALLBACK, OTHER, OTHER)
        os.chmod(FALLBACK, 0o777)  # the other user left it open to plant a socket in
        code, out, err = self.run_as_nobody("nestlab", "run", guest("hello.elf"))
        self.assertNotEqual(code, 0, out)
        self.assertNotIn(HELLO_TEXT, out)
        self.assertIn(f"refusing the socket directory {FALLBACK}", err)
        self.assertIn(f"it belongs to uid {OTHER}", err)
        code, _, err = self.run_as_nobody("nestlabd", "--foreground")
        self.assertEqual(code, 1, err)
        self.assertIn(f"refusing the socket directory {FALLBACK}", err)
        self.assertFalse(os.path.exists(os.path.join(FALLBACK, "nestlab.sock")))

    def test_a_fallback_directory_open_to_others_is_refused(self):
        os.mkdir(FALLBACK)
        os.chown(FALLBACK, NOBODY, NOBODY)
        os.chmod(FALLBACK, 0o755)
        code, _, err = self.run_as_nobody("nestlabd", "--foreground")
        self.assertEqual(code, 1, err)
        self.assertIn("its mode is 0755, not 0700", err)
        # Made private, it is used.
        os.chmod(FALLBACK, 0o700)
        code, out, err = self.run_as_nobody("nestlab", "run", guest("hello.elf"))
        self.assertEqual(code, 0, err)
        self.assertIn(HELLO_TEXT, out)
        code, out, _ = self.run_as_nobody("nestlab", "kernel", "status", "--json")
        if code == 0:
            os.kill(int(json.loads(out)["pid"]), signal.SIGTERM)

    def test_the_cli_refuses_a_kernel_served_by_another_user(self):
        place = tempfile.mkdtemp(prefix="nestlab-impostor-")
        self.addCleanup(shutil.rmtree, place, ignore_errors=True)
        os.chmod(place, 0o755)  # root's, and only root may write in it: a fine place
        sock = os.path.join(place, "nestlab.sock")
        # Bound as root, then listening as another user: the answering
        # process (SO_PEERCRED) is that user's.
        impostor = subprocess.Popen([sys.executable, "-c", (
            "import os, socket, sys, time\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            "s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)\n"
            "os.setgroups([]); os.setresgid(%d, %d, %d); os.setresuid(%d, %d, %d)\n"
            "s.listen(8); print('listening', flush=True); time.sleep(60)\n"
            % ((OTHER,) * 6)), sock], stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (impostor.kill(), impostor.wait()))
        self.assertEqual(impostor.stdout.readline().strip(), "listening")
        env = dict(self.env, NESTLAB_SOCKET=sock)
        code, out, err = self.run_as_nobody("nestlab", "vhv", "list", env=env)
        self.assertNotEqual(code, 0, out)
        self.assertIn(f"refusing to talk to {sock}: it is served by uid {OTHER}", err)


if __name__ == "__main__":
    unittest.main()
