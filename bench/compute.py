#!/usr/bin/env python3
"""Guest compute speed: a CPU-bound guest (bench/guests/compute.cpp, no
exits) timed by its own virtual counter, under a VHV against plain QEMU
(target: the VHV guest at >= 0.9x plain QEMU's speed)."""
import os
import re
import sys

from benchlib import PrivateKernel, QEMU, SHARE, median, report, timed

RUNS = int(os.environ.get("BENCH_COMPUTE_RUNS", "3"))
PATTERN = re.compile(r"compute_ms=(\d+)")


def ms(output):
    m = PATTERN.search(output)
    if not m:
        raise RuntimeError("compute guest printed no time: " + output[-300:])
    return float(m.group(1))


def main():
    image = os.path.join(SHARE, "bench", "compute.elf")
    plain_cmd = [QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-m", "128M",
                 "-nographic", "-nodefaults", "-serial", "stdio", "-kernel", image]
    ours, plain = [], []
    with PrivateKernel() as k:
        for _ in range(RUNS):
            p = k.nestlab("run", image)
            if p.returncode != 0:
                raise RuntimeError("compute guest failed: " + p.stderr[-300:])
            ours.append(ms(p.stdout))
            plain.append(ms(timed(plain_cmd)[1]))
    print(f"compute: {RUNS} runs each, medians; speed = 1000 / compute_ms")
    report("VHV guest compute speed", 1000.0 / median(ours), "runs/s",
           "same guest on plain QEMU", 1000.0 / median(plain), ">= 0.9x")


if __name__ == "__main__":
    sys.exit(main())
