#!/usr/bin/env python3
"""Linux boot: Debian's arm64 cloud kernel with a busybox initramfs (the
kernel and busybox of tests/tools/linux_inputs.py), under `nestlab run
--initrd` against plain `qemu-system-aarch64 -kernel -initrd` in the same
run. Two figures: kernel start to the first line of /init, read from the
guest's own clock (/proc/uptime, which counts from the start of the VM's
virtual counter in both; DESIGN.md: target <= 1.2x), and the whole command
from its start to that line (the VHV, its jail, QEMU and the image staging
included). Inputs come from scripts/install-deps (apt only)."""
import os
import re
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
UPTIME_LINE = "init: uptime "
# The first line, then the guest's clock, then off: nothing else runs.
INIT_SCRIPT = f"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc
/bin/busybox mount -t proc proc /proc
/bin/busybox echo "{linux_inputs.FIRST_LINE}"
/bin/busybox echo "{UPTIME_LINE}$(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox poweroff -f
"""


def time_to_first_line(cmd, env=None):
    """(Seconds from starting `cmd` until /init's first line appears on its
    stdout, the guest's uptime when /init read it); the process is then
    left to power off (bounded by TIMEOUT)."""
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
            if needle in seen and elapsed is None:
                elapsed = time.perf_counter() - start
        uptime = None
        while uptime is None and time.perf_counter() < deadline:
            r, _, _ = select.select([p.stdout], [], [], max(0.0, deadline - time.perf_counter()))
            chunk = os.read(p.stdout.fileno(), 65536) if r else b""
            if r and not chunk:
                break
            seen = (seen + chunk)[-8192:]
            m = re.search(UPTIME_LINE.encode() + rb"([0-9.]+)\r?\n", seen)
            if m:
                uptime = float(m.group(1))
        if uptime is None:
            raise RuntimeError(f"{cmd[0]}: no '{UPTIME_LINE}' line: {seen[-500:]!r}")
        p.stdout.close()  # the rest of its output is not needed
        p.wait(timeout=TIMEOUT)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return elapsed, uptime


def main():
    image, initrd = linux_inputs.prepare(BUILD, init_script=INIT_SCRIPT,
                                         initrd_name="initrd-boot-bench")
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
    print(f"linux-boot: {RUNS} runs each, medians, to '{linux_inputs.FIRST_LINE}'")
    report("kernel start to /init, guest clock: nestlab run --smp 2 --initrd Image",
           median([u for _, u in ours]), "s", "plain qemu -smp 2 -kernel Image -initrd",
           median([u for _, u in plain]), "<= 1.2x")
    report("whole command to /init, host clock: nestlab run", median([w for w, _ in ours]), "s",
           "plain qemu", median([w for w, _ in plain]))


if __name__ == "__main__":
    sys.exit(main())
