#!/usr/bin/env python3
"""Runs a GoogleTest or Qt Test binary for ctest with skips made visible.

    run_checked.py gtest|qtest SUITE -- COMMAND [ARG...]

Passes the output through, collects the tests the binary skipped
(GTEST_SKIP: "[  SKIPPED ] Suite.Test"; QSKIP: "SKIP   : Class::test() why"),
records them (tests/tools/skips.py) and exits 77 on an unexpected skip, which
ctest reports as Skipped (SKIP_RETURN_CODE). A failing binary's own status wins.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import skips  # noqa: E402

GTEST_SKIPPED = re.compile(r"^\[  SKIPPED \] (\S+\.\S+?)(?: \(\d+ ms\))?$")
GTEST_REASON = re.compile(r"^\S+:\d+: Skipped$")
QTEST_SKIP = re.compile(r"^SKIP   : (\S+)\(\)\s*(.*)$")


def parse(kind, lines):
    """[(test id, reason)] in the order first seen."""
    found = {}
    pending_reason = ""
    for i, line in enumerate(lines):
        if kind == "gtest":
            if GTEST_REASON.match(line) and i + 1 < len(lines):
                pending_reason = lines[i + 1]
                continue
            m = GTEST_SKIPPED.match(line)
            if m and m.group(1) not in found:
                found[m.group(1)] = pending_reason
                pending_reason = ""
        else:
            m = QTEST_SKIP.match(line)
            if m and m.group(1) not in found:
                found[m.group(1)] = m.group(2)
    return list(found.items())


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] not in ("gtest", "qtest") or args[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    kind, suite, command = args[0], args[1], args[3:]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    for raw in proc.stdout:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        lines.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
        if len(lines) > 200000:  # keep parsing bounded; the tail holds the summary
            del lines[:100000]
    code = proc.wait()
    unexpected = skips.record(suite, parse(kind, lines))
    if code != 0:
        return code
    return 77 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
