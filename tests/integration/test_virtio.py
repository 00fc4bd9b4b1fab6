"""Virtio-mmio transports and virtio-rng, end to end: the bare-metal guest
virtio-rng finds the entropy device in its device tree, does the virtio 1.x
handshake, posts a 64-byte buffer, sleeps until the used-buffer interrupt
and checks the bytes. It prints the same under plain QEMU with
`-device virtio-rng-device` (modern transports: force-legacy=false) as under
`nestlab run`, where the lowvisor emulates the registers and the highvisor
fills the buffer from getrandom(2)."""
import subprocess
import unittest

from harness import QEMU, KernelTestCase, capped, guest

# Plain QEMU gives only a raw image a device tree in x0.
IMAGE = "virtio-rng.bin"


def run_plain_qemu_with_rng(image, append=None, timeout=30):
    args = [QEMU, "-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-m", "128M", "-nographic",
            "-nodefaults", "-serial", "stdio", "-device", "virtio-rng-device",
            "-global", "virtio-mmio.force-legacy=false", "-kernel", image]
    if append is not None:
        args += ["-append", append]
    p = subprocess.run(args, timeout=timeout, capture_output=True, stdin=subprocess.DEVNULL)
    return capped(p.stdout).decode(errors="replace").replace("\r\n", "\n")


class VirtioRngTest(KernelTestCase):
    def test_the_guest_gets_64_random_bytes(self):
        r = self.nestlab("run", guest(IMAGE))
        self.assertEqual(r.code, 0, r)
        self.assertIn("virtio-rng: transport at 0xa003e00, SPI 47, edge", r.out)
        self.assertIn("virtio-rng: 32 virtio-mmio transports in the device tree", r.out)
        self.assertIn("virtio-rng: used buffer 0 of 64 bytes; the bytes are not all equal", r.out)

    @unittest.skipUnless(QEMU, "qemu-system-aarch64 is not installed")
    def test_same_output_as_plain_qemu_with_virtio_rng_device(self):
        plain = run_plain_qemu_with_rng(guest(IMAGE))
        self.assertIn("not all equal", plain)
        ours = self.nestlab("run", guest(IMAGE))
        self.assertEqual(ours.code, 0, ours)
        self.assertEqual(ours.out.replace("\r\n", "\n"), plain)

    @unittest.skipUnless(QEMU, "qemu-system-aarch64 is not installed")
    def test_a_descriptor_loop_needs_a_reset_as_on_plain_qemu(self):
        plain = run_plain_qemu_with_rng(guest(IMAGE), "attack=1")
        self.assertIn("a descriptor loop refused: the device needs a reset", plain)
        ours = self.nestlab("run", "--append", "attack=1", guest(IMAGE))
        self.assertEqual(ours.code, 0, ours)
        self.assertEqual(ours.out.replace("\r\n", "\n"), plain)


if __name__ == "__main__":
    unittest.main()
