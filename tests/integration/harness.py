"""Test harness: a private nestlabd per test class, the CLI run as a user would.

Every process started here is bounded in time, and every capture in size, so a
runaway guest can neither hang the suite nor fill the disk.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

BUILD = os.environ.get("NESTLAB_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
BIN = os.path.join(BUILD, "bin")
SHARE = os.path.join(BUILD, "share", "nestlab")
GUESTS = os.path.join(SHARE, "guests")
OUTPUT_CAP = 1 << 20  # bytes kept of any process's output
QEMU = shutil.which("qemu-system-aarch64")
HELLO_TEXT = "Hello from a nestlab guest!"


def guest(name):
    return os.path.join(GUESTS, name)


def capped(data):
    return data[:OUTPUT_CAP] if data else data


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def __repr__(self):
        return f"exit {self.code}\n--- stdout ---\n{self.out[-3000:]}\n--- stderr ---\n{self.err[-3000:]}"


class KernelTestCase(unittest.TestCase):
    """Starts one nestlabd for the class with a private socket and state dir."""

    kernel = None

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(os.path.join(SHARE, "lowvisor.elf")):
            raise RuntimeError(f"no lowvisor image in {SHARE}: build nestlab first")
        cls.tmp = tempfile.mkdtemp(prefix="nestlab-test-")
        os.chmod(cls.tmp, 0o755)
        cls.env = dict(os.environ)
        cls.env["NESTLAB_SOCKET"] = os.path.join(cls.tmp, "nestlab.sock")
        cls.env["NESTLAB_STATE_DIR"] = os.path.join(cls.tmp, "state")
        # A cgroup subtree of its own: test classes run in parallel, and two
        # kernels sharing "nestlab/vhv-1" would remove each other's groups.
        cls.cgroup_parent = (os.environ.get("NESTLAB_CGROUP_PARENT")
                             or f"nestlab-test-{os.getpid()}-{cls.__name__}")
        cls.env["NESTLAB_CGROUP_PARENT"] = cls.cgroup_parent
        cls.kernel_log = open(os.path.join(cls.tmp, "nestlabd.log"), "wb")
        cls.kernel = subprocess.Popen(cls.kernel_command(), env=cls.env,
                                      stdout=cls.kernel_log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(cls.env["NESTLAB_SOCKET"]):
            if cls.kernel.poll() is not None or time.time() > deadline:
                raise RuntimeError("nestlabd did not start: " + cls.kernel_log_text())
            time.sleep(0.02)

    @classmethod
    def kernel_command(cls):
        """How the class starts its nestlabd (a subclass may wrap it)."""
        return [os.path.join(BIN, "nestlabd"), "--foreground"]

    @classmethod
    def kernel_log_text(cls):
        with open(os.path.join(cls.tmp, "nestlabd.log"), "rb") as f:
            return f.read()[-4000:].decode(errors="replace")

    @classmethod
    def tearDownClass(cls):
        if cls.kernel is not None:
            cls.kernel.send_signal(signal.SIGTERM)
            try:
                cls.kernel.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.kernel.kill()
                cls.kernel.wait()
            cls.kernel_log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        # The kernel removes its VHVs' groups; their empty parent is ours.
        for controller in ("cpu", "cpuacct", "memory", "pids", "cpuset", "unified", ""):
            try:
                os.rmdir(os.path.join("/sys/fs/cgroup", controller, cls.cgroup_parent))
            except OSError:
                pass

    def assertKernelAlive(self):
        self.assertIsNone(self.kernel.poll(), "nestlabd died:\n" + self.kernel_log_text())

    def nestlab(self, *args, timeout=90, input=None):
        """Runs the CLI to completion and returns a Result."""
        p = subprocess.run([os.path.join(BIN, "nestlab"), *args], env=self.env, timeout=timeout,
                           capture_output=True, input=input)
        return Result(p.returncode, capped(p.stdout).decode(errors="replace"),
                      capped(p.stderr).decode(errors="replace"))

    def start_nestlab(self, *args):
        return subprocess.Popen([os.path.join(BIN, "nestlab"), *args], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def read_until(stream, needle, timeout):
    """Reads a pipe until `needle` appears or the time runs out (bounded)."""
    import select
    data = b""
    deadline = time.time() + timeout
    while needle not in data and len(data) < OUTPUT_CAP:
        left = deadline - time.time()
        if left <= 0:
            break
        r, _, _ = select.select([stream], [], [], left)
        if not r:
            break
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        data += chunk
    return data


def run_plain_qemu(image, append=None, timeout=30):
    """The differential baseline: the same image on plain QEMU -M virt."""
    args = [QEMU, "-M", "virt", "-cpu", "cortex-a72", "-m", "128M", "-nographic", "-nodefaults",
            "-serial", "stdio", "-kernel", image]
    if append is not None:
        args += ["-append", append]
    p = subprocess.run(args, timeout=timeout, capture_output=True, stdin=subprocess.DEVNULL)
    return Result(p.returncode, capped(p.stdout).decode(errors="replace"),
                  capped(p.stderr).decode(errors="replace"))
