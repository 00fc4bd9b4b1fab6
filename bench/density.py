#!/usr/bin/env python3
"""Density: N idle VHVs (jailed, each booted to its lowvisor's Ready with no
guest), actual memory per VHV (PSS of the highvisor and its QEMU, from
/proc/PID/smaps_rollup, so shared library pages count once overall) and in
total, against N plain `qemu-system-aarch64 -M virt` processes started the
same way (same machine, CPU and RAM size, the lowvisor as -kernel, no
highvisor). Target in DESIGN.md: >= 200 VHVs at <= 32 MiB each.

  bench/density.py [N ...]     (default: 25 50)"""
import json
import os
import subprocess
import sys
import time

from benchlib import PrivateKernel, QEMU, SHARE, report


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def vhv_density(n):
    with PrivateKernel() as k:
        ids = []
        try:
            for i in range(n):
                r = k.nestlab("--json", "vhv", "create", "--name", f"dense{i}", "--mem", "128M")
                if r.returncode != 0:
                    raise RuntimeError(f"VHV {i} did not start: {r.stderr[-300:]}")
                ids.append(f"dense{i}")
            time.sleep(2)  # let every QEMU settle after boot
            listing = json.loads(k.nestlab("--json", "vhv", "list").stdout)
            total = 0
            for info in listing:
                total += pss_kib(info["pid"]) + sum(pss_kib(c) for c in children(info["pid"]))
            return total / 1024.0
        finally:
            if ids:
                k.nestlab("vhv", "rm", *ids, timeout=300)


def plain_density(n):
    procs = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen(
                [QEMU, "-M", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a72", "-m",
                 "320M", "-nodefaults", "-no-user-config", "-display", "none",
                 "-kernel", os.path.join(SHARE, "lowvisor.elf")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(2)
        return sum(pss_kib(p.pid) for p in procs) / 1024.0
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def main():
    counts = [int(a) for a in sys.argv[1:]] or [25, 50]
    for n in counts:
        vhv_total = vhv_density(n)
        plain_total = plain_density(n)
        report(f"{n} idle VHVs, actual memory per VHV (PSS)", vhv_total / n, "MiB",
               f"{n} plain QEMUs, per QEMU", plain_total / n, "<= 32 MiB")
        print(f"  total: {vhv_total:.0f} MiB for {n} VHVs, {plain_total:.0f} MiB for {n} QEMUs",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
