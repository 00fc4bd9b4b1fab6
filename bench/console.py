#!/usr/bin/env python3
"""Console benchmarks (issue 6): echo round trip, key typed -> echoed byte
seen, through `nestlab console` on a pty (CLI -> nestlabd -> highvisor ->
lowvisor PL011 -> monitor guest and back; DESIGN.md target <= 2 ms), and
bulk guest output throughput through `nestlab run`; both against the same
guest on plain `qemu-system-aarch64 -M virt -serial stdio` in the same run."""
import os
import pty
import select
import subprocess
import sys
import time

from benchlib import BIN, QEMU, SHARE, PrivateKernel, median, report, timed

KEYS = int(os.environ.get("BENCH_CONSOLE_KEYS", "200"))
BULK = 1 << 20  # flood.elf's default: plain QEMU passes no bootargs to an ELF
HELLO = os.path.join(SHARE, "guests", "hello.elf")
MONITOR = os.path.join(SHARE, "guests", "monitor.elf")
FLOOD = os.path.join(SHARE, "guests", "flood.elf")
PLAIN = [QEMU, "-M", "virt", "-cpu", "cortex-a72", "-m", "128M", "-nographic", "-nodefaults",
         "-serial", "stdio", "-kernel"]


def read_until(fd, needle, timeout=30):
    data = b""
    deadline = time.time() + timeout
    while needle not in data:
        left = deadline - time.time()
        if left <= 0:
            raise RuntimeError(f"no {needle!r} within {timeout} s; saw {data[-300:]!r}")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            data += os.read(fd, 65536)
    return data


def echo_times(master):
    """Types KEYS keys one at a time; seconds from each write to its echo."""
    read_until(master, b"monitor> ")
    times = []
    for i in range(KEYS):
        key = b"abcdefghij"[i % 10:i % 10 + 1]
        t = time.perf_counter()
        os.write(master, key)
        read_until(master, key, timeout=10)
        times.append(time.perf_counter() - t)
        if i % 50 == 49:
            os.write(master, b"\x15")  # Ctrl-U: keep the line short
            read_until(master, b"\x1b[K")
    return times


def spawn_on_pty(cmd, env=None):
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, env=env, stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True)
    os.close(slave)
    return p, master


def stop(p, master):
    if p.poll() is None:
        p.kill()
    p.wait()
    os.close(master)


def main():
    with PrivateKernel() as k:
        if k.nestlab("vhv", "create", "--name", "bench-con").returncode != 0:
            raise RuntimeError("vhv create failed")
        p, master = spawn_on_pty([os.path.join(BIN, "nestlab"), "console", "bench-con", "--run",
                                  MONITOR], env=k.env)
        try:
            ours = echo_times(master)
        finally:
            stop(p, master)
            k.nestlab("vhv", "rm", "bench-con")
        p, master = spawn_on_pty(PLAIN + [MONITOR])
        try:
            plain = echo_times(master)
        finally:
            stop(p, master)
        print(f"console-echo: {KEYS} keys each, median key -> echo")
        report("nestlab console -> VHV monitor guest", median(ours) * 1e6, "us",
               "plain QEMU -serial stdio, same guest", median(plain) * 1e6, "<= 2000 us")

        def run_ours(image):
            return median([timed([os.path.join(BIN, "nestlab"), "run", image], env=k.env,
                                 timeout=600)[0] for _ in range(3)])

        def run_plain(image):
            return median([timed(PLAIN + [image], timeout=600)[0] for _ in range(3)])

        # Whole runs of the flood guest minus whole runs of hello.elf: what
        # is left is the time the 1 MiB of output took.
        ours_s = run_ours(FLOOD) - run_ours(HELLO)
        plain_s = run_plain(FLOOD) - run_plain(HELLO)
        print(f"console-throughput: {BULK} bytes of guest output (flood.elf), hello.elf run time subtracted, medians of 3")
        report("nestlab run (guest PL011 -> kernel -> CLI)", BULK / ours_s / 1e6, "MB/s",
               "plain QEMU -serial stdio", BULK / plain_s / 1e6, None)


if __name__ == "__main__":
    sys.exit(main())
