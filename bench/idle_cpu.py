#!/usr/bin/env python3
"""Host CPU used by 10 idle guests (tests/guests/idle.cpp: a 100 Hz tick
and WFI) each in its own VHV, measured as the CPU time of their QEMU
processes over a window, against 10 plain QEMUs running the same guest.
An idle VHV guest should cost (almost) nothing: its vCPU blocks in WFI and
the lowvisor sleeps in WFI with the guest's timer armed."""
import os
import subprocess
import sys
import time

from benchlib import BIN, PrivateKernel, QEMU, SHARE, report

GUESTS = int(os.environ.get("BENCH_IDLE_GUESTS", "10"))
SECONDS = 14
WINDOW = (6.0, 12.0)  # VHV guests: after every one has booted (14 s of idling)
PLAIN_WINDOW = (2.0, 8.0)  # plain QEMU: boots at once; the guest idles 10 s then powers off
TICK = os.sysconf("SC_CLK_TCK")


def qemu_cpu_seconds(marker):
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
            if not cmd or not cmd[0].endswith(b"qemu-system-aarch64") or not any(marker in a for a in cmd):
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        except OSError:
            continue
    return total


def window_cpu_percent(marker, window):
    time.sleep(window[0])
    a = qemu_cpu_seconds(marker)
    time.sleep(window[1] - window[0])
    b = qemu_cpu_seconds(marker)
    return 100.0 * (b - a) / (window[1] - window[0])


def main():
    image = os.path.join(SHARE, "guests", "idle.elf")
    with PrivateKernel() as k:
        marker = f"idle-bench-{os.getpid()}"
        procs = [subprocess.Popen([os.path.join(BIN, "nestlab"), "run", "--name", f"{marker}-{i}", "--append", f"seconds={SECONDS}", image], env=k.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for i in range(GUESTS)]
        ours = window_cpu_percent(marker.encode(), WINDOW)
        for p in procs:
            p.wait(timeout=120)
    plain_cmd = [QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-m", "64M", "-display", "none",
                 "-nodefaults", "-kernel", image]
    procs = [subprocess.Popen(plain_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(GUESTS)]
    plain = window_cpu_percent(b"idle.elf", PLAIN_WINDOW)
    for p in procs:
        p.kill()
        p.wait()
    print(f"idle-cpu: {GUESTS} idle guests (100 Hz tick, WFI), host CPU over {WINDOW[1] - WINDOW[0]:.0f} s")
    report(f"{GUESTS} idle VHV guests", ours, "% of one host CPU",
           f"{GUESTS} plain QEMUs, same guest", plain, "near 0")


if __name__ == "__main__":
    sys.exit(main())
