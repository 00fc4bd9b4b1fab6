"""The guest platform (issue 5): guest SMP over PSCI, the virtual GICv3
(SGIs, PPIs, pending/active state read back) and the virtual timer, WFI
blocking, the boot tables (S3, S9) and the lowvisor's per-CPU data area
across a move between CPUs (S13, issue 4). Guests in tests/guests/:
smp.cpp, timer.cpp, idle.cpp, mailbox.cpp, devmap.cpp, prda.cpp, and the
PL031 RTC (rtc.cpp)."""
import json
import os
import re
import tempfile
import time

from harness import KernelTestCase, guest, read_until

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

    def test_fp_simd_state_is_per_vcpu_and_reset_by_cpu_on(self):
        # Each vCPU keeps its own V0-V31/FPCR/FPSR across exits; CPU_ON gives
        # a vCPU the reset state, not what was left in the registers. FP is
        # loaded lazily: one FP trap per vCPU start, not one per exit.
        r = self.nestlab("run", "--json", "--smp", "3", guest("fpsmp.elf"), timeout=120)
        self.assertEqual(r.code, 0, r)
        lines = [json.loads(line) for line in r.out.splitlines() if line.strip()]
        text = "".join(line.get("console", "") for line in lines)
        final = [line["exit"] for line in lines if "exit" in line][-1]
        for cpu in (0, 1, 2):
            self.assertIn(f"ok: FP/SIMD registers kept across exits (cpu {cpu})", text)
        self.assertIn("ok: FP/SIMD registers in their reset state after CPU_ON (cpu 1)", text)
        self.assertIn("fpsmp: 0 failure(s)", text)
        # cpus 0, 1, 2, then 1 again; one more each time the scheduler moves
        # a vCPU off its CPU and back, never one per exit.
        self.assertGreaterEqual(final["counters"]["SVE_SIMD_FP"], 4)
        self.assertLessEqual(final["counters"]["SVE_SIMD_FP"], 10)
        self.assertGreater(final["counters"]["HVC64"], 600)

    def test_two_vcpus(self):
        r = self.nestlab("run", "--smp", "2", guest("smp.elf"), timeout=120)
        self.assertEqual(r.code, 0, r)
        self.assertIn("cpu 1: up, MPIDR.Aff0 1", r.out)
        self.assertIn("all 1 secondaries are off again; 0 failures", r.out)

    def test_system_reset_from_a_secondary_restarts_every_vcpu(self):
        r = self.nestlab("run", "--smp", "3", "--append", "reboot=1", guest("smp.elf"), timeout=120)
        self.assertEqual(r.code, 0, r)
        self.assertIn("cpu 1: asking for a system reset", r.out)
        self.assertIn("smp: second boot after a reset from cpu 1", r.out)
        self.assertIn("cpu 0: all 2 secondaries are off again; 0 failures", r.out)

    def test_secondaries_started_back_to_back_all_come_up(self):
        # Each CPU_ON wakes a CPU for its vCPU; the next one comes before that
        # CPU has run, and must wake another (4 vCPUs on the VHV's 4 CPUs).
        for _ in range(3):
            r = self.nestlab("run", "--smp", "4", "--append", "burst=1", guest("smp.elf"),
                             timeout=60)
            self.assertEqual(r.code, 0, r)
            self.assertIn("cpu 0: started 3 secondaries back to back", r.out)
            self.assertIn("cpu 0: 3 secondaries said hello, SGIs received: yes", r.out)

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

    def test_rtc_shows_host_time_moves_with_guest_time_and_matches_in_wfi(self):
        # The PL031 (tests/guests/rtc.cpp): RTCDR is the host's wall clock,
        # 3 s of the guest's own counter move it by exactly 3, and a match
        # 2 s ahead wakes the guest from WFI with its interrupt.
        before = time.time()
        r = self.nestlab("run", guest("rtc.elf"), timeout=120)
        after = time.time()
        self.assertEqual(r.code, 0, r)
        m = re.search(r"rtc: start (\d+)", r.out)
        self.assertIsNotNone(m, r.out)
        self.assertGreaterEqual(int(m.group(1)), int(before) - 2, "the RTC is behind the host")
        self.assertLessEqual(int(m.group(1)), after + 2, "the RTC is ahead of the host")
        self.assertIn("rtc: 3 s of guest time moved RTCDR by 3", r.out)
        m = re.search(r"rtc: match interrupt after (\d+) ms in WFI, RIS 1 MIS 1, cleared: yes", r.out)
        self.assertIsNotNone(m, r.out)
        self.assertTrue(900 <= int(m.group(1)) <= 2100, r.out)
        self.assertIn("rtc: 0 failures", r.out)

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

    # S3/S9: the boot tables and the user's device map.
    def device_map(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".map", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_a_driver_binds_to_an_obscure_device_through_the_device_map(self):
        path = self.device_map("# our drivers' names for nestlab's devices\n"
                               "NLAB0003 = acme,dogwatch-3000\n"
                               "arm,pl011 = acme,uart\n")
        r = self.nestlab("run", "--device-map", path, guest("devmap.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("devmap: the device tree carries a device map", r.out)
        self.assertIn("devmap: bound acme-dogwatch to wfe-watchdog (NLAB0003, mapped to "
                      "acme,dogwatch-3000): probe ok", r.out)
        self.assertIn("devmap: bound acme-uart to pl011@9000000 (arm,pl011, mapped to acme,uart): "
                      "probe ok", r.out)
        # Unmapped devices of the second table still say what they resemble.
        self.assertIn("devmap: no driver for backdoor (NLAB0001, compatible-id arm,smccc-1.1)",
                      r.out)

    def test_without_a_map_the_obscure_device_gets_no_driver(self):
        r = self.nestlab("run", guest("devmap.elf"))
        self.assertEqual(r.code, 1, r)
        self.assertIn("devmap: no device map", r.out)
        self.assertIn("devmap: no driver for wfe-watchdog (NLAB0003, compatible-id arm,sbsa-gwdt)",
                      r.out)
        self.assertIn("devmap: 0 driver(s) bound", r.out)

    def test_a_bad_device_map_is_refused_naming_the_line(self):
        path = self.device_map("NLAB0003 = acme,dogwatch-3000\n\nNLAB0003 = acme,other\n")
        r = self.nestlab("run", "--device-map", path, guest("devmap.elf"))
        self.assertEqual(r.code, 125, r)
        self.assertIn('device map line 3: device "NLAB0003" is already mapped on line 1', r.err)
        r = self.nestlab("run", "--device-map", self.device_map("NLAB0003 acme\n"),
                         guest("devmap.elf"))
        self.assertEqual(r.code, 125, r)
        self.assertIn('device map line 1: expected DEVICE_ID = GUEST_ID, found "NLAB0003 acme"',
                      r.err)
        r = self.nestlab("run", "--device-map", "/nonexistent/map", guest("devmap.elf"))
        self.assertEqual(r.code, 2, r)
        self.assertIn("--device-map /nonexistent/map: cannot read it", r.err)

    # S13: a lowvisor task moved to another CPU in the middle of a PRDA operation.
    def test_a_prda_operation_touches_the_area_of_the_cpu_it_runs_on_after_a_move(self):
        name = f"prda-{os.getpid()}-{time.monotonic_ns()}"
        p = self.start_nestlab("run", "--name", name, "--smp", "2", "--append", "rounds=4 wait=1",
                               guest("prda.elf"))
        try:
            out = read_until(p.stdout, b"waiting for host.command=exit", 90).decode(errors="replace")
            self.assertIn("prda: window: status 0, address obtained on cpu 0, operation on cpu 1, "
                          "touched cpu 1's area, task finished on cpu 1", out)
            self.assertIn("prda: no-preempt: status 0, address obtained on cpu 0, operation on "
                          "cpu 0, touched cpu 0's area, task finished on cpu 1", out)
            # The unsafe way, for contrast: a cached home address hits the old CPU.
            self.assertIn("prda: home-address: status 0, address obtained on cpu 0, operation on "
                          "cpu 1, touched cpu 0's area", out)
            # The vCPU itself as the context that moves, there and back.
            self.assertIn("prda: vcpu-window: status 0, address obtained on cpu 0, operation on "
                          "cpu 1, touched cpu 1's area, vcpu now on cpu 1", out)
            self.assertIn("prda: vcpu-no-preempt: status 0, address obtained on cpu 1, "
                          "operation on cpu 1, touched cpu 1's area, vcpu now on cpu 0", out)
            r = self.nestlab("vm", "stats", name, "--json")
            self.assertEqual(r.code, 0, r)
            trap = json.loads(r.out)["trap"]
            # Per CPU, from the status page: 4 window, 4 vcpu-window and 4
            # vcpu-no-preempt operations in CPU 1's area, 4 no-preempt + 4
            # home-address ones in CPU 0's.
            self.assertEqual(trap["prda_ops"][:2], [8, 12], trap)
            self.assertEqual(trap["task_migrations"], 12, trap)
            vcpu0 = json.loads(r.out)["vcpus"][0]
            self.assertGreaterEqual(vcpu0["migrations"], 8, vcpu0)
            r = self.nestlab("vm", "guestinfo", name, "host.command=exit")
            self.assertEqual(r.code, 0, r)
            out, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 0, err)
        self.assertIn(b"prda: 4 rounds, 0 failure(s)", out)
