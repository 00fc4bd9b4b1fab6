#!/usr/bin/env python3
"""Runs a pytest suite for ctest with skips made visible, like run_unittest.py.

    run_pytest.py SUITE PYTEST-ARGS...

Each skipped test is recorded by name (tests/tools/skips.py); an unexpected
skip makes the exit status 77 (ctest: Skipped, ./scripts/test fails on it).
A failure, an error or no test collected exits 1. Needs an interpreter with
pytest (Debian's python3-pytest, scripts/install-deps).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import skips  # noqa: E402

try:
    import pytest
except ImportError:
    print(f"run_pytest.py: {sys.executable} has no pytest; run scripts/install-deps "
          "(Debian's python3-pytest)", file=sys.stderr)
    sys.exit(1)


class SkipCollector:
    def __init__(self):
        self.skipped = []

    def pytest_runtest_logreport(self, report):
        if report.skipped and not hasattr(report, "wasxfail"):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(
                report.longrepr)
            self.skipped.append((report.nodeid, reason))


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    suite_name, args = sys.argv[1], sys.argv[2:]
    collector = SkipCollector()
    status = pytest.main(["-v", "-p", "no:cacheprovider", *args], plugins=[collector])
    unexpected = skips.record(suite_name, collector.skipped)
    if status != pytest.ExitCode.OK:
        return 1
    return 77 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
