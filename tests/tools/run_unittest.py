#!/usr/bin/env python3
"""Runs Python test modules for ctest with skips made visible.

    run_unittest.py SUITE MODULE...

Like `python3 -m unittest -v MODULE...`, but every skipped test is recorded
by name (tests/tools/skips.py); an unexpected skip makes the exit status 77,
which ctest reports as Skipped (SKIP_RETURN_CODE) and ./scripts/test fails on.
A failure or error still exits 1.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import skips  # noqa: E402


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    suite_name, modules = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, os.getcwd())
    suite = unittest.defaultTestLoader.loadTestsFromNames(modules)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stderr).run(suite)
    skipped = [(test.id(), reason) for test, reason in result.skipped]
    unexpected = skips.record(suite_name, skipped)
    if not result.wasSuccessful():
        return 1
    return 77 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
