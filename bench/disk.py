#!/usr/bin/env python3
"""Disk throughput: sequential read and write MB/s of a virtio-blk disk from
a Linux guest (Debian's arm64 cloud kernel, a busybox /init running
`dd bs=1M` with O_DIRECT, or sync + drop_caches where busybox dd lacks it),
under `nestlab run --disk` against plain QEMU with its own
`-device virtio-blk-device` in the same run. Each disk is a fresh sparse raw
file of DISK_MIB; the guest times each dd with /proc/uptime (10 ms steps)."""
import os
import re
import subprocess
import sys
import tempfile

from benchlib import BIN, BUILD, QEMU, PrivateKernel, median, report

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
import linux_inputs  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
DISK_MIB = int(os.environ.get("BENCH_DISK_MIB", "64"))
TIMEOUT = 600  # seconds per boot, TCG emulation
APPEND = "console=ttyAMA0 panic=-1 quiet"

BB = "/bin/busybox"
INIT = f"""#!{BB} sh
{BB} mkdir -p /proc /sys /dev
{BB} mount -t proc proc /proc
{BB} mount -t sysfs sysfs /sys
for m in virtio_ring virtio virtio_mmio virtio_blk; do {BB} insmod /modules/$m.ko; done
{BB} mknod /dev/vda b $({BB} sed 's/:/ /' /sys/block/vda/dev)
{BB} mknod /dev/zero c 1 5; {BB} mknod /dev/null c 1 3
cs() {{ {BB} awk '{{printf "%d", $1 * 100}}' /proc/uptime; }}
if {BB} dd if=/dev/vda of=/dev/null bs=512 count=1 iflag=direct 2>/dev/null; then
  RF="iflag=direct"; WF="oflag=direct"; echo "bench: O_DIRECT"
else
  RF=""; WF=""; echo "bench: no O_DIRECT, sync and drop caches"
fi
{BB} sync; echo 3 > /proc/sys/vm/drop_caches
t0=$(cs); {BB} dd if=/dev/vda of=/dev/null bs=1M count={DISK_MIB} $RF || echo "bench: read failed"; t1=$(cs)
echo "bench: read {DISK_MIB} MiB in $((t1 - t0)) cs"
t0=$(cs); {BB} dd if=/dev/zero of=/dev/vda bs=1M count={DISK_MIB} $WF conv=fsync || echo "bench: write failed"; t1=$(cs)
echo "bench: write {DISK_MIB} MiB in $((t1 - t0)) cs"
{BB} poweroff -f
"""


def throughput(cmd, env=None):
    """(read MB/s, write MB/s) the guest measured, and whether with O_DIRECT."""
    p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=TIMEOUT)
    out = p.stdout[-65536:].decode(errors="replace")
    times = dict(re.findall(r"bench: (read|write) \d+ MiB in (\d+) cs", out))
    if set(times) != {"read", "write"} or "failed" in out:
        raise RuntimeError(f"{cmd[0]}: no timings (exit {p.returncode}): {out[-1500:]!r}")
    mb = DISK_MIB * (1 << 20) / 1e6
    rate = {k: mb / max(int(v), 1) * 100 for k, v in times.items()}
    return rate["read"], rate["write"], "bench: O_DIRECT" in out


def fresh_disk(directory, name):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.truncate(DISK_MIB << 20)
    return path


def main():
    image, initrd = linux_inputs.prepare(BUILD, INIT, "initrd-disk-bench")
    tmp = tempfile.mkdtemp(prefix="nestlab-disk-bench-")
    ours_r, ours_w, plain_r, plain_w = [], [], [], []
    direct = True
    with PrivateKernel() as k:
        for i in range(RUNS):  # interleaved so drift hits both alike
            disk = fresh_disk(tmp, f"ours{i}.img")
            r, w, d = throughput([os.path.join(BIN, "nestlab"), "run", "--smp", "2", "--mem",
                                  "512M", "--initrd", initrd, "--append", APPEND, "--disk", disk,
                                  image], env=k.env)
            ours_r.append(r)
            ours_w.append(w)
            direct = direct and d
            disk = fresh_disk(tmp, f"plain{i}.img")
            r, w, d = throughput([QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-smp",
                                  "2", "-m", "512", "-nographic", "-nic", "none", "-no-reboot",
                                  "-drive", f"file={disk},format=raw,if=none,id=d0",
                                  "-device", "virtio-blk-device,drive=d0",
                                  "-global", "virtio-mmio.force-legacy=false",
                                  "-kernel", image, "-initrd", initrd, "-append", APPEND])
            plain_r.append(r)
            plain_w.append(w)
            direct = direct and d
            for name in (f"ours{i}.img", f"plain{i}.img"):
                os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)
    how = "O_DIRECT" if direct else "sync + drop_caches"
    print(f"disk: {RUNS} runs each, medians, busybox dd bs=1M of {DISK_MIB} MiB ({how})")
    # Higher is better: the ratio printed is ours / plain.
    report("virtio-blk sequential read", median(ours_r), "MB/s", "plain qemu virtio-blk",
           median(plain_r))
    report("virtio-blk sequential write", median(ours_w), "MB/s", "plain qemu virtio-blk",
           median(plain_w))


if __name__ == "__main__":
    sys.exit(main())
