#!/usr/bin/env python3
"""Timer interrupt latency: the guest programs the EL1 virtual timer 20
times, 2 ms apart, sleeping in WFI, and measures deadline -> handler entry
with the virtual counter (tests/guests/timer.cpp). Under a VHV the path is
physical timer PPI -> lowvisor (WFI wake-up) -> virtual GIC list register ->
guest; the baseline is the same guest on plain QEMU (-M virt, GICv3)."""
import os
import re
import sys

from benchlib import PrivateKernel, QEMU, SHARE, median, report, timed

RUNS = int(os.environ.get("BENCH_TIMER_RUNS", "5"))
PATTERN = re.compile(r"timer latency us: min (\d+) avg (\d+) max (\d+)")


def avg_us(output):
    m = PATTERN.search(output)
    if not m:
        raise RuntimeError("timer guest printed no latency: " + output[-300:])
    return float(m.group(2))


def main():
    image = os.path.join(SHARE, "guests", "timer.elf")
    plain_cmd = [QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-m", "128M",
                 "-nographic", "-nodefaults", "-serial", "stdio", "-kernel", image]
    ours, plain = [], []
    with PrivateKernel() as k:
        for _ in range(RUNS):
            p = k.nestlab("run", image)
            if p.returncode != 0:
                raise RuntimeError("timer guest failed: " + p.stdout[-300:] + p.stderr[-300:])
            ours.append(avg_us(p.stdout))
            plain.append(avg_us(timed(plain_cmd)[1]))
    print(f"timer-latency: {RUNS} runs each, medians of the average deadline -> handler latency")
    report("VHV guest timer interrupt latency", median(ours), "us",
           "same guest on plain QEMU", median(plain))


if __name__ == "__main__":
    sys.exit(main())
