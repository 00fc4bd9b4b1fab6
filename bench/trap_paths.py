#!/usr/bin/env python3
"""Round trip of each trap path of the lowvisor (issue 4) -- HVC, the BRK
backdoor, the DCC channel, the WFE channel, the first-execution fault -- with
full dispatch and tracing on, against the bare HVC/ERET loop on plain QEMU in
the same run (DESIGN.md: target <= 1.5 us per trap)."""
import os
import re
import sys

from benchlib import PrivateKernel, QEMU, SHARE, median, report, timed

RUNS = int(os.environ.get("BENCH_TRAP_RUNS", "3"))
ITERATIONS = int(os.environ.get("BENCH_TRAP_ITERATIONS", "100000"))
LINE = re.compile(r"path=([a-z-]+) iterations=\d+ ns_per_iter=([0-9.]+)")
BARE = re.compile(r"ns_per_iter=([0-9.]+)")


def main():
    paths = os.path.join(SHARE, "bench", "trap-paths.elf")
    bare = os.path.join(SHARE, "bench", "hvc-bare.elf")
    bare_cmd = [QEMU, "-M", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a72", "-m",
                "128M", "-nographic", "-nodefaults", "-serial", "stdio", "-kernel", bare]
    ours, plain = {}, []
    with PrivateKernel() as k:
        for _ in range(RUNS):
            p = k.nestlab("run", "--append", f"iterations={ITERATIONS}", paths)
            if p.returncode != 0:
                raise RuntimeError("trap-paths failed: " + p.stderr[-500:])
            for name, ns in LINE.findall(p.stdout):
                ours.setdefault(name, []).append(float(ns))
            m = BARE.search(timed(bare_cmd)[1])
            if not m:
                raise RuntimeError("hvc-bare printed no figure")
            plain.append(float(m.group(1)))
    base = median(plain)
    print(f"trap-paths: {RUNS} runs, {ITERATIONS} iterations per path, medians in ns")
    for name in ("hvc", "brk-backdoor", "dcc", "wfe-channel"):
        report(f"{name} round trip", median(ours[name]), "ns", "bare HVC/ERET on plain QEMU",
               base, "<= 1500 ns")
    # Two exits per round: the write that takes execute away, then the fetch.
    report("first-exec fault (write + fetch, 2 exits)", median(ours["first-exec"]), "ns",
           "bare HVC/ERET on plain QEMU", base, "<= 3000 ns (2 traps)")


if __name__ == "__main__":
    sys.exit(main())
