"""Shared pieces of the benchmarks: where the build is, a private kernel,
medians, and printing a figure next to its baseline from the same run."""
import os
import signal
import statistics
import subprocess
import tempfile
import time

BUILD = os.environ.get("NESTLAB_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../build"))
BIN = os.path.join(BUILD, "bin")
SHARE = os.path.join(BUILD, "share", "nestlab")
QEMU = "qemu-system-aarch64"


def median(xs):
    return statistics.median(xs)


def report(name, value, unit, baseline_name, baseline, target=None):
    ratio = value / baseline if baseline else float("nan")
    line = f"{name}: {value:.3f} {unit}  |  {baseline_name}: {baseline:.3f} {unit}  |  ratio {ratio:.2f}x"
    if target:
        line += f"  (target {target})"
    print(line, flush=True)
    return ratio


class PrivateKernel:
    """A nestlabd with its own socket, for the duration of a benchmark."""

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="nestlab-bench-")
        self.env = dict(os.environ, NESTLAB_SOCKET=os.path.join(self.tmp, "sock"),
                        NESTLAB_STATE_DIR=os.path.join(self.tmp, "state"))
        self.proc = subprocess.Popen([os.path.join(BIN, "nestlabd"), "--foreground"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(self.env["NESTLAB_SOCKET"]):
            if time.time() > deadline:
                raise RuntimeError("nestlabd did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def nestlab(self, *args, timeout=120):
        return subprocess.run([os.path.join(BIN, "nestlab"), *args], env=self.env, timeout=timeout,
                              capture_output=True, text=True)


def timed(cmd, env=None, timeout=120):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, timeout=timeout, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({p.returncode}): {p.stderr[-500:]}")
    return elapsed, p.stdout
