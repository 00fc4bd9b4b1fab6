"""Linux guests (issue 14, booting): Debian's own arm64 cloud kernel with a
busybox initramfs boots under `nestlab run --initrd` exactly as under plain
QEMU -kernel/-initrd, and bad kernels or initrds are refused with a clear
message before anything runs.

The inputs come from Debian packages only (scripts/install-deps downloads
them; tests/tools/linux_inputs.py unpacks them into the build tree). The
boot runs under TCG emulation: tens of seconds, bounded by BOOT_TIMEOUT."""
import os
import subprocess
import time
import sys

from harness import BUILD, OUTPUT_CAP, QEMU, KernelTestCase, capped, guest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import linux_inputs  # noqa: E402

BOOT_TIMEOUT = 300  # seconds, per boot; a boot takes 3 to 60 s on these machines
APPEND = "console=ttyAMA0 panic=-1"


def init_lines(text):
    """The lines /init printed (each starts with "init: "), in order."""
    return [line.strip() for line in text.replace("\r", "").split("\n")
            if line.strip().startswith("init: ")]


def boot_plain_qemu(image, initrd, append=APPEND, timeout=BOOT_TIMEOUT, disk=None):
    # A VHV's guest always has one modern virtio-rng first
    # (vhv/common/virtio_mmio_bank.h), then its --disk as virtio-blk.
    devices = ["-device", "virtio-rng-device"]
    if disk:
        devices += ["-drive", f"file={disk},format=raw,if=none,id=d0",
                    "-device", "virtio-blk-device,drive=d0"]
    p = subprocess.run([QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-smp", "2",
                        "-m", "512", "-nographic", "-nic", "none", "-no-reboot", *devices,
                        "-global", "virtio-mmio.force-legacy=false",
                        "-kernel", image, "-initrd", initrd, "-append", append],
                       timeout=timeout, capture_output=True, stdin=subprocess.DEVNULL)
    return p.returncode, capped(p.stdout).decode(errors="replace")


class LinuxTest(KernelTestCase):
    @classmethod
    def setUpClass(cls):
        # A missing package fails the suite, naming the command that fetches it.
        cls.image, cls.initrd = linux_inputs.prepare(BUILD)
        super().setUpClass()

    def run_linux(self, *extra, image=None, mem="512M"):
        return self.nestlab("run", "--smp", "2", "--mem", mem, *extra, image or self.image,
                            timeout=BOOT_TIMEOUT)

    def test_debian_kernel_and_initramfs_print_what_they_print_on_plain_qemu(self):
        plain_disk = os.path.join(self.tmp, "linux-plain.img")
        linux_inputs.make_disk(plain_disk)
        code, qemu_out = boot_plain_qemu(self.image, self.initrd, disk=plain_disk)
        expected = init_lines(qemu_out)
        self.assertEqual(code, 0, qemu_out[-3000:])
        self.assertEqual(expected[0], linux_inputs.FIRST_LINE, qemu_out[-3000:])
        self.assertEqual(expected[-1], linux_inputs.LAST_LINE, qemu_out[-3000:])
        self.assertIn("init: cpus 2", expected)
        # The entropy device behind a virtio-mmio transport, and Linux's
        # virtio-rng driver reading it through /dev/hwrng.
        # Linux probes the transports lowest address first: the disk (30)
        # before the entropy device (31).
        self.assertIn("init: virtio0 device 0x0002", expected)
        self.assertIn("init: virtio1 device 0x0004", expected)
        self.assertIn("init: hwrng virtio_rng.0", expected)
        self.assertIn("init: hwrng gives 64 bytes", expected)
        # The disk: read, written, synced, read back after dropping caches.
        self.assertIn("init: vda 2048 sectors, ro 0", expected)
        self.assertIn("init: vda sector 0 says nestlab disk for Linux, sector 0", expected)
        self.assertIn("init: vda write ok", expected)
        self.assertIn(f"init: vda sector 1 says {linux_inputs.DISK_WRITTEN}", expected)

        disk = os.path.join(self.tmp, "linux.img")
        linux_inputs.make_disk(disk)
        r = self.run_linux("--initrd", self.initrd, "--append", APPEND, "--disk", disk)
        self.assertEqual(init_lines(r.out), expected, r)
        # What the guest wrote and synced is in the file.
        with open(disk, "rb") as f:
            f.seek(512)
            self.assertEqual(f.read(512),
                             (linux_inputs.DISK_WRITTEN + "\n").encode().ljust(512, b"\0"))
        self.assertEqual(r.code, 0, r)  # busybox poweroff -f: PSCI SYSTEM_OFF
        self.assertLess(len(r.out), OUTPUT_CAP)
        # The kernel found its initrd through /chosen and unpacked it.
        self.assertNotIn("VFS: Unable to mount root fs", r.out)
        self.assertKernelAlive()

    def test_the_console_gives_a_busybox_shell(self):
        # `nestlab.shell` on the command line: /init leaves a shell on the
        # console instead of powering off; keys typed through the kernel's
        # console API reach it and its answers come back.
        import base64
        from test_console import Rpc
        name = f"lsh-{os.getpid()}"
        r = self.nestlab("vhv", "create", "--name", name, "--mem", "384M")
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", name)
        rpc = Rpc(self.env["NESTLAB_SOCKET"])
        self.addCleanup(rpc.close)
        self.assertIn("result", rpc.call("console.attach", {"vhv": name}))
        fds = [os.open(self.image, os.O_RDONLY), os.open(self.initrd, os.O_RDONLY)]
        r = rpc.call("vm.run", {"vhv": name, "image_fd": 0, "image_name": "Image",
                                "initrd_fd": 1, "initrd_name": "initrd", "mem": 256 << 20,
                                "append": APPEND + " quiet nestlab.shell"}, fds=fds)
        for fd in fds:
            os.close(fd)
        self.assertIn("result", r, r)

        def read(needle, timeout):
            out = b""
            deadline = time.time() + timeout
            while needle not in out and time.time() < deadline and len(out) < OUTPUT_CAP:
                n = rpc.notification("console", timeout=deadline - time.time())
                if n:
                    out += base64.b64decode(n["params"]["data"])
            return out.decode(errors="replace")

        self.assertIn("a busybox shell on the console", read(b"ends the VM", BOOT_TIMEOUT))
        rpc.call("console.input", {"vhv": name,
                                   "data": base64.b64encode(b"echo sum=$((6*7)) in $(pwd)\r").decode()})
        self.assertIn("sum=42 in /", read(b"sum=42 in /", 60))
        rpc.call("console.input", {"vhv": name, "data": base64.b64encode(b"poweroff -f\r").decode()})
        r = self.nestlab("--json", "vm", "wait", name, "--timeout", "60", timeout=90)
        self.assertEqual(r.code, 0, r)
        self.assertKernelAlive()

    def test_demo_shows_a_linux_guest_beside_the_bare_metal_ones(self):
        r = self.nestlab("demo", "--linux", timeout=BOOT_TIMEOUT)
        self.assertEqual(r.code, 0, r)
        lines = r.out.splitlines()
        linux = [l for l in lines if "init: hello from busybox" in l]
        self.assertEqual(len(linux), 1, r.out[-3000:])
        vhv = linux[0].split("]")[0] + "]"
        self.assertIn(f"{vhv} init: done", r.out)
        for i in (1, 2, 3):
            self.assertIn(f"demo-guest {i}: a console object on a serial port", r.out)
        self.assertIn("(linux): powered off with code 0", r.out)
        self.assertKernelAlive()

    def test_an_initrd_with_an_elf_guest_is_refused(self):
        r = self.nestlab("run", "--initrd", self.initrd, guest("hello.elf"))
        self.assertEqual(r.code, 125, r)
        self.assertIn("an initrd needs a Linux kernel Image", r.err)

    def test_an_initrd_that_does_not_fit_after_the_kernel_is_refused(self):
        big = os.path.join(self.tmp, "big-initrd")
        with open(big, "wb") as f:
            f.truncate(40 << 20)  # sparse: costs no disk
        r = self.nestlab("run", "--mem", "64M", "--initrd", big, self.image)
        self.assertEqual(r.code, 125, r)
        self.assertIn("the initrd is 41943040 bytes but only", r.err)
        self.assertIn("give the VM more memory", r.err)

    def test_a_truncated_kernel_image_is_refused(self):
        short = os.path.join(self.tmp, "Image.short")
        with open(self.image, "rb") as src, open(short, "wb") as dst:
            dst.write(src.read(40))
        r = self.nestlab("run", short)
        self.assertEqual(r.code, 125, r)
        self.assertIn("the arm64 Image is truncated: 40 bytes", r.err)

    def test_a_kernel_larger_than_guest_ram_is_refused(self):
        r = self.nestlab("run", "--mem", "28M", "--initrd", self.initrd, self.image)
        self.assertEqual(r.code, 125, r)
        self.assertIn("the arm64 Image needs", r.err)
        self.assertIn("give the VM more memory", r.err)
