"""Test harness: a private nestlabd per test class, the CLI run as a user would.

The kernel is started and stopped by the Python package's PrivateKernel
(python/nestlab, docs/python.md), the one users' suites get.

Every process started here is bounded in time, and every capture in size, so a
runaway guest can neither hang the suite nor fill the disk.
"""
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from nestlab import NestlabError, PrivateKernel  # noqa: E402

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

    kernel = None  # the nestlabd process (a subclass may start another: test_restart)
    private = None  # the nestlab.PrivateKernel behind it

    @classmethod
    def setUpClass(cls):
        # A cgroup subtree of its own: test classes run in parallel, and two
        # kernels sharing "nestlab/vhv-1" would remove each other's groups.
        cgroup_parent = (os.environ.get("NESTLAB_CGROUP_PARENT")
                         or f"nestlab-test-{os.getpid()}-{cls.__name__}")
        cls.private = PrivateKernel(BUILD, name="nestlab-test", command=cls.kernel_command(),
                                    cgroup_parent=cgroup_parent)
        try:
            cls.private.start()
        except NestlabError as e:
            raise RuntimeError(str(e)) from None
        cls.tmp, cls.env = cls.private.tmp, cls.private.env
        cls.cgroup_parent = cgroup_parent
        cls.kernel, cls.kernel_log = cls.private.proc, cls.private.log_file

    @classmethod
    def kernel_command(cls):
        """How the class starts its nestlabd (a subclass may wrap it)."""
        return [os.path.join(BIN, "nestlabd"), "--foreground"]

    @classmethod
    def kernel_log_text(cls):
        return cls.private.log_text()

    @classmethod
    def tearDownClass(cls):
        if cls.private is not None:
            cls.private.proc = cls.kernel  # the one running now
            cls.private.stop()

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
