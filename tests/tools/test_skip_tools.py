"""The skip machinery itself: a skipped test must never pass unnoticed."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_checked  # noqa: E402
import skips  # noqa: E402

PY = sys.executable


class SkipToolsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.skip_dir = os.path.join(self.dir.name, "skips")
        with open(os.path.join(self.dir.name, "sample_suite.py"), "w") as f:
            f.write(textwrap.dedent("""\
                import unittest
                class Sample(unittest.TestCase):
                    def test_runs(self):
                        self.assertTrue(True)
                    def test_skips(self):
                        self.skipTest("no widget here")
                """))

    def run_suite(self, allowlist_text, module="sample_suite"):
        allow = os.path.join(self.dir.name, "allow")
        with open(allow, "w") as f:
            f.write(allowlist_text)
        env = dict(os.environ, NESTLAB_SKIP_DIR=self.skip_dir, NESTLAB_SKIP_ALLOWLIST=allow)
        return subprocess.run([PY, os.path.join(HERE, "run_unittest.py"), "sample", module],
                              cwd=self.dir.name, env=env, capture_output=True, text=True,
                              timeout=60)

    def report(self):
        return subprocess.run([PY, os.path.join(HERE, "skip_report.py"), self.skip_dir],
                              capture_output=True, text=True, timeout=60)

    def test_an_unlisted_skip_is_exit_77_and_fails_the_report(self):
        r = self.run_suite("")
        self.assertEqual(r.returncode, 77, r)
        self.assertIn("nestlab-skip: unexpected: sample_suite.Sample.test_skips: no widget here",
                      r.stdout)
        rep = self.report()
        self.assertEqual(rep.returncode, 1, rep)
        self.assertIn("UNEXPECTED  sample: sample_suite.Sample.test_skips (no widget here)",
                      rep.stdout)

    def test_an_allowed_skip_passes_and_is_still_listed(self):
        r = self.run_suite("sample:*.test_skips  always  a reason\n")
        self.assertEqual(r.returncode, 0, r)
        rep = self.report()
        self.assertEqual(rep.returncode, 0, rep)
        self.assertIn("allowed     sample: sample_suite.Sample.test_skips", rep.stdout)
        self.assertIn("1 allowed", rep.stdout)

    def test_a_condition_that_does_not_hold_does_not_allow(self):
        other = "cgroup-v1" if "cgroup-v2" in skips.machine_conditions() else "cgroup-v2"
        r = self.run_suite(f"sample:*.test_skips  {other}  only elsewhere\n")
        self.assertEqual(r.returncode, 77, r)

    def test_a_failure_is_a_failure_even_with_skips(self):
        with open(os.path.join(self.dir.name, "failing_suite.py"), "w") as f:
            f.write("import unittest\nclass F(unittest.TestCase):\n"
                    "    def test_fails(self):\n        self.fail('boom')\n"
                    "    def test_skips(self):\n        self.skipTest('x')\n")
        r = self.run_suite("*  always  everything\n", module="failing_suite")
        self.assertEqual(r.returncode, 1, r)

    def test_a_malformed_allowlist_is_refused(self):
        r = self.run_suite("pattern-without-reason\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("want `pattern condition reason`", r.stderr)

    def test_gtest_and_qtest_skips_are_parsed_by_name(self):
        gtest = ["[ RUN      ] Seccomp.Probe", "x.cpp:12: Skipped", "needs root",
                 "[  SKIPPED ] Seccomp.Probe (0 ms)", "[ RUN      ] A.B", "[       OK ] A.B (1 ms)",
                 "[  SKIPPED ] 1 test, listed below:", "[  SKIPPED ] Seccomp.Probe"]
        self.assertEqual(run_checked.parse("gtest", gtest), [("Seccomp.Probe", "needs root")])
        qtest = ["PASS   : T::a()", "SKIP   : T::b() no kernel built", "   Loc: [x.cpp(3)]"]
        self.assertEqual(run_checked.parse("qtest", qtest), [("T::b", "no kernel built")])

    def test_the_repository_allowlist_is_well_formed_and_short(self):
        entries = skips.load_allowlist(os.path.join(HERE, "..", "skips.allow"))
        self.assertLessEqual(len(entries), 12, "the allowlist is meant to stay short")
        for pattern, condition, reason in entries:
            self.assertGreater(len(reason), 10, pattern)


if __name__ == "__main__":
    unittest.main()
