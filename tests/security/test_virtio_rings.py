"""A hostile guest against the highvisor's virtqueue walker: descriptor
loops and buffers outside guest RAM. The highvisor reads those rings in
the VM's RAM itself; each malformed queue must end in DEVICE_NEEDS_RESET
for that device only, with the highvisor, the VHV and the kernel running
on (the same VHV then runs the next guest), and the device serving again
after the guest resets it."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import KernelTestCase, guest  # noqa: E402


class VirtioRingAttackTest(KernelTestCase):
    ATTACKS = (("1", "a descriptor loop"), ("2", "a buffer outside RAM"))

    def test_malformed_rings_need_a_reset_then_the_device_serves_again(self):
        for attack, what in self.ATTACKS:
            with self.subTest(attack=what):
                r = self.nestlab("run", "--append", "attack=" + attack, guest("virtio-rng.elf"))
                self.assertEqual(r.code, 0, r)
                self.assertIn(f"virtio-rng: {what} refused: the device needs a reset", r.out)
                self.assertIn("virtio-rng: reset, the device works again", r.out)
                self.assertIn("64 bytes; the bytes are not all equal", r.out)
        self.assertKernelAlive()

    def test_the_vhv_runs_the_next_guest_after_the_attacks(self):
        r = self.nestlab("vhv", "create", "--name", "rings")
        self.assertEqual(r.code, 0, r)
        try:
            for attack, _ in self.ATTACKS:
                # The guest exits 0 only if the device refused the ring and
                # then served a good buffer.
                r = self.nestlab("vm", "run", "rings", guest("virtio-rng.elf"), "--append",
                                 "attack=" + attack, "--wait")
                self.assertEqual(r.code, 0, r)
            r = self.nestlab("vm", "run", "rings", guest("exitcode.elf"), "--append", "exit=9",
                             "--wait")
            self.assertEqual(r.code, 9, r)
            self.assertKernelAlive()
        finally:
            self.nestlab("vhv", "rm", "rings")


if __name__ == "__main__":
    unittest.main()
