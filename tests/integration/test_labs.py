"""Labs end to end (issue 7, docs/labs.md): `nestlab lab list|show|init|run|grade`
against the real nestlabd, nestlab-vhv, QEMU and lowvisor, building the lab
programs with the cross compiler as a student would with `make`."""
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

from harness import BIN, SHARE, KernelTestCase, guest, read_until

LABS = os.path.join(SHARE, "labs")
CROSS = shutil.which("aarch64-linux-gnu-g++")
GRADE_TIMEOUT = 240  # seconds; a grade's own wall cap is 120 s plus make

# A lab of our own for what the shipped labs do not exercise: a guest that
# never ends (Ctrl-C, the wall-clock cap, guest-time timeouts).
SPIN_TOML = """id = "90-spin"
title = "Spins forever"
files = ["main.cpp"]

[vm]
mem = "64M"

[limits]
guest_ms = 60000
wall_cap_s = {cap}

[[steps]]
name = "says it spins"
kind = "expect"
pattern = "spinning"
points = 10

[[steps]]
name = "prints what it never prints"
kind = "expect"
pattern = "never printed"
timeout_guest_ms = 1500
points = 10

[[steps]]
name = "powers off"
kind = "exit"
points = 10
"""
SPIN_MAIN = """#include "lab.h"
extern "C" int lab_main(uint64_t) {
  lab::printf("spinning\\n");
  for (;;) asm volatile("wfi");
}
"""

# Reads a line from the PL011 and echoes it: for `send` steps.
ECHO_TOML = """id = "93-echo"
title = "Echo"

[[steps]]
name = "is ready"
kind = "expect"
pattern = "ready>"
points = 1

[[steps]]
name = "types a line"
kind = "send"
input = "hello {nonce}\\r"
points = 1

[[steps]]
name = "echoes it"
kind = "expect"
pattern = "got: hello {nonce}"
points = 1

[[steps]]
name = "exits"
kind = "exit"
code = 5
points = 1
"""
ECHO_MAIN = """#include "lab.h"
extern "C" int lab_main(uint64_t) {
  lab::printf("ready>\\n");
  char line[80];
  size_t n = 0;
  for (;;) {
    if (lab::mmio_read32(lab::uart() + 0x18) & (1u << 4)) continue;  // RXFE: nothing yet
    char c = static_cast<char>(lab::mmio_read32(lab::uart()) & 0xff);
    if (c == '\\r' || c == '\\n') break;
    if (n + 1 < sizeof(line)) line[n++] = c;
  }
  line[n] = 0;
  lab::printf("got: %s\\n", line);
  return 5;
}
"""


def load_json(text):
    return json.loads(text)


@unittest.skipUnless(CROSS, "aarch64-linux-gnu-g++ is not installed (apt install g++-aarch64-linux-gnu)")
class LabTestCase(KernelTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not os.path.isdir(LABS):
            raise RuntimeError(f"no labs in {LABS}: build nestlab first")
        cls.work = tempfile.mkdtemp(prefix="nestlab-labs-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)
        super().tearDownClass()

    @staticmethod
    def read_text(path):
        with open(path) as f:
            return f.read()

    def read_json(self, path):
        return load_json(self.read_text(path))

    def lab(self, *args, timeout=GRADE_TIMEOUT, env=None):
        saved = self.env
        if env is not None:
            self.env = env
        try:  # stdin at EOF: `lab run` must not take the test runner's terminal
            return self.nestlab("lab", *args, timeout=timeout, input=b"")
        finally:
            self.env = saved

    def init(self, lab_id, name, reference=False, env=None):
        d = os.path.join(self.work, name)
        r = self.lab("init", *(["--reference"] if reference else []), lab_id, d, env=env)
        self.assertEqual(r.code, 0, r)
        return d

    def grade(self, lab_id, d, *args, env=None, timeout=GRADE_TIMEOUT):
        """`nestlab lab grade --lab LAB`: a grader pins the lab (the student's
        .nestlab-lab could name another, docs/labs.md)."""
        return self.lab("grade", "--lab", lab_id, *args, d, env=env, timeout=timeout)

    def vhv_processes(self):
        """Host PIDs of every highvisor our kernel knows of and of everything
        they started (QEMU): VhvInfo's qemu_pid is a PID inside the jail."""
        r = self.nestlab("--json", "vhv", "list")
        self.assertEqual(r.code, 0, r)
        roots = [v["pid"] for v in load_json(r.out) if v.get("pid")]
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        found = list(roots)
        for pid in found:  # grows while we walk it: every descendant
            found += [child for child, parent in parents.items() if parent == pid]
        return found

    @staticmethod
    def running(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def assertNothingLeft(self, pids, timeout=10):
        deadline = time.time() + timeout
        alive = list(pids)
        while alive and time.time() < deadline:
            alive = [p for p in alive if self.running(p)]
            time.sleep(0.1)
        self.assertEqual(alive, [], "VHV processes left running after the grade")
        r = self.nestlab("--json", "vhv", "list")
        self.assertEqual(load_json(r.out), [], "the kernel still lists a VHV")

    def custom_labs(self, cap=120, extra=None):
        """A copy of the installed labs plus 90-spin (and `extra` files), as
        NESTLAB_LABS_DIR for the CLI."""
        root = tempfile.mkdtemp(dir=self.work, prefix="labs-")
        shutil.copytree(os.path.join(LABS, "common"), os.path.join(root, "common"))
        spin = os.path.join(root, "90-spin")
        for variant in ("starter", "reference"):
            os.makedirs(os.path.join(spin, variant))
            with open(os.path.join(spin, variant, "main.cpp"), "w") as f:
                f.write(SPIN_MAIN)
        with open(os.path.join(spin, "lab.toml"), "w") as f:
            f.write(SPIN_TOML.replace("{cap}", str(cap)))
        for variant in ("starter", "reference"):
            os.makedirs(os.path.join(root, "93-echo", variant))
            with open(os.path.join(root, "93-echo", variant, "main.cpp"), "w") as f:
                f.write(ECHO_MAIN)
        with open(os.path.join(root, "93-echo", "lab.toml"), "w") as f:
            f.write(ECHO_TOML)
        for path, text in (extra or {}).items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        env = dict(self.env)
        env["NESTLAB_LABS_DIR"] = root
        return env


class TestLabCatalog(LabTestCase):
    def test_list_and_show_json(self):
        r = self.lab("list", "--json")
        self.assertEqual(r.code, 0, r)
        listed = load_json(r.out)
        ids = [l["id"] for l in listed["labs"]]
        shipped = sorted(d for d in os.listdir(LABS) if os.path.exists(os.path.join(LABS, d, "lab.toml")))
        self.assertEqual(ids, shipped)
        self.assertGreaterEqual(len(ids), 1)
        for l in listed["labs"]:
            self.assertIn(l["kind"], ("guest", "hypervisor"))
            self.assertGreater(l["points"], 0)
            self.assertGreater(l["steps"], 0)
            self.assertTrue(l["title"])

        first = ids[0]
        r = self.lab("show", first, "--json")
        self.assertEqual(r.code, 0, r)
        shown = load_json(r.out)
        self.assertEqual(shown["id"], first)
        self.assertEqual(sum(s["points"] for s in shown["steps"]), shown["points"])
        for s in shown["steps"]:
            self.assertIn(s["kind"], ("expect", "send", "mark", "counter", "guestinfo", "exit",
                                      "trace"))
        # By number too, and the human form names every step.
        r = self.lab("show", str(int(first.split("-")[0])))
        self.assertEqual(r.code, 0, r)
        for s in shown["steps"]:
            self.assertIn(s["name"], r.out)

    def test_list_shows_guest_labs_and_hypervisor_labs_apart(self):
        r = self.lab("list")
        self.assertEqual(r.code, 0, r)
        guest_at = r.out.index("Guest labs")
        hyp_at = r.out.index("Hypervisor labs")
        self.assertLess(guest_at, r.out.index("01-boot"))
        self.assertLess(r.out.index("07-scheduler"), hyp_at)
        self.assertLess(hyp_at, r.out.index("hyp-01-world-switch"))
        # Found by its name too; a bare number still means a guest lab.
        self.assertIn("hyp-01-world-switch", self.lab("show", "world-switch").out)
        self.assertIn("01-boot", self.lab("show", "1").out)

    def test_hypervisor_lab_dir_has_the_skeleton_and_its_grade_sees_qemu(self):
        d = self.init("hyp-01-world-switch", "hyp-layout")
        self.assertTrue(os.path.exists(os.path.join(d, "hyp", "vectors.S")))
        self.assertTrue(os.path.exists(os.path.join(d, "world_switch.S")))
        self.assertFalse(os.path.exists(os.path.join(d, "hyp", "guests")))
        self.assertFalse(os.path.exists(os.path.join(d, "common")))
        # The reference: every step, the nonce in the guest's lines differs per
        # run, and QEMU's own count of HVCs at EL2 is in the report.
        d = self.init("hyp-01-world-switch", "hyp-ref", reference=True)
        nonces = []
        for _ in range(2):
            r = self.grade("hyp-01-world-switch", d, "--json")
            self.assertEqual(r.code, 0, r)
            report = load_json(r.out)
            self.assertEqual(report["score"], report["max_score"])
            m = re.search(r"guest: hello from EL1, nonce ([0-9a-f]{16})", report_console(d))
            self.assertTrue(m, report_console(d))
            self.assertNotEqual(m.group(1), "0" * 16)
            nonces.append(m.group(1))
        self.assertNotEqual(nonces[0], nonces[1])
        # lab run: the console on stdout, the guest's exit code as ours.
        r = self.lab("run", d)
        self.assertEqual(r.code, 0, r)
        self.assertIn("guest: 4 of 4 hypercalls returned x0+1", r.out)

    def test_unknown_lab_and_bad_dir_exit_2(self):
        r = self.lab("show", "no-such-lab")
        self.assertEqual(r.code, 2, r)
        self.assertIn('no lab "no-such-lab"', r.err)
        r = self.lab("grade", self.work)  # not a lab directory
        self.assertEqual(r.code, 2, r)
        self.assertIn("is not a lab directory", r.err)
        r = self.lab("grade", "--json", os.path.join(self.work, "missing"))
        self.assertEqual(r.code, 2, r)
        self.assertEqual(load_json(r.out)["error"]["status"], 2)
        d = self.init("01-boot", "twice")
        r = self.lab("init", "01-boot", d)
        self.assertEqual(r.code, 2, r)
        self.assertIn("not empty", r.err)

    def test_bad_lab_toml_is_named_with_key_and_problem(self):
        broken = ('id = "91-broken"\ntitle = "Broken"\n\n[[steps]]\nname = "first"\n'
                  'kind = "expct"\npattern = "x"\n')
        typo = ('id = "92-typo"\ntitle = "Typo"\n\n[[steps]]\nname = "first"\nkind = "exit"\n'
                'cod = 3\n')
        env = self.custom_labs(extra={"91-broken/lab.toml": broken, "92-typo/lab.toml": typo,
                                      "91-broken/starter/main.cpp": SPIN_MAIN})
        r = self.lab("show", "91-broken", env=env)
        self.assertEqual(r.code, 2, r)
        self.assertRegex(r.err, r"91-broken/lab\.toml:6: steps\[0\]\.kind: unknown kind \"expct\" "
                                r"\(known: expect, send, mark, counter, guestinfo, exit, trace, share\)")
        r = self.lab("show", "92-typo", env=env)
        self.assertEqual(r.code, 2, r)
        self.assertRegex(r.err, r"92-typo/lab\.toml:7: steps\[0\]\.cod: unknown key")
        # list still shows the good ones, names the bad ones, and says so in its status.
        r = self.lab("list", env=env)
        self.assertEqual(r.code, 2, r)
        self.assertIn("90-spin", r.out)
        self.assertIn("91-broken/lab.toml", r.err)
        # A student directory of a lab that became broken cannot be graded.
        d = os.path.join(self.work, "broken-dir")
        os.makedirs(d)
        with open(os.path.join(d, ".nestlab-lab"), "w") as f:
            f.write('lab = "91-broken"\n')
        r = self.lab("grade", d, env=env)
        self.assertEqual(r.code, 2, r)
        self.assertIn("unknown kind", r.err)


class TestShippedLabs(LabTestCase):
    """Every shipped lab: the starter fails the grade, the reference passes."""

    def test_every_lab_starter_fails_and_reference_passes(self):
        ids = load_json(self.lab("list", "--json").out)["labs"]
        self.assertTrue(ids)
        for entry in ids:
            lab_id = entry["id"]
            with self.subTest(lab=lab_id, variant="starter"):
                d = self.init(lab_id, lab_id + "-starter")
                r = self.grade(lab_id, d, "--json")
                self.assertEqual(r.code, 1, r)
                report = load_json(r.out)
                self.assertTrue(report["build"]["ok"], r)
                self.assertLess(report["score"], report["max_score"], r)
                self.assertEqual(report["max_score"], entry["points"])
                self.assertEqual(len(report["steps"]), entry["steps"])
            with self.subTest(lab=lab_id, variant="reference"):
                d = self.init(lab_id, lab_id + "-reference", reference=True)
                r = self.grade(lab_id, d)
                self.assertEqual(r.code, 0, r)
                self.assertIn(f"score {entry['points']}/{entry['points']}", r.out)
                self.assertNotIn("\u2717", r.out)
                self.assertEqual(r.out.count("\u2713"), entry["steps"] + 1, r)  # + the build
        self.assertNothingLeft(self.vhv_processes())

    def test_reports_are_valid_junit_tap_and_json(self):
        d = self.init("01-boot", "reports-starter")
        r = self.grade("01-boot", d)
        self.assertEqual(r.code, 1, r)
        grade = os.path.join(d, "grade")
        report = self.read_json(os.path.join(grade, "report.json"))
        for field in ("lab", "title", "dir", "build", "steps", "score", "max_score", "passed",
                      "status", "guest_end"):
            self.assertIn(field, report)
        self.assertEqual(report["lab"], "01-boot")
        self.assertEqual(report["status"], 1)
        failed = [s for s in report["steps"] if s["status"] == "failed"]
        self.assertTrue(failed)
        for s in failed:
            self.assertTrue(s["expected"])
            self.assertTrue(s["seen"])
            # The human summary shows the same expected-vs-seen.
            self.assertIn(s["expected"], r.out)
        tree = ET.parse(os.path.join(grade, "report.xml"))
        suite = tree.getroot().find("testsuite")
        self.assertEqual(int(suite.get("tests")), len(report["steps"]))
        self.assertEqual(len(suite.findall("testcase")), len(report["steps"]))
        self.assertEqual(len(suite.findall("testcase/failure")), len(failed))
        with open(os.path.join(grade, "report.tap")) as f:
            tap = f.read().splitlines()
        self.assertEqual(tap[0], "TAP version 13")
        self.assertEqual(tap[1], f"1..{len(report['steps'])}")
        points = [l for l in tap if re.match(r"^(not )?ok \d+ - ", l)]
        self.assertEqual(len(points), len(report["steps"]))
        self.assertEqual(sum(l.startswith("not ok") for l in points),
                         sum(s["status"] != "passed" for s in report["steps"]))

    def test_stale_marker_mac_is_rejected(self):
        # A correct run's marker line, replayed by a program that does not ask
        # for this run's secret, must not count.
        ref = self.init("01-boot", "mac-reference", reference=True)
        r = self.grade("01-boot", ref)
        self.assertEqual(r.code, 0, r)
        console = ET.parse(os.path.join(ref, "grade", "report.xml")).getroot().find(
            "testsuite/system-out").text
        marker = re.search(r"@@mark (\S+) ([0-9a-f]{16})", console)
        self.assertIsNotNone(marker, console)
        d = self.init("01-boot", "mac-forged", reference=True)
        main = os.path.join(d, "main.cpp")
        with open(main) as f:
            source = f.read()
        self.assertIn("lab::mark(name);", source)
        with open(main, "w") as f:
            f.write(source.replace("lab::mark(name);",
                                   f'lab::printf("@@mark %s {marker.group(2)}\\n", name);'))
        r = self.grade("01-boot", d, "--json")
        self.assertEqual(r.code, 1, r)
        report = load_json(r.out)
        mark_steps = [s for s in report["steps"] if s["kind"] == "mark"]
        self.assertEqual(mark_steps[0]["status"], "failed", report)
        self.assertIn("not this run's", mark_steps[0]["seen"])
        self.assertIn(marker.group(2), mark_steps[0]["seen"])
        # Everything else the reference does still passes.
        self.assertEqual(report["score"], report["max_score"] - mark_steps[0]["max_points"])

    def test_build_failure_is_reported_with_compiler_output(self):
        d = self.init("01-boot", "broken-build")
        with open(os.path.join(d, "main.cpp"), "a") as f:
            f.write("\nint broken( {\n")
        r = self.grade("01-boot", d)
        self.assertEqual(r.code, 1, r)
        self.assertIn("build: `make -C", r.out)
        self.assertRegex(r.out, r"main\.cpp:\d+:\d+: error")
        self.assertIn("score 0/", r.out)
        report = self.read_json(os.path.join(d, "grade", "report.json"))
        self.assertFalse(report["build"]["ok"])
        self.assertIn("error", report["build"]["output"])
        self.assertTrue(all(s["status"] == "not-reached" for s in report["steps"]))

    def test_program_the_loader_refuses_is_a_failed_grade(self):
        d = self.init("01-boot", "not-an-elf")
        with open(os.path.join(d, "Makefile"), "w") as f:
            f.write("all:\n\t@mkdir -p build; echo not an elf > build/lab.elf\n")
        r = self.grade("01-boot", d)
        self.assertEqual(r.code, 1, r)
        self.assertIn("\u2717 start: lab.elf is not an AArch64 ELF", r.out)
        self.assertIn("score 0/", r.out)
        self.assertNothingLeft(self.vhv_processes())


class TestLabsCannotBeCheated(LabTestCase):
    """Markers prove this run, not this work: each lab's cheapest cheater
    (labs/NN-*/cheater/, printing the expected lines, calling every marker,
    making dummy traps) must score less than half, because the steps check
    what only the lowvisor and the host see, on a platform that changes
    every run."""

    def test_every_cheater_scores_less_than_half(self):
        labs = load_json(self.lab("list", "--json").out)["labs"]
        ids = [l["id"] for l in labs]
        self.assertEqual(len(ids), 8)
        self.assertEqual([l["id"] for l in labs if l["kind"] == "hypervisor"],
                         ["hyp-01-world-switch"])
        for lab_id in ids:
            with self.subTest(lab=lab_id):
                cheater = os.path.join(LABS, lab_id, "cheater")
                files = sorted(os.listdir(cheater)) if os.path.isdir(cheater) else []
                self.assertTrue(files, f"{lab_id} has no cheater")
                d = self.init(lab_id, lab_id + "-cheater")
                for name in files:  # a guest lab's main.cpp; a hypervisor lab's files
                    shutil.copy(os.path.join(cheater, name), os.path.join(d, name))
                r = self.grade(lab_id, d, "--json")
                report = load_json(r.out)
                self.assertEqual(r.code, 1, r)
                self.assertTrue(report["build"]["ok"], r)
                self.assertLess(2 * report["score"], report["max_score"],
                                [(s["name"], s["points"]) for s in report["steps"]])
        self.assertNothingLeft(self.vhv_processes())

    def test_the_platform_changes_every_grade(self):
        # 01-boot's answers are facts of the platform: the PL011's address
        # and the RAM size differ per run, announced only in the device tree
        # (the reference reads them from it and passes each time).
        d = self.init("01-boot", "vary-reference", reference=True)
        seen = []
        for _ in range(2):
            r = self.grade("01-boot", d, "--json")
            self.assertEqual(r.code, 0, r)
            report = load_json(r.out)
            self.assertEqual(report["score"], report["max_score"])
            platform = report["platform"]
            self.assertNotEqual(platform["pl011"], 0x0900_0000)
            self.assertEqual(platform["pl011"] % 4096, 0)
            self.assertIn(f"uart: pl011 at {platform['pl011']:#x}", report_console(d))
            self.assertIn(f"memory: {platform['mem'] >> 20} MiB", report_console(d))
            seen.append((platform["pl011"], platform["mem"]))
        self.assertNotEqual(seen[0], seen[1])

    def test_lab_comes_from_the_directory_unless_pinned(self):
        # The student's .nestlab-lab names the lab; a grader pins it with
        # --lab, and a directory that claims another lab is graded as --lab
        # says, and the report says so.
        d = self.init("01-boot", "claims-another", reference=True)
        with open(os.path.join(d, ".nestlab-lab"), "w") as f:
            f.write('lab = "05-timers"\n')
        r = self.lab("grade", "--json", d)  # unpinned: the directory's claim
        self.assertEqual(load_json(r.out)["lab"], "05-timers", r)
        r = self.grade("01-boot", d, "--json")
        report = load_json(r.out)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(report["lab"], "01-boot")
        self.assertEqual(report["score"], report["max_score"])
        self.assertIn('.nestlab-lab names "05-timers"', report["note"])
        r = self.grade("1", d)  # by number too; the text says it
        self.assertIn("graded as lab 01-boot (--lab)", r.out)
        # Pinned, a directory without .nestlab-lab is graded all the same.
        os.unlink(os.path.join(d, ".nestlab-lab"))
        r = self.grade("01-boot", d, "--json")
        self.assertEqual(r.code, 0, r)
        self.assertIn("was not usable", load_json(r.out)["note"])
        r = self.grade("no-such-lab", d)
        self.assertEqual(r.code, 2, r)

    def test_reports_do_not_follow_the_students_links(self):
        # A student's `grade/report.json -> /etc/something` (here a file of
        # ours) must not be written through: the reports go into a
        # directory the grader made, files opened with O_NOFOLLOW.
        victim_dir = tempfile.mkdtemp(dir=self.work, prefix="victim-")
        victim = os.path.join(victim_dir, "passwd")
        with open(victim, "w") as f:
            f.write("root:x:0:0\n")
        d = self.init("01-boot", "symlinked-report")
        with open(os.path.join(d, "main.cpp"), "a") as f:
            f.write("\nint broken( {\n")  # a failed build still writes reports
        os.makedirs(os.path.join(d, "grade"))
        for name in ("report.json", "report.xml", "report.tap"):
            os.symlink(victim, os.path.join(d, "grade", name))
        r = self.grade("01-boot", d)
        self.assertEqual(r.code, 1, r)
        self.assertEqual(self.read_text(victim), "root:x:0:0\n")
        for name in ("report.json", "report.xml", "report.tap"):
            path = os.path.join(d, "grade", name)
            self.assertFalse(os.path.islink(path), path)
            self.assertTrue(os.path.isfile(path), path)
        self.assertFalse(self.read_json(os.path.join(d, "grade", "report.json"))["build"]["ok"])
        # `grade` itself a link to a directory of someone else's: replaced, not entered.
        shutil.rmtree(os.path.join(d, "grade"))
        os.symlink(victim_dir, os.path.join(d, "grade"))
        r = self.grade("01-boot", d)
        self.assertEqual(r.code, 1, r)
        self.assertEqual(sorted(os.listdir(victim_dir)), ["passwd"])
        self.assertFalse(os.path.islink(os.path.join(d, "grade")))
        self.assertTrue(os.path.isfile(os.path.join(d, "grade", "report.json")))
        self.assertEqual([n for n in os.listdir(d) if n.startswith(".grade")], [])


def report_console(d):
    return ET.parse(os.path.join(d, "grade", "report.xml")).getroot().find(
        "testsuite/system-out").text or ""


class TestGradeLimits(LabTestCase):
    def test_guest_time_timeout_and_wall_cap(self):
        env = self.custom_labs(cap=8)
        d = self.init("90-spin", "spin-cap", env=env)
        start = time.time()
        r = self.grade("90-spin", d, "--json", env=env, timeout=90)
        took = time.time() - start
        self.assertEqual(r.code, 1, r)
        steps = load_json(r.out)["steps"]
        self.assertEqual(steps[0]["status"], "passed")
        self.assertEqual(steps[1]["status"], "failed")
        self.assertIn("within 1500 ms of guest time", steps[1]["seen"])
        self.assertGreaterEqual(steps[1]["guest_ms"], 1500)
        self.assertEqual(steps[2]["status"], "failed")
        self.assertIn("wall-clock cap of 8 s", steps[2]["seen"])
        self.assertLess(took, 60)
        self.assertNothingLeft(self.vhv_processes())

    def test_send_step_types_into_the_guest_console(self):
        env = self.custom_labs()
        d = self.init("93-echo", "echo", env=env)
        r = self.grade("93-echo", d, "--json", env=env, timeout=120)
        report = load_json(r.out)
        self.assertEqual(r.code, 0, r)
        self.assertEqual([s["status"] for s in report["steps"]], ["passed"] * 4)

    def test_ctrl_c_during_grade_leaves_nothing_running(self):
        env = self.custom_labs()
        d = self.init("90-spin", "spin-int", env=env)
        p = subprocess.Popen([os.path.join(BIN, "nestlab"), "lab", "grade", "--lab", "90-spin", d],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(p.stdout.close)
        self.addCleanup(p.stderr.close)
        try:
            seen = read_until(p.stdout, "\u2713 says it spins".encode(), timeout=120)
            self.assertIn("\u2713 says it spins".encode(), seen)
            pids = self.vhv_processes()
            self.assertGreaterEqual(len(pids), 2, "no highvisor and QEMU while the guest runs")
            p.send_signal(signal.SIGINT)
            p.wait(timeout=15)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 130)
        self.assertIn(b"interrupted", p.stderr.read())
        self.assertNothingLeft(pids)

    def test_sigterm_during_make_stops_the_build(self):
        env = self.custom_labs()
        d = self.init("90-spin", "spin-term", env=env)
        with open(os.path.join(d, "Makefile"), "w") as f:
            f.write("all:\n\t@echo $$$$ > sleeper.pid; exec sleep 60\n")
        pidfile = os.path.join(d, "sleeper.pid")
        p = subprocess.Popen([os.path.join(BIN, "nestlab"), "lab", "grade", "--lab", "90-spin", d],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(p.stdout.close)
        self.addCleanup(p.stderr.close)
        try:
            deadline = time.time() + 20
            while not (os.path.exists(pidfile) and self.read_text(pidfile).strip()):
                self.assertLess(time.time(), deadline, "make did not start")
                time.sleep(0.05)
            sleeper = int(self.read_text(pidfile))
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 130)
        self.assertIn(b"interrupted", p.stderr.read())
        time.sleep(0.2)
        self.assertFalse(self.running(sleeper), "make's child outlived the grade")

    def test_lab_run_shows_the_console_and_exits_with_the_guest_code(self):
        d = self.init("01-boot", "run-reference", reference=True)
        r = self.lab("run", d, timeout=120)
        self.assertEqual(r.code, 7, r)
        self.assertIn("nonce: ", r.out)
        self.assertRegex(r.out, r"@@mark \S+ [0-9a-f]{16}")
        self.assertIn("powered off with code 7", r.err)


class Rpc:
    """One JSON-RPC connection to the kernel, fds passed with SCM_RIGHTS."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        # The harness waits for the socket file, which nestlabd binds a
        # moment before it listens: a connect in between is refused.
        deadline = time.time() + 10
        while True:
            try:
                self.sock.connect(path)
                break
            except ConnectionRefusedError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""
        self.next_id = 1

    def call(self, method, params, fds=()):
        self.next_id += 1
        line = (json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                            "params": params}) + "\n").encode()
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i" * len(fds), *fds))] if fds else []
        self.sock.sendmsg([line], anc)
        while True:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("nestlabd hung up")
                self.buf += chunk
            raw, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(raw)
            if msg.get("id") == self.next_id:
                return msg

    def close(self):
        self.sock.close()


class TestGraderKernelApi(KernelTestCase):
    """What the grader needs from the kernel: vm.run's guestinfo, vm.stats' guest time."""

    def test_vm_run_guestinfo_and_guest_time(self):
        rpc = Rpc(self.env["NESTLAB_SOCKET"])
        self.addCleanup(rpc.close)
        vhv = rpc.call("vhv.create", {"ephemeral": True, "mem": 64 << 20})["result"]["id"]
        with open(guest("idle.elf"), "rb") as image:
            fd = image.fileno()
            r = rpc.call("vm.run", {"vhv": vhv, "image_fd": 0, "guestinfo": "lab.secret=1"}, [fd])
            self.assertEqual(r["error"]["code"], -32602, r)
            self.assertIn("guestinfo", r["error"]["message"])
            r = rpc.call("vm.run", {"vhv": vhv, "image_fd": 0, "guestinfo": {"bad key!": "x"}}, [fd])
            self.assertEqual(r["error"]["data"]["code"], "invalid-argument", r)
            self.assertIn("bad guestinfo key", r["error"]["message"])
            r = rpc.call("vm.run", {"vhv": vhv, "image_fd": 0, "append": "seconds=30",
                                    "guestinfo": {"lab.secret": "0123456789abcdef" * 2,
                                                  "lab.other": "two"}}, [fd])
            self.assertIn("result", r)
        got = rpc.call("guestinfo.get", {"vhv": vhv})["result"]["values"]
        self.assertEqual(got.get("lab.secret"), "0123456789abcdef" * 2)
        self.assertEqual(got.get("lab.other"), "two")
        first = rpc.call("vm.stats", {"vhv": vhv})["result"]
        t0 = time.monotonic()
        time.sleep(2.0)
        second = rpc.call("vm.stats", {"vhv": vhv})["result"]
        elapsed_ns = (time.monotonic() - t0) * 1e9
        self.assertIn("guest_time_ns", first)
        advanced = second["guest_time_ns"] - first["guest_time_ns"]
        # Guest time follows host time while the guest runs (docs/labs.md).
        # (Loose bounds: each reading also carries an RPC's latency.)
        self.assertGreater(advanced, elapsed_ns - 0.5e9)
        self.assertLess(advanced, elapsed_ns + 0.5e9)
        # ...and stands still while the VHV is paused.
        self.assertIn("result", rpc.call("vhv.pause", {"vhv": vhv}))
        a = rpc.call("vm.stats", {"vhv": vhv})["result"]["guest_time_ns"]
        time.sleep(0.5)
        b = rpc.call("vm.stats", {"vhv": vhv})["result"]["guest_time_ns"]
        self.assertEqual(a, b)
        self.assertIn("result", rpc.call("vhv.resume", {"vhv": vhv}))
        rpc.call("vhv.destroy", {"vhv": vhv})

    def test_vm_run_pl011_must_be_a_free_page(self):
        # The grader moves the PL011 through vm.run; a page that is taken
        # (the GIC) or not a page is refused before anything runs.
        rpc = Rpc(self.env["NESTLAB_SOCKET"])
        self.addCleanup(rpc.close)
        vhv = rpc.call("vhv.create", {"ephemeral": True, "mem": 64 << 20})["result"]["id"]
        with open(guest("idle.elf"), "rb") as image:
            fd = image.fileno()
            for bad in (0x0800_0000, 0x0a00_0800, 0x4000_0000):
                r = rpc.call("vm.run", {"vhv": vhv, "image_fd": 0, "pl011": bad}, [fd])
                self.assertIn("error", r, hex(bad))
                self.assertIn("pl011", r["error"]["message"])
            r = rpc.call("vm.run", {"vhv": vhv, "image_fd": 0, "pl011": 0x0a00_0000}, [fd])
            self.assertIn("result", r)
        rpc.call("vhv.destroy", {"vhv": vhv})


if __name__ == "__main__":
    unittest.main()
