#!/usr/bin/env python3
"""Linux boot: Debian's arm64 cloud kernel with the busybox initramfs of
tests/tools/linux_inputs.py, from start to the first line /init prints,
under `nestlab run --initrd` against plain `qemu-system-aarch64 -kernel
-initrd` in the same run (DESIGN.md: target <= 1.2x). Inputs come from
scripts/install-deps (apt only)."""
import os
import select
import subprocess
import sys
import time

from benchlib import BIN, BUILD, QEMU, PrivateKernel, median, report

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import linux_inputs  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TIMEOUT = 300  # seconds per boot, TCG emulation
APPEND = "console=ttyAMA0 panic=-1 quiet"


def time_to_first_line(cmd, env=None):
    """Seconds from starting `cmd` until /init's first line appears on its
    stdout; the process is then left to power off (bounded by TIMEOUT)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    seen = b""
    needle = linux_inputs.FIRST_LINE.encode()
    elapsed = None
    try:
        deadline = start + TIMEOUT
        while elapsed is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RuntimeError(f"{cmd[0]}: no '{linux_inputs.FIRST_LINE}' in {TIMEOUT} s")
            r, _, _ = select.select([p.stdout], [], [], left)
            chunk = os.read(p.stdout.fileno(), 65536) if r else b""
            if r and not chunk:
                raise RuntimeError(f"{cmd[0]} ended before /init printed: {seen[-500:]!r}")
            seen = (seen + chunk)[-8192:]
            if needle in seen:
                elapsed = time.perf_counter() - start
        p.stdout.close()  # the rest of its output is not needed
        p.wait(timeout=TIMEOUT)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return elapsed


def main():
    image, initrd = linux_inputs.prepare(BUILD)
    plain_cmd = [QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-smp", "2", "-m", "512",
                 "-nographic", "-nic", "none", "-no-reboot", "-kernel", image, "-initrd", initrd,
                 "-append", APPEND]
    with PrivateKernel() as k:
        ours_cmd = [os.path.join(BIN, "nestlab"), "run", "--smp", "2", "--mem", "512M",
                    "--initrd", initrd, "--append", APPEND, image]
        ours, plain = [], []
        for _ in range(RUNS):  # interleaved so drift hits both alike
            ours.append(time_to_first_line(ours_cmd, env=k.env))
            plain.append(time_to_first_line(plain_cmd))
    print(f"linux-boot: {RUNS} runs each, medians, start to '{linux_inputs.FIRST_LINE}'")
    report("nestlab run --initrd Image", median(ours), "s", "plain qemu -kernel Image -initrd",
           median(plain), "<= 1.2x")


if __name__ == "__main__":
    sys.exit(main())
