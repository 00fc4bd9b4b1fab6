"""The Linux guest's test inputs, made from Debian packages only.

scripts/install-deps downloads linux-image-*-cloud-arm64:arm64 and
busybox-static:arm64 into a cache directory (never installs them). This
module unpacks them with dpkg-deb -x into the build tree and makes
  - Image: the kernel's arm64 Image (the deb's vmlinuz, gunzipped if it is
    gzip'd; Debian 12's cloud kernel ships it uncompressed),
  - initrd: a newc initramfs holding busybox and an /init script that
    prints a few deterministic lines and powers off.
Used by tests/integration/test_linux.py and bench/linux_boot.py."""
import glob
import gzip
import os
import shutil
import subprocess

DEBS_DIR = os.environ.get("NESTLAB_DEBS_DIR", "/var/cache/nestlab/debs")
INSTALL_HINT = "sudo scripts/install-deps"

# The first line /init prints: the benchmark times the boot up to it.
FIRST_LINE = "init: hello from busybox"
LAST_LINE = "init: done"

# The disk the Linux tests give the guest: a line of text in sector 0, the
# rest zero; /init writes DISK_WRITTEN (and a newline, padded with zeros)
# to sector 1.
DISK_SECTOR0 = b"nestlab disk for Linux, sector 0\n"
DISK_WRITTEN = "written by Linux /init"


def make_disk(path, sectors=2048):
    with open(path, "wb") as f:
        f.write(DISK_SECTOR0.ljust(512, b"\0"))
        f.truncate(512 * sectors)


INIT_SCRIPT = f"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox echo "{FIRST_LINE}"
/bin/busybox echo "init: machine $(/bin/busybox uname -m)"
/bin/busybox echo "init: cpus $(/bin/busybox grep -c ^processor /proc/cpuinfo)"
/bin/busybox echo "init: cmdline $(/bin/busybox cat /proc/cmdline)"
/bin/busybox echo "init: initramfs files $(/bin/busybox ls / | /bin/busybox wc -l)"
/bin/busybox mount -t sysfs sysfs /sys
for m in virtio_ring virtio virtio_mmio virtio-rng virtio_blk failover net_failover virtio_net; do
  /bin/busybox insmod /modules/$m.ko
done
/bin/busybox echo "init: virtio devices $(/bin/busybox ls /sys/bus/virtio/devices | /bin/busybox wc -l)"
for d in /sys/bus/virtio/devices/*; do
  /bin/busybox echo "init: $(/bin/busybox basename $d) device $(/bin/busybox cat $d/device)"
done
/bin/busybox echo "init: hwrng $(/bin/busybox cat /sys/class/misc/hw_random/rng_current)"
/bin/busybox mknod /dev/hwrng c 10 183  # misc device hw_random (no devtmpfs here)
/bin/busybox echo "init: hwrng gives $(/bin/busybox head -c 64 /dev/hwrng | /bin/busybox wc -c) bytes"
# A virtio-blk disk, when the run has one (DISK_LAYOUT): sector 0 holds a
# line of text; /init writes one to sector 1, syncs, drops the caches and
# reads it back from the device.
if [ -e /sys/block/vda/dev ]; then
  /bin/busybox mknod /dev/vda b $(/bin/busybox sed 's/:/ /' /sys/block/vda/dev)
  /bin/busybox echo "init: vda $(/bin/busybox cat /sys/block/vda/size) sectors, ro $(/bin/busybox cat /sys/block/vda/ro)"
  /bin/busybox echo "init: vda sector 0 says $(/bin/busybox dd if=/dev/vda bs=512 count=1 2>/dev/null | /bin/busybox head -n 1)"
  /bin/busybox echo "{DISK_WRITTEN}" | /bin/busybox dd of=/dev/vda bs=512 seek=1 conv=sync 2>/dev/null \
    && /bin/busybox echo "init: vda write ok" || /bin/busybox echo "init: vda write failed"
  /bin/busybox sync
  /bin/busybox echo 3 > /proc/sys/vm/drop_caches
  /bin/busybox echo "init: vda sector 1 says $(/bin/busybox dd if=/dev/vda bs=512 skip=1 count=1 2>/dev/null | /bin/busybox head -n 1)"
else
  /bin/busybox echo "init: no disk"
fi
# A virtio-net device (--net NAME, or QEMU's virtio-net-device): up, with
# the address nestlab.ip=A.B.C.D/N from the command line when there is one.
if [ -e /sys/class/net/eth0 ]; then
  ip=$(/bin/busybox sed -n 's/.*nestlab\\.ip=\\([0-9./]*\\).*/\\1/p' /proc/cmdline)
  /bin/busybox ip link set eth0 up
  [ -n "$ip" ] && /bin/busybox ip addr add "$ip" dev eth0
  /bin/busybox echo "init: eth0 up, address ${{ip:-none}}, mac $(/bin/busybox cat /sys/class/net/eth0/address)"
fi
/bin/busybox echo "{LAST_LINE}"
if /bin/busybox grep -q nestlab.shell /proc/cmdline; then
  # An interactive shell on the console (nestlab console VHV --vm N).
  /bin/busybox --install -s /bin
  /bin/busybox mount -t devtmpfs devtmpfs /dev
  /bin/busybox echo "init: a busybox shell on the console; exit or poweroff -f ends the VM"
  /bin/busybox setsid /bin/busybox cttyhack /bin/busybox sh -l
fi
/bin/busybox poweroff -f
"""


class MissingPackage(Exception):
    pass


def _deb(pattern, what):
    found = sorted(glob.glob(os.path.join(DEBS_DIR, pattern)))
    if not found:
        raise MissingPackage(f"{what} is missing from {DEBS_DIR}: run `{INSTALL_HINT}` "
                             f"(it runs apt-get download {what})")
    return found[-1]


def _unpack(deb, into):
    stamp = os.path.join(into, ".unpacked-from")
    if os.path.exists(stamp) and open(stamp).read() == deb:
        return
    shutil.rmtree(into, ignore_errors=True)
    os.makedirs(into)
    subprocess.run(["dpkg-deb", "-x", deb, into], check=True)
    with open(stamp, "w") as f:
        f.write(deb)


def _newc_entry(name, mode, data=b"", ino=1, rdev=(0, 0)):
    # The "new" (SVR4, no CRC) cpio format the kernel's initramfs unpacker
    # reads (Documentation/driver-api/early-userspace/buffer-format.rst):
    # ASCII-hex header, the NUL-terminated name and the data, each padded to
    # 4 bytes. Fixed owners and times keep the archive deterministic.
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    header = b"070701" + b"".join(b"%08x" % f for f in fields)
    out = header + name_bytes
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


# The cloud kernel has virtio as modules: /init loads these (from the
# kernel package, in dependency order) to probe the virtio-mmio transports
# and the virtio-rng and virtio-blk devices.
# virtio_net needs net_failover, which needs failover.
VIRTIO_MODULES = ("drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
                  "drivers/virtio/virtio_mmio.ko", "drivers/char/hw_random/virtio-rng.ko",
                  "drivers/block/virtio_blk.ko", "net/core/failover.ko",
                  "drivers/net/net_failover.ko", "drivers/net/virtio_net.ko")

# The /init of the lab-network tests and benchmark (test_virtio_net.py,
# bench/net.py): the role and addresses come from the kernel command line,
#   nestlab.ip=A.B.C.D/N   this guest's eth0 address
#   nestlab.role=server    receive one nc connection on port 5000 into a
#                          file, print its size and sha256 (nestlab.sink=
#                          count: only count the bytes)
#   nestlab.role=client    ping nestlab.peer=A.B.C.D, then send it
#                          nestlab.bytes=N bytes (nestlab.source=zero:
#                          /dev/zero, else random), print size and sha256
#   nestlab.role=probe     ping nestlab.peer for a while, print what eth0
#                          received (another owner's network sees nothing)
# Every line it prints starts with "init: "; it ends with LAST_LINE.
NET_INIT_SCRIPT = r"""#!/bin/busybox sh
bb=/bin/busybox
$bb mkdir -p /proc /sys /dev /tmp
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
$bb echo "init: hello from busybox"
for m in virtio_ring virtio virtio_mmio virtio-rng failover net_failover virtio_net; do
  $bb insmod /modules/$m.ko
done
arg() { $bb sed -n "s/.*nestlab\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
ip=$(arg ip); role=$(arg role); peer=$(arg peer); bytes=$(arg bytes)
$bb ip link set lo up
$bb ip link set eth0 up
$bb ip addr add $ip dev eth0
$bb echo "init: eth0 $ip mac $($bb cat /sys/class/net/eth0/address)"
sha() { $bb sha256sum $1 | $bb cut -d' ' -f1; }
now_ms() { $bb awk '{printf "%d", $1 * 1000}' /proc/uptime; }
case "$role" in
server)
  $bb echo "init: listening"
  if [ "$(arg sink)" = count ]; then
    $bb echo "init: received $($bb nc -l -p 5000 | $bb wc -c) bytes"
  else
    $bb nc -l -p 5000 > /tmp/recv
    $bb echo "init: received $($bb wc -c < /tmp/recv) bytes sha256 $(sha /tmp/recv)"
  fi
  ;;
client)
  n=0
  until $bb ping -c 1 -W 1 $peer > /dev/null 2>&1; do
    n=$((n + 1)); [ $n -ge 120 ] && break
  done
  $bb echo "init: ping $($bb ping -c 3 -W 2 $peer | $bb grep -c 'bytes from') of 3 answered"
  if [ "$(arg source)" = zero ]; then
    start=$(now_ms)
    $bb head -c $bytes /dev/zero | $bb nc $peer 5000
    end=$(now_ms)
    $bb echo "init: sent $bytes bytes in $((end - start)) ms"
  else
    $bb head -c $bytes /dev/urandom > /tmp/send
    $bb echo "init: sending $($bb wc -c < /tmp/send) bytes sha256 $(sha /tmp/send)"
    n=0
    until $bb nc $peer 5000 < /tmp/send; do
      n=$((n + 1)); [ $n -ge 20 ] && break; $bb sleep 1
    done
    $bb echo "init: sent"
  fi
  ;;
probe)
  $bb echo "init: ping $($bb ping -c $(arg count) -W 1 $peer 2>/dev/null | $bb grep -c 'bytes from') answered"
  $bb echo "init: eth0 received $($bb cat /sys/class/net/eth0/statistics/rx_packets) packets"
  ;;
esac
$bb echo "init: done"
$bb poweroff -f
"""


def make_initramfs(busybox_path, out_path, modules=(), init_script=None):
    """init_script: the /init to run instead of INIT_SCRIPT (bench/disk.py)."""
    with open(busybox_path, "rb") as f:
        busybox = f.read()
    module_entries = [_newc_entry("modules", 0o040755, ino=6)]
    for i, path in enumerate(modules):
        with open(path, "rb") as f:
            module_entries.append(_newc_entry("modules/" + os.path.basename(path), 0o100644,
                                              f.read(), ino=7 + i))
    archive = b"".join([
        _newc_entry("bin", 0o040755, ino=1),
        # The kernel opens /dev/console for init's stdio before anything
        # could mount devtmpfs (the cloud kernel does not mount it itself).
        _newc_entry("dev", 0o040755, ino=4),
        _newc_entry("dev/console", 0o020600, ino=5, rdev=(5, 1)),
        _newc_entry("bin/busybox", 0o100755, busybox, ino=2),
        _newc_entry("init", 0o100755, (init_script or INIT_SCRIPT).encode(), ino=3),
        *module_entries,
        _newc_entry("TRAILER!!!", 0, ino=0),
    ])
    archive += b"\0" * (-len(archive) % 512)
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(archive)
    os.replace(tmp, out_path)


def prepare(build_dir, init_script=None, initrd_name="initrd"):
    """Returns (Image path, initrd path), made under build_dir/linux-guest;
    the initrd runs init_script as /init when given (named initrd_name).
    Raises MissingPackage naming the command that downloads what is missing."""
    root = os.path.join(build_dir, "linux-guest")
    kernel_deb = _deb("linux-image-*-cloud-arm64_*_arm64.deb",
                      "linux-image-6.1.0-*-cloud-arm64:arm64")
    busybox_deb = _deb("busybox-static_*_arm64.deb", "busybox-static:arm64")
    _unpack(kernel_deb, os.path.join(root, "kernel"))
    _unpack(busybox_deb, os.path.join(root, "busybox"))
    vmlinuz = sorted(glob.glob(os.path.join(root, "kernel", "boot", "vmlinuz-*")))
    if not vmlinuz:
        raise MissingPackage(f"{kernel_deb} holds no boot/vmlinuz-*: run `{INSTALL_HINT}` again")
    image = os.path.join(root, "Image")
    with open(vmlinuz[-1], "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":  # gzip'd Image: the bootloader (here, we) unpacks it
        data = gzip.decompress(data)
    if data[56:60] != b"ARM\x64":
        raise MissingPackage(f"{vmlinuz[-1]} is not an arm64 Image (no ARM\\x64 magic)")
    with open(image + ".tmp", "wb") as f:
        f.write(data)
    os.replace(image + ".tmp", image)
    initrd = os.path.join(root, initrd_name)
    module_dirs = sorted(glob.glob(os.path.join(root, "kernel", "lib", "modules", "*", "kernel")))
    if not module_dirs:
        raise MissingPackage(f"{kernel_deb} holds no lib/modules: run `{INSTALL_HINT}` again")
    make_initramfs(os.path.join(root, "busybox", "bin", "busybox"), initrd,
                   [os.path.join(module_dirs[-1], m) for m in VIRTIO_MODULES], init_script)
    return image, initrd


def main():
    """`linux_inputs.py --out DIR [--work BUILD]`: the build's step
    (CMakeLists.txt, target linux_guest), copying Image and initrd to DIR."""
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="where Image and initrd go")
    ap.add_argument("--work", default=None, help="the build tree to unpack in (default: --out)")
    a = ap.parse_args()
    try:
        image, initrd = prepare(a.work or a.out)
    except MissingPackage as e:
        raise SystemExit(f"linux_inputs: {e}")
    os.makedirs(a.out, exist_ok=True)
    for src in (image, initrd):
        dst = os.path.join(a.out, os.path.basename(src))
        shutil.copyfile(src, dst + ".tmp")
        os.replace(dst + ".tmp", dst)


if __name__ == "__main__":
    main()
