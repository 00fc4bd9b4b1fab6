#!/usr/bin/env python3
"""Trap round trip: a guest loop of HVCs under a VHV (full dispatch, PSCI
VERSION, counting) against the same loop run at EL1 on plain QEMU with a
minimal EL2 handler that only ERETs (DESIGN.md: target <= 1.5 us)."""
import os
import re
import sys

from benchlib import PrivateKernel, QEMU, SHARE, median, report, timed

RUNS = int(os.environ.get("BENCH_TRAP_RUNS", "5"))
PATTERN = re.compile(r"ns_per_iter=([0-9.]+)")


def ns_per_iter(output):
    m = PATTERN.search(output)
    if not m:
        raise RuntimeError("benchmark guest printed no ns_per_iter: " + output[-300:])
    return float(m.group(1))


def main():
    loop = os.path.join(SHARE, "bench", "hvc-loop.elf")
    bare = os.path.join(SHARE, "bench", "hvc-bare.elf")
    bare_cmd = [QEMU, "-M", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a72", "-m",
                "128M", "-nographic", "-nodefaults", "-serial", "stdio", "-kernel", bare]
    ours, plain = [], []
    with PrivateKernel() as k:
        for _ in range(RUNS):
            p = k.nestlab("run", loop)
            if p.returncode != 0:
                raise RuntimeError("hvc-loop failed: " + p.stderr[-500:])
            ours.append(ns_per_iter(p.stdout))
            plain.append(ns_per_iter(timed(bare_cmd)[1]))
    print(f"trap-roundtrip: {RUNS} runs each, medians of ns per HVC round trip")
    report("VHV guest HVC -> lowvisor dispatch -> guest", median(ours), "ns",
           "bare HVC/ERET on plain QEMU", median(plain), "<= 1500 ns")


if __name__ == "__main__":
    sys.exit(main())
