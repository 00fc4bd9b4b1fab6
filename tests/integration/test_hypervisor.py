"""`nestlab run --hypervisor HYP.elf [GUEST ...]` (docs/hypervisor.md): a VHV
that boots the student's own EL2 image instead of the lowvisor. The EL2 test
programs (tests/hyp) print the same lines under plain QEMU and nestlab; the
EL2 exception counts nestlab reports come from QEMU's own log and match the
HVCs each program made; a guest given after HYP.elf is found through the
device tree; bad images are refused before anything runs; the VHV is jailed
like every other."""
import json
import os
import signal
import struct
import subprocess
import tempfile
import time
import unittest

from elf_craft import EM_X86_64, make_elf
from harness import QEMU, SHARE, KernelTestCase, Result, capped, guest, read_until

HYP = os.path.join(SHARE, "hyp")


def hyp(name):
    return os.path.join(HYP, name)


def lines(text):
    return [line.rstrip("\r") for line in text.splitlines()]


def run_plain_qemu_el2(image, timeout=30):
    """The baseline: the image at EL2 of plain QEMU, run the way nestlab runs it."""
    args = [QEMU, "-M", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a72", "-m", "128M",
            "-nographic", "-nodefaults", "-serial", "stdio", "-kernel", image]
    p = subprocess.run(args, timeout=timeout, capture_output=True, stdin=subprocess.DEVNULL)
    return Result(p.returncode, capped(p.stdout).decode(errors="replace"),
                  capped(p.stderr).decode(errors="replace"))


def first_load(path):
    """(lowest paddr, entry, first 8 loaded bytes) of an ELF, read here independently."""
    with open(path, "rb") as f:
        data = f.read()
    entry, phoff = struct.unpack_from("<QQ", data, 24)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    loads = []
    for i in range(phnum):
        ptype, _, offset, _, paddr, filesz, _ = struct.unpack_from("<IIQQQQQ", data,
                                                                   phoff + i * phentsize)
        if ptype == 1:
            loads.append((paddr, offset, filesz))
    paddr, offset, filesz = min(loads)
    return paddr, entry, data[offset:offset + min(8, filesz)]


def status_field(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    return None


class HypervisorTest(KernelTestCase):
    def run_hyp(self, *args, timeout=60):
        return self.nestlab("run", *args, timeout=timeout)

    def test_same_console_as_plain_qemu_and_exit_zero(self):
        plain = run_plain_qemu_el2(hyp("hvc3.elf"))
        self.assertEqual(plain.code, 0, plain)
        self.assertIn("CurrentEL: 2", plain.out)
        r = self.run_hyp("--hypervisor", hyp("hvc3.elf"))
        self.assertEqual(r.code, 0, r)
        self.assertEqual(lines(r.out), lines(plain.out))
        self.assertIn("EL1 made 4 HVC calls", r.out)
        self.assertIn("nestlab guests: 0", r.out)
        self.assertKernelAlive()

    def test_el2_exception_counts_match_the_hvcs_made(self):
        # 3 and 5 calls of HVC #0x12, each program one HVC #0x99 more: a count
        # that ignored the program would not follow it.
        for image, hvcs in (("hvc3.elf", 4), ("hvc5.elf", 6)):
            r = self.nestlab("--json", "run", "--hypervisor", hyp(image), timeout=60)
            self.assertEqual(r.code, 0, r)
            records = [json.loads(line) for line in r.out.splitlines()]
            text = "".join(rec.get("console", "") for rec in records)
            self.assertIn(f"EL1 made {hvcs} HVC calls", text)
            self.assertEqual(text.count("EL2: exception class 0x16 (HVC64)"), hvcs)
            exit_record = [rec["exit"] for rec in records if "exit" in rec][0]
            self.assertEqual(exit_record["reason"], "poweroff", exit_record)
            # Only exceptions taken to EL2: the SMC to QEMU's PSCI goes to "EL3".
            self.assertEqual(exit_record["counters"], {"HVC64": hvcs}, exit_record)

    def test_vm_stats_and_trace_of_a_persistent_hypervisor_vhv(self):
        r = self.nestlab("vhv", "create", "--name", "hyp-p", "--hypervisor", hyp("hvc5.elf"))
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", "hyp-p")
        info = json.loads(self.nestlab("--json", "vhv", "inspect", "hyp-p").out)
        self.assertEqual(info["hypervisor"], "hvc5.elf", info)
        shown = self.nestlab("vhv", "inspect", "hyp-p")
        self.assertRegex(shown.out, r"hypervisor:\s+hvc5.elf", shown)
        run = self.nestlab("vm", "run", "hyp-p", hyp("hvc5.elf"), "--wait")
        self.assertEqual(run.code, 0, run)
        stats = self.nestlab("--json", "vm", "stats", "hyp-p")
        self.assertEqual(stats.code, 0, stats)
        s = json.loads(stats.out)
        self.assertEqual(s["counters"], {"HVC64": 6}, s)
        text = self.nestlab("vm", "stats", "hyp-p")
        self.assertEqual(text.code, 0, text)
        self.assertIn("HVC64", text.out)
        trace = self.nestlab("vm", "trace", "hyp-p", "-n", "16", "--json")
        self.assertEqual(trace.code, 0, trace)
        entries = [json.loads(line) for line in trace.out.splitlines()]
        self.assertEqual([e["class"] for e in entries], ["HVC64"] * 6, entries)
        self.assertEqual([int(e["iss"], 16) & 0xffff for e in entries], [0x12] * 5 + [0x99],
                         entries)
        again = self.nestlab("vm", "run", "hyp-p", hyp("hvc5.elf"), "--wait")
        self.assertNotEqual(again.code, 0, again)
        self.assertIn("already run", again.err, again)

    def test_nestlab_console_shows_its_pl011(self):
        r = self.nestlab("vhv", "create", "--name", "hyp-c", "--hypervisor", hyp("hvc3.elf"))
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", "hyp-c")
        p = self.start_nestlab("console", "hyp-c", "--log", "--run", hyp("hvc3.elf"))
        try:
            out = read_until(p.stdout, b"powering off", 60)
            err = read_until(p.stderr, b"exited: poweroff, code 0", 30)
        finally:
            p.kill()
            p.wait(timeout=10)
            p.stdout.close()
            p.stderr.close()
        text = out.decode(errors="replace")
        self.assertIn("nestlab EL2 test program", text)
        self.assertIn("EL1 made 4 HVC calls", text)
        self.assertIn(b"exited: poweroff, code 0", err)

    def test_a_hypervisor_that_never_ends_is_stopped_from_outside(self):
        tmp = tempfile.mkdtemp(prefix="nestlab-hyp-")
        spin = os.path.join(tmp, "spin.elf")
        with open(spin, "wb") as f:
            f.write(make_elf([(0x4020_0000, bytes.fromhex("00000014"), 4)]))  # b .
        r = self.nestlab("vhv", "create", "--name", "hyp-s", "--hypervisor", spin)
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", "hyp-s")
        self.assertEqual(self.nestlab("vm", "run", "hyp-s", spin).code, 0)
        time.sleep(0.5)
        vms = json.loads(self.nestlab("--json", "vm", "list", "hyp-s").out)["vms"]
        self.assertEqual(vms[0]["state"], "running", vms)
        stop = self.nestlab("vm", "stop", "hyp-s", "--vm", "0")
        self.assertEqual(stop.code, 0, stop)
        deadline = time.time() + 20
        while time.time() < deadline:
            vms = json.loads(self.nestlab("--json", "vm", "list", "hyp-s").out)["vms"]
            if vms[0]["state"] == "exited":
                break
            time.sleep(0.1)
        self.assertEqual(vms[0]["state"], "exited", vms)
        self.assertEqual(vms[0]["reason"], "stopped", vms)
        # Ctrl-C ends `nestlab run` and its VHV.
        p = self.start_nestlab("run", "--hypervisor", spin)
        time.sleep(2)
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(timeout=20), 130)
        p.stdout.close()
        p.stderr.close()

    def test_exit_code_is_x1_of_system_off(self):
        plain = run_plain_qemu_el2(hyp("exit7.elf"))
        self.assertEqual(plain.code, 0, plain)  # plain QEMU ignores x1
        r = self.run_hyp("--hypervisor", hyp("exit7.elf"))
        self.assertEqual(r.code, 7, r)
        self.assertEqual(lines(r.out), lines(plain.out))

    def test_a_guest_is_found_through_the_device_tree(self):
        image = guest("hello.elf")
        load, entry, head = first_load(image)
        r = self.run_hyp("--hypervisor", hyp("hvc3.elf"), image)
        self.assertEqual(r.code, 0, r)
        found = [l for l in lines(r.out) if l.startswith("guest 0: ")]
        self.assertEqual(len(found), 1, r)
        words = found[0].split()
        self.assertEqual(words[2], "hello.elf")
        self.assertEqual(int(words[4], 16), 0x44000000)  # the lab contract's first slot
        self.assertEqual(int(words[8], 16), load)
        self.assertEqual(int(words[10], 16), entry)
        self.assertEqual(bytes(int(b, 16) for b in words[12:20]), head, found[0])
        self.assertIn("nestlab guests: 1", r.out)
        # Two guests: the second in the next 2 MiB slot.
        two = self.run_hyp("--hypervisor", hyp("hvc3.elf"), image, guest("exitcode.elf"))
        self.assertEqual(two.code, 0, two)
        self.assertIn("guest 1: exitcode.elf at 0x44200000", two.out)

    def test_bad_inputs_are_refused_before_anything_runs(self):
        tmp = tempfile.mkdtemp(prefix="nestlab-hyp-")
        text = os.path.join(tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("this is not an image\n" * 10)
        outside = os.path.join(tmp, "outside.elf")
        with open(outside, "wb") as f:
            f.write(make_elf([(0x5000_0000, b"\x00" * 64, 64)]))
        x86 = os.path.join(tmp, "x86.elf")
        with open(x86, "wb") as f:
            f.write(make_elf([(0x4020_0000, b"\x00" * 64, 64)], machine=EM_X86_64))
        low = os.path.join(tmp, "low.elf")
        with open(low, "wb") as f:
            f.write(make_elf([(0x4008_0000, b"\x00" * 64, 64)]))
        cases = [
            (["--hypervisor", os.path.join(tmp, "missing.elf")], "cannot open"),
            (["--hypervisor", text], "cannot run at EL2: not an ELF file"),
            (["--hypervisor", outside], "does not fit"),
            (["--hypervisor", x86], "cannot run at EL2"),
            (["--hypervisor", low, guest("hello.elf")], "at or above 0x40100000"),
            (["--hypervisor", hyp("hvc3.elf"), text], "guest 0 (notes.txt)"),
            (["--hypervisor", hyp("hvc3.elf"), os.path.join(tmp, "nope.elf")], "as a guest"),
            (["--hypervisor", hyp("hvc3.elf"), "--append", "x"], "--append is for guests"),
        ]
        for args, message in cases:
            started = time.time()
            r = self.run_hyp(*args, timeout=30)
            self.assertNotEqual(r.code, 0, (args, r))
            self.assertIn(message, r.err, (args, r))
            self.assertEqual(r.out, "", (args, r))  # nothing ran
            self.assertLess(time.time() - started, 20, args)
        self.assertEqual(self.nestlab("vhv", "list").code, 0)
        self.assertKernelAlive()

    def test_a_hypervisor_vhv_is_jailed_like_every_vhv(self):
        r = self.nestlab("vhv", "create", "--name", "hyp-j", "--hypervisor", hyp("hvc3.elf"),
                         guest("hello.elf"))
        self.assertEqual(r.code, 0, r)
        self.addCleanup(self.nestlab, "vhv", "rm", "hyp-j")
        info = json.loads(self.nestlab("--json", "vhv", "inspect", "hyp-j").out)
        hv = info["pid"]
        with open(f"/proc/{hv}/task/{hv}/children") as f:
            children = [int(p) for p in f.read().split()]
        self.assertTrue(children, "the highvisor has no QEMU child")
        for pid in (hv, children[0]):
            self.assertEqual(status_field(pid, "CapEff"), "0000000000000000")
            self.assertEqual(status_field(pid, "NoNewPrivs"), "1")
            self.assertEqual(status_field(pid, "Seccomp"), "2")
            for host_file in ["etc/shadow", "root", "home"]:
                self.assertFalse(os.path.exists(os.path.join(f"/proc/{pid}/root", host_file)))
            if os.geteuid() == 0:
                uid = int(status_field(pid, "Uid").split()[0])
                self.assertNotEqual(uid, 0, f"pid {pid} runs as root")
                self.assertEqual(uid, info["host_uid"], info)
        with open(f"/proc/{children[0]}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        self.assertIn(b"virt,virtualization=on,gic-version=3,memory-backend=vhvram", argv)
        self.assertIn(b"-S", argv)  # paused until vm run
        if info["limits"] == "cgroup":
            self.assertTrue(info["cgroup"].endswith(info["id"]), info)
        run = self.nestlab("vm", "run", "hyp-j", hyp("hvc3.elf"), "--wait")
        self.assertEqual(run.code, 0, run)


if __name__ == "__main__":
    unittest.main()
