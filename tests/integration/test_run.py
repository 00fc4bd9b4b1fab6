"""`nestlab run` of bare-metal guests, as a user runs it."""
import os
import signal
import subprocess
import threading
import time
import unittest

from harness import KernelTestCase, guest, read_until, run_plain_qemu, QEMU

from harness import HELLO_TEXT as HELLO


class RunTest(KernelTestCase):
    def test_hello_prints_and_exits_zero(self):
        r = self.nestlab("run", guest("hello.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn(HELLO + "\n", r.out)

    def test_bootargs_reach_the_guest(self):
        r = self.nestlab("run", "--append", "console=pl011 quiet", guest("hello.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("bootargs: console=pl011 quiet\n", r.out)

    def test_exit_code_travels_to_nestlab_run(self):
        for code in (0, 7, 255):
            r = self.nestlab("run", "--append", f"exit={code}", guest("exitcode.elf"))
            self.assertEqual(r.code, code, r)
            self.assertIn(f"exiting with {code}", r.out)

    def test_raw_image_loads_at_ram_plus_0x80000(self):
        r = self.nestlab("run", guest("hello.bin"))
        self.assertEqual(r.code, 0, r)
        self.assertIn(HELLO, r.out)

    @unittest.skipUnless(QEMU, "qemu-system-aarch64 is not installed")
    def test_same_output_as_plain_qemu(self):
        # Plain QEMU hands an ELF guest no device tree (only raw and Linux
        # images get one in x0), so bootargs are compared on the raw image.
        for image, append in (("hello.elf", None), ("demo.elf", None), ("abort-handled.elf", None),
                              ("hello.bin", "differential run")):
            with self.subTest(image=image):
                ours = self.nestlab("run", *(["--append", append] if append else []), guest(image))
                plain = run_plain_qemu(guest(image), append)
                self.assertEqual(ours.code, 0, ours)
                self.assertEqual(plain.code, 0, plain)
                self.assertTrue(ours.out.strip(), "the guest printed nothing")
                self.assertEqual(ours.out.replace("\r\n", "\n"), plain.out.replace("\r\n", "\n"))

    def test_stats_prints_exit_counters_per_class(self):
        r = self.nestlab("run", "--stats", guest("demo.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("HVC64", r.err)
        self.assertIn("DABT_LOW", r.err)

    def test_stats_json(self):
        import json
        r = self.nestlab("run", "--stats", "--json", guest("hello.elf"))
        self.assertEqual(r.code, 0, r)
        lines = [json.loads(line) for line in r.out.splitlines()]
        text = "".join(line.get("console", "") for line in lines)
        self.assertIn(HELLO, text)
        final = lines[-1]["exit"]
        self.assertEqual(final["reason"], "poweroff")
        self.assertEqual(final["code"], 0)
        self.assertGreater(final["counters"]["DABT_LOW"], 10)
        self.assertEqual(final["counters"]["HVC64"], 1)
        stats = json.loads(r.err.strip().splitlines()[-1])  # --stats reports on stderr
        self.assertEqual(stats["counters"], final["counters"])

    def test_three_concurrent_runs_do_not_mix_output(self):
        procs = [self.start_nestlab("run", "--append", f"demo-guest {i}", guest("demo.elf"))
                 for i in (1, 2, 3)]
        outs = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err.decode(errors="replace"))
            outs.append(out.decode())
        for i, out in enumerate(outs, start=1):
            self.assertIn(f"demo-guest {i}", out)
            for j in (1, 2, 3):
                if j != i:
                    self.assertNotIn(f"demo-guest {j}", out)

    def test_guest_fault_stops_only_that_guest_with_a_message(self):
        r = self.nestlab("run", guest("fault.elf"))
        self.assertEqual(r.code, 126, r)
        self.assertIn("DABT_LOW", r.err)
        self.assertRegex(r.err, r"pc 0x[0-9a-f]+")
        self.assertRegex(r.err, r"iss 0x[0-9a-f]+")
        self.assertEqual(self.nestlab("run", guest("hello.elf")).code, 0)

    def test_guest_with_its_own_vectors_catches_the_abort(self):
        r = self.nestlab("run", guest("abort-handled.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("caught data abort", r.out)

    def test_smc_is_undefined_like_on_plain_qemu(self):
        r = self.nestlab("run", guest("smc.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("EC=0x00", r.out.upper().replace("EC=0X", "EC=0x"))

    def test_ctrl_c_stops_cleanly_and_leaves_nothing_running(self):
        p = self.start_nestlab("run", guest("spin.elf"))
        seen = read_until(p.stdout, b"spinning", timeout=60)
        self.assertIn(b"spinning", seen)
        p.send_signal(signal.SIGINT)
        p.communicate(timeout=30)
        self.assertEqual(p.returncode, 130)
        deadline = time.time() + 10
        while time.time() < deadline:
            listing = self.nestlab("vhv", "list", "--json")
            if listing.out.strip() in ("[]", ""):
                break
            time.sleep(0.1)
        self.assertEqual(listing.out.strip(), "[]", listing)
        self.assertKernelAlive()

    def test_vhv_list_inspect_rm(self):
        import json
        created = self.nestlab("vhv", "create", "--name", "lab-a", "--json")
        self.assertEqual(created.code, 0, created)
        listing = json.loads(self.nestlab("vhv", "list", "--json").out)
        self.assertIn("lab-a", [v["name"] for v in listing])
        info = self.nestlab("vhv", "inspect", "lab-a", "--json")
        self.assertEqual(json.loads(info.out)["name"], "lab-a")
        self.assertEqual(self.nestlab("vhv", "rm", "lab-a").code, 0)
        listing = json.loads(self.nestlab("vhv", "list", "--json").out)
        self.assertNotIn("lab-a", [v["name"] for v in listing])
        missing = self.nestlab("vhv", "inspect", "lab-a")
        self.assertNotEqual(missing.code, 0)
        self.assertIn("lab-a", missing.err)

    def test_vhv_stop_keeps_it_listed_and_start_runs_it_again(self):
        import json
        self.assertEqual(self.nestlab("vhv", "create", "--name", "lab-s", "--cpu-weight",
                                      "300").code, 0)
        try:
            first_pid = json.loads(self.nestlab("vhv", "inspect", "lab-s", "--json").out)["pid"]
            r = self.nestlab("vm", "run", "lab-s", guest("spin.elf"))
            self.assertEqual(r.code, 0, r)
            r = self.nestlab("vhv", "stop", "lab-s")
            self.assertEqual(r.code, 0, r)
            info = json.loads(self.nestlab("vhv", "inspect", "lab-s", "--json").out)
            self.assertEqual(info["state"], "stopped")
            self.assertEqual(info["vm"]["reason"], "stopped")  # the spinning guest was ended
            with self.assertRaises(ProcessLookupError):
                os.kill(first_pid, 0)  # its highvisor is gone (reaped by the kernel)
            again = self.nestlab("vhv", "stop", "lab-s")
            self.assertEqual(again.code, 1)
            self.assertIn("already stopped", again.err)

            r = self.nestlab("vhv", "start", "lab-s", "--json")
            self.assertEqual(r.code, 0, r)
            info = json.loads(self.nestlab("vhv", "inspect", "lab-s", "--json").out)
            self.assertEqual(info["state"], "ready")
            self.assertNotEqual(info["pid"], first_pid)
            self.assertEqual(info["cpu_weight"], 300)  # the same limits as before
            r = self.nestlab("vm", "run", "lab-s", guest("exitcode.elf"), "--append", "exit=9",
                             "--wait")
            self.assertEqual(r.code, 9, r)
            busy = self.nestlab("vhv", "start", "lab-s")
            self.assertEqual(busy.code, 1)
            self.assertIn("only a stopped or failed VHV", busy.err)
        finally:
            self.nestlab("vhv", "rm", "lab-s")


if __name__ == "__main__":
    unittest.main()
