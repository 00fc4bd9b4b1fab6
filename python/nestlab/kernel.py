"""A private nestlabd: its own socket, state directory and cgroup subtree.

    with PrivateKernel() as k:
        with k.client() as c:
            ...

The build tree is $NESTLAB_BUILD_DIR, else the checkout's build/ (the package
lives in <checkout>/python/nestlab).
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time

from .client import Client
from .errors import NestlabError

CHECKOUT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOG_TAIL = 4000  # bytes of the kernel's log quoted in an error


def build_dir():
    return os.environ.get("NESTLAB_BUILD_DIR") or os.path.join(CHECKOUT, "build")


def share_dir(build=None):
    return os.path.join(build or build_dir(), "share", "nestlab")


def guest_path(name, build=None):
    """The path of one of nestlab's test guests (build/share/nestlab/guests)."""
    return os.path.join(share_dir(build), "guests", name)


class PrivateKernel:
    """Starts `nestlabd --foreground` with a private socket and state dir and
    stops it (SIGTERM, then SIGKILL after `stop_timeout` s) on stop()."""

    def __init__(self, build=None, *, name="nestlab", extra_env=None, command=None,
                 start_timeout=10.0, stop_timeout=10.0, cgroup_parent=None):
        self.build = build or build_dir()
        self.bin = os.path.join(self.build, "bin")
        self.share = share_dir(self.build)
        self.name = name
        self.extra_env = dict(extra_env or {})
        self.command = command or [os.path.join(self.bin, "nestlabd"), "--foreground"]
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.cgroup_parent = cgroup_parent
        self.proc = None
        self.tmp = None
        self.env = None
        self.log_file = None

    @property
    def socket(self):
        return self.env["NESTLAB_SOCKET"]

    def start(self):
        if not os.path.exists(os.path.join(self.share, "lowvisor.elf")):
            raise NestlabError(f"no lowvisor image in {self.share}: build nestlab first "
                               "(or set NESTLAB_BUILD_DIR)")
        self.tmp = tempfile.mkdtemp(prefix=f"{self.name}-")
        os.chmod(self.tmp, 0o755)
        env = dict(os.environ)
        env["NESTLAB_SOCKET"] = os.path.join(self.tmp, "nestlab.sock")
        env["NESTLAB_STATE_DIR"] = os.path.join(self.tmp, "state")
        # A cgroup subtree of its own: kernels running side by side would
        # otherwise share "nestlab/vhv-1" and remove each other's groups.
        self.cgroup_parent = (self.cgroup_parent or os.environ.get("NESTLAB_CGROUP_PARENT")
                              or f"{self.name}-{os.getpid()}-{id(self):x}")
        env["NESTLAB_CGROUP_PARENT"] = self.cgroup_parent
        env.update(self.extra_env)
        self.env = env
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command, env=env, stdout=self.log_file,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                text = self.log_text()
                self.stop()
                raise NestlabError("nestlabd did not start: " + text)
            time.sleep(0.02)
        return self

    @property
    def log_path(self):
        return os.path.join(self.tmp, "nestlabd.log")

    def log_text(self, limit=LOG_TAIL):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-limit:].decode(errors="replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def client(self, **kwargs):
        """A new connection to this kernel."""
        return Client(self.socket, **kwargs)

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc = None
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if self.cgroup_parent:
            # The kernel removes its VHVs' groups; their empty parent is ours.
            for controller in ("cpu", "cpuacct", "memory", "pids", "cpuset", "unified", ""):
                try:
                    os.rmdir(os.path.join("/sys/fs/cgroup", controller, self.cgroup_parent))
                except OSError:
                    pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
