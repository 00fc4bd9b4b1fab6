#!/usr/bin/env python3
"""`nestlab run hello.elf`, whole process, sandbox included, against
`qemu-system-aarch64 -M virt -kernel hello.elf` in the same run (DESIGN.md:
target <= 1.3x cold)."""
import os
import sys

from benchlib import PrivateKernel, QEMU, SHARE, BIN, median, report, timed

RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def main():
    hello = os.path.join(SHARE, "guests", "hello.elf")
    plain_cmd = [QEMU, "-M", "virt", "-cpu", "cortex-a72", "-m", "128M", "-nographic",
                 "-nodefaults", "-serial", "stdio", "-kernel", hello]
    with PrivateKernel() as k:
        ours_cmd = [os.path.join(BIN, "nestlab"), "run", hello]
        timed(ours_cmd, env=k.env)  # warm the page cache for both
        timed(plain_cmd)
        ours, plain = [], []
        for _ in range(RUNS):  # interleaved so drift hits both alike
            ours.append(timed(ours_cmd, env=k.env)[0] * 1000)
            plain.append(timed(plain_cmd)[0] * 1000)
    print(f"run-hello: {RUNS} runs each, medians")
    report("nestlab run hello.elf", median(ours), "ms", "plain qemu -kernel hello.elf",
           median(plain), "<= 1.3x cold")


if __name__ == "__main__":
    sys.exit(main())
