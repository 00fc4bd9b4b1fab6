#!/usr/bin/env python3
"""Network throughput: TCP MB/s between two Linux guests (Debian's arm64
cloud kernel, busybox /init: tests/tools/linux_inputs.py NET_INIT_SCRIPT)
on one lab network, `nestlab run --net` (two VHVs, the switch in nestlabd),
against two plain qemu-system-aarch64 -M virt,gic-version=3 processes
joined by `-netdev socket,listen=/connect=` with their own
`-device virtio-net-device`, same kernel and initrd, in the same run. The
client sends NET_MIB of /dev/zero with busybox nc; the server counts the
bytes; the client times the transfer with /proc/uptime (10 ms steps)."""
import os
import re
import socket
import subprocess
import sys
import time

from benchlib import BIN, BUILD, QEMU, PrivateKernel, median, report

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import linux_inputs  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NET_MIB = int(os.environ.get("BENCH_NET_MIB", "64"))
TIMEOUT = 900  # seconds per pair, TCG emulation
APPEND = "console=ttyAMA0 panic=-1 quiet"
BYTES = NET_MIB << 20


def roles(ip_server="10.0.9.1", ip_client="10.0.9.2"):
    server = f"{APPEND} nestlab.role=server nestlab.sink=count nestlab.ip={ip_server}/24"
    client = (f"{APPEND} nestlab.role=client nestlab.source=zero nestlab.ip={ip_client}/24 "
              f"nestlab.peer={ip_server} nestlab.bytes={BYTES}")
    return server, client


def pair(server_cmd, client_cmd, env=None):
    """MB/s the client measured; checks that the server got every byte."""
    s = subprocess.Popen(server_cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    time.sleep(1)  # plain QEMU's listen= socket first; the client pings until answered anyway
    try:
        c = subprocess.run(client_cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=TIMEOUT)
        s_out, _ = s.communicate(timeout=TIMEOUT)
    finally:
        if s.poll() is None:
            s.kill()
            s.wait()
    out = c.stdout[-65536:].decode(errors="replace")
    got = s_out[-65536:].decode(errors="replace")
    sent = re.search(r"init: sent (\d+) bytes in (\d+) ms", out)
    if not sent or f"init: received {BYTES} bytes" not in got:
        raise RuntimeError(f"no transfer (client exit {c.returncode}): {out[-1500:]!r} "
                           f"server: {got[-1500:]!r}")
    return BYTES / 1e6 / max(int(sent.group(2)), 1) * 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # A cgroup subtree of its own: another nestlabd on this shared machine
    # (a test suite's, another benchmark's) that starts with the default
    # parent stops the processes it finds there as orphans.
    group = f"nestlab-bench-net-{os.getpid()}"
    os.environ.setdefault("NESTLAB_CGROUP_PARENT", group)
    try:
        return measure()
    finally:
        for controller in ("cpu", "memory", "pids", "unified", ""):
            try:
                os.rmdir(os.path.join("/sys/fs/cgroup", controller, group))
            except OSError:
                pass


def measure():
    image, initrd = linux_inputs.prepare(BUILD, linux_inputs.NET_INIT_SCRIPT, "initrd-net-bench")
    server, client = roles()
    ours, plain = [], []
    with PrivateKernel() as k:
        run = [os.path.join(BIN, "nestlab"), "run", "--mem", "512M", "--net", "bench0",
               "--initrd", initrd, image]
        qemu = [QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-smp", "1", "-m", "512",
                "-nographic", "-no-reboot", "-device", "virtio-rng-device",
                "-global", "virtio-mmio.force-legacy=false", "-kernel", image, "-initrd", initrd]
        for i in range(RUNS):  # interleaved so drift hits both alike
            ours.append(pair(run[:-1] + ["--append", server, image],
                             run[:-1] + ["--append", client, image], env=k.env))
            port = free_port()
            plain.append(pair(
                qemu + ["-netdev", f"socket,id=n0,listen=127.0.0.1:{port}", "-device",
                        "virtio-net-device,netdev=n0,mac=02:00:00:00:09:01", "-append", server],
                qemu + ["-netdev", f"socket,id=n0,connect=127.0.0.1:{port}", "-device",
                        "virtio-net-device,netdev=n0,mac=02:00:00:00:09:02", "-append", client]))
    print(f"net: {RUNS} runs each, medians, busybox nc of {NET_MIB} MiB from /dev/zero, "
          f"guest to guest")
    # Higher is better: the ratio printed is ours / plain.
    report("virtio-net TCP guest to guest", median(ours), "MB/s",
           "plain qemu -netdev socket", median(plain))


if __name__ == "__main__":
    sys.exit(main())
