"""virtio-blk end to end: `nestlab run --disk FILE[,ro]`. The bare-metal guest
virtio-blk finds the block device in its device tree, reads sector 0 of a disk
the test prepared, writes sector 1, flushes, reads it back, reads past the end,
asks for the ID and sends an unknown request type. It prints the same under
plain QEMU (`-drive file=...,format=raw,if=none -device virtio-blk-device`,
after the same virtio-rng so that the disk is on the same transport) as under
nestlab, where the highvisor does the I/O on the file the CLI opened; the test
then reads sector 1 back from the file. A read-only disk refuses the write, and
bad --disk arguments fail before anything runs."""
import os
import subprocess
import tempfile
import unittest

from harness import QEMU, KernelTestCase, capped, guest

IMAGE = "virtio-blk.bin"
SECTOR0 = b"nestlab disk, sector 0: hello from the host\n"
WRITTEN = b"written by the virtio-blk guest\0"
SECTORS = 128


def make_disk(directory, name="disk.img", sectors=SECTORS):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(SECTOR0.ljust(512, b"\0"))
        f.write(b"\x55" * 512 * (sectors - 1))
    return path


def expected_sector1():
    data = bytearray((i * 7 + 1) & 0xff for i in range(512))
    data[:len(WRITTEN)] = WRITTEN
    return bytes(data)


def run_plain_qemu_with_disk(image, disk, ro=False, timeout=30):
    drive = f"file={disk},format=raw,if=none,id=d0" + (",readonly=on" if ro else "")
    args = [QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-m", "128M", "-nographic",
            "-nodefaults", "-serial", "stdio", "-device", "virtio-rng-device",
            "-drive", drive, "-device", "virtio-blk-device,drive=d0",
            "-global", "virtio-mmio.force-legacy=false", "-kernel", image]
    p = subprocess.run(args, timeout=timeout, capture_output=True, stdin=subprocess.DEVNULL)
    return capped(p.stdout).decode(errors="replace").replace("\r\n", "\n")


def sector(path, n):
    with open(path, "rb") as f:
        f.seek(512 * n)
        return f.read(512)


class VirtioBlkTest(KernelTestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="nestlab-blk-", dir=self.tmp)

    def test_the_guest_reads_writes_and_flushes_and_the_host_sees_the_write(self):
        disk = make_disk(self.dir)
        r = self.nestlab("run", "--disk", disk, guest(IMAGE))
        self.assertEqual(r.code, 0, r)
        self.assertIn("virtio-blk: transport at 0xa003c00, SPI 46, edge", r.out)
        self.assertIn(f"virtio-blk: capacity {SECTORS} sectors", r.out)
        self.assertIn('virtio-blk: sector 0 says: "nestlab disk, sector 0: hello from the host"',
                      r.out)
        self.assertIn("virtio-blk: write sector 1: OK", r.out)
        self.assertIn("virtio-blk: flush: OK", r.out)
        self.assertIn('virtio-blk: sector 1 says: "written by the virtio-blk guest"', r.out)
        self.assertIn("virtio-blk: read past the end: IOERR", r.out)
        self.assertIn("virtio-blk: request type 0x10: UNSUPP", r.out)
        self.assertEqual(sector(disk, 1), expected_sector1())
        self.assertEqual(sector(disk, 2), b"\x55" * 512)

    @unittest.skipUnless(QEMU, "qemu-system-aarch64 is not installed")
    def test_same_output_as_plain_qemu_with_virtio_blk_device(self):
        plain_disk = make_disk(self.dir, "plain.img")
        plain = run_plain_qemu_with_disk(guest(IMAGE), plain_disk)
        self.assertIn("virtio-blk: flush: OK", plain)
        disk = make_disk(self.dir)
        ours = self.nestlab("run", "--disk", disk, guest(IMAGE))
        self.assertEqual(ours.code, 0, ours)
        self.assertEqual(ours.out.replace("\r\n", "\n"), plain)
        self.assertEqual(sector(disk, 1), sector(plain_disk, 1))

    def test_a_read_only_disk_refuses_writes_and_stays_unchanged(self):
        disk = make_disk(self.dir)
        before = open(disk, "rb").read()
        r = self.nestlab("run", "--disk", disk + ",ro", guest(IMAGE))
        self.assertEqual(r.code, 0, r)
        self.assertIn("virtio-blk: flush offered, read-only", r.out)
        self.assertIn("virtio-blk: write sector 1: IOERR", r.out)
        self.assertIn('virtio-blk: sector 1 says: "UUUU', r.out)
        self.assertEqual(open(disk, "rb").read(), before)
        if QEMU:
            plain_disk = make_disk(self.dir, "plain.img")
            plain = run_plain_qemu_with_disk(guest(IMAGE), plain_disk, ro=True)
            self.assertEqual(r.out.replace("\r\n", "\n"), plain)

    def test_bad_disks_fail_before_anything_runs(self):
        missing = os.path.join(self.dir, "missing.img")
        r = self.nestlab("run", "--disk", missing, guest(IMAGE))
        self.assertNotEqual(r.code, 0, r)
        self.assertIn(f"cannot open '{missing}' as a disk: No such file or directory", r.err)
        self.assertNotIn("virtio-blk:", r.out)

        odd = os.path.join(self.dir, "odd.img")
        with open(odd, "wb") as f:
            f.write(b"x" * 1000)
        r = self.nestlab("run", "--disk", odd, guest(IMAGE))
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("cannot use 'odd.img' as a disk: its size, 1000 bytes, is not a multiple "
                      "of 512", r.err)
        self.assertNotIn("virtio-blk:", r.out)

        disk = make_disk(self.dir)
        r = self.nestlab("run", "--disk", disk + ",readonly", guest(IMAGE))
        self.assertEqual(r.code, 2, r)
        self.assertIn("unknown option 'readonly' (expected --disk FILE or --disk FILE,ro)", r.err)

        if os.geteuid() != 0:  # root reads every file
            locked = make_disk(self.dir, "unreadable.img")
            os.chmod(locked, 0)
            r = self.nestlab("run", "--disk", locked, guest(IMAGE))
            self.assertNotEqual(r.code, 0, r)
            self.assertIn("as a disk: Permission denied", r.err)

    def test_a_disk_in_use_read_write_by_another_vm_is_refused(self):
        disk = make_disk(self.dir)
        vhv = self.nestlab("vhv", "create", "--name", "blk-a")
        self.assertEqual(vhv.code, 0, vhv)
        # A guest that keeps its VM running (and the disk open) until stopped.
        first = self.nestlab("vm", "run", "--disk", disk, "blk-a", guest("idle.elf"))
        self.assertEqual(first.code, 0, first)
        try:
            r = self.nestlab("run", "--disk", disk, guest(IMAGE))
            self.assertNotEqual(r.code, 0, r)
            self.assertIn("disk 'disk.img' is already in use read-write by a VM of VHV blk-a",
                          r.err)
            r = self.nestlab("run", "--disk", disk + ",ro", guest(IMAGE))
            self.assertNotEqual(r.code, 0, r)
            self.assertIn("already in use read-write", r.err)
            # Another process sees the OFD lock: a read-only QEMU drive with
            # file locking cannot take its shared lock.
            with open(disk, "rb") as f:
                import fcntl
                with self.assertRaises(OSError):
                    fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        finally:
            self.nestlab("vhv", "destroy", "blk-a")


if __name__ == "__main__":
    unittest.main()
