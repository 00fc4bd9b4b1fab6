"""Session mode: an ordinary user (not root) runs a guest. `nestlab run`
starts a session kernel of that user on demand, as it would on a laptop."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import BIN, HELLO_TEXT, capped, guest

NOBODY = 65534


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

    def as_nobody(self, *args, timeout=90):
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
               os.path.join(BIN, "nestlab"), *args]
        p = subprocess.run(cmd, env=self.env, capture_output=True, timeout=timeout)
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


if __name__ == "__main__":
    unittest.main()
